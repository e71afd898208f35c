/**
 * What GitHub's runner does with a step's output, ported line for line from
 * actions/runner (src/Runner.Common/ActionCommand.cs TryParseV2 and TryParse,
 * src/Runner.Worker/ActionCommandManager.cs TryProcessCommand): it splits the
 * output at LF, CR and CRLF, reads `::name` after leading white space and the
 * legacy `##[name` anywhere in a line, and executes a registered command unless
 * `::stop-commands::<token>` stopped them; then only `::<token>::` counts, and
 * resumes them. Command names compare without case. The runner keeps this
 * state per step (Handler.cs creates a manager per step).
 */

/** The commands the runner registers (its command extensions and stop-commands). */
const REGISTERED = [
  'add-mask',
  'stop-commands',
  'error',
  'warning',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
  'add-matcher',
  'remove-matcher',
  'set-output',
  'save-state',
  'set-env',
  'add-path',
];

export interface RunnerCommand {
  readonly name: string;
  readonly data: string;
}

/** `name` and data of the command a line holds for the runner, or undefined. */
function parse(line: string, registered: ReadonlySet<string>): RunnerCommand | undefined {
  const trimmed = line.replace(/^[\s\u0085]+/u, '');
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    if (end >= 0) {
      const info = trimmed.slice(2, end);
      const name = info.split(' ')[0]!;
      if (registered.has(name.toLowerCase())) return { name, data: trimmed.slice(end + 2) };
    }
  }
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const bracket = line.indexOf(']', prefix);
  if (bracket < 0) return undefined;
  const name = line.slice(prefix + 3, bracket).split(' ')[0]!;
  return registered.has(name.toLowerCase()) ? { name, data: line.slice(bracket + 1) } : undefined;
}

/** The commands the runner executes, in order, for one step's output (the stop and its resume among them). */
export function executedCommands(output: string): RunnerCommand[] {
  const registered = new Set(REGISTERED);
  const executed: RunnerCommand[] = [];
  let stopToken: string | undefined;
  for (const line of output.split(/\r\n|[\r\n]/)) {
    const command = parse(line, registered);
    if (command === undefined) continue;
    const name = command.name.toLowerCase();
    if (stopToken !== undefined) {
      if (name !== stopToken) continue;
      registered.delete(stopToken);
      stopToken = undefined;
      executed.push(command);
      continue;
    }
    if (name === 'stop-commands') {
      const token = command.data.toLowerCase();
      // The runner refuses an empty or registered token (ValidateStopToken throws; the command is not executed).
      if (token === '' || registered.has(token) || token === 'pause-logging') continue;
      stopToken = token;
      registered.add(token);
    }
    executed.push(command);
  }
  return executed;
}
