/**
 * Image digests of the stand-ins paved runs in place of cloud resources, by
 * `<repository>:<tag>`. Each was read from public repositories that pin the same
 * reference (looked up, never made up); the tag says the version, the digest
 * makes the image immutable. A reference not in the table (another version, a
 * platform's mirror) stays pinned by its tag only; docs/dev.md says so.
 */
export const STAND_IN_DIGESTS: Readonly<Record<string, string>> = {
  'docker.io/library/postgres:16': 'sha256:95206741a5b214807675e14165369d05b93a9cf692223b616d07cca227e74b0b',
  'docker.io/library/mysql:8.0': 'sha256:7dcddc01f13bab2f15cde676d44d01f61fc9f99fe7785e86196dfc07d358ae2b',
  'docker.io/library/mysql:8.4.3': 'sha256:106d5197fd8e4892980469ad42eb20f7a336bd81509aae4ee175d852f5cc4565',
  'docker.io/library/redis:7.4.2': 'sha256:fbdbaea47b9ae4ecc2082ecdb4e1cea81e32176ffb1dcf643d422ad07427e5d9',
  'docker.io/localstack/localstack:4.0.3': 'sha256:17c2f79ca4e1f804eb912291a19713d4134806325ef0d21d4c1053161dfa72d0',
};

/** `<repository>:<tag>@<digest>` when the table knows the reference; else the reference as given. */
export function pinnedImage(reference: string): string {
  const digest = STAND_IN_DIGESTS[reference];
  return digest === undefined ? reference : `${reference}@${digest}`;
}
