/** A problem with the disk or with files paved does not own; nothing was written. */
export class WriteError extends Error {
  constructor(
    message: string,
    readonly userError: boolean,
  ) {
    super(message);
  }
}
