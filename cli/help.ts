/**
 * Prints the command table (command-table.ts) three ways: `paved --help`, one
 * command's help (`paved compile --help`, `paved help compile`) and the
 * Markdown of docs/cli.md, which `npm run spec:generate` embeds.
 */
import { COMMANDS, EXIT_CODES_TEXT, GLOBAL_OPTIONS, type CommandEntry, type OptionEntry } from './command-table.js';

const WIDTH = 80;
/** Where summaries start in `paved --help`: two spaces and a 25-column synopsis. */
const SUMMARY_COLUMN = 27;

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `  term      text…` with the text wrapped at the column; a long term gets a line of its own. */
function columns(term: string, text: string, indent: number, column: number): string {
  const pad = ' '.repeat(column);
  const body = wrap(text, WIDTH - column);
  const head = `${' '.repeat(indent)}${term}`;
  if (head.length + 2 <= column && body.length > 0) {
    return [`${head.padEnd(column)}${body[0]}`, ...body.slice(1).map((l) => `${pad}${l}`)].join('\n') + '\n';
  }
  return [head, ...body.map((l) => `${pad}${l}`)].join('\n') + '\n';
}

function optionLines(options: readonly OptionEntry[]): string {
  return options.map((o) => columns(o.flag, o.description, 2, SUMMARY_COLUMN)).join('');
}

/** Every option of every command, once per flag; the first description of a flag wins. */
function everyOption(): OptionEntry[] {
  const seen = new Map<string, OptionEntry>();
  for (const command of COMMANDS) for (const option of command.options) if (!seen.has(option.flag)) seen.set(option.flag, option);
  return [...seen.values()];
}

/** `paved --help`. */
export function renderHelp(): string {
  const commands = COMMANDS.flatMap((c) => c.usages.map((u) => columns(u.synopsis, u.summary, 2, SUMMARY_COLUMN))).join('');
  return [
    'paved: compile service.yaml files into Terraform, Kubernetes, GitHub Actions and dashboards\n',
    'Usage: paved <command> [options]\n',
    `Commands:\n${commands}`,
    `Common options (each command's help lists its own: paved <command> --help):\n${optionLines([...everyOption().filter((o) => ['--root <dir>', '--out <dir>'].includes(o.flag)), ...GLOBAL_OPTIONS])}`,
    `${EXIT_CODES_TEXT}\n`,
  ].join('\n');
}

/** `paved <command> --help`. */
export function renderCommandHelp(command: CommandEntry): string {
  const usage = command.usages.map((u) => `  paved ${u.synopsis}\n`).join('');
  const description = command.description
    .map((p) =>
      wrap(p, WIDTH - 2)
        .map((l) => `  ${l}\n`)
        .join(''),
    )
    .join('\n');
  const parts = [`Usage:\n${usage}`, description];
  if (command.options.length > 0) parts.push(`Options:\n${optionLines(command.options)}`);
  parts.push(`Formats: ${command.formats === undefined ? 'text only (it takes no --format)' : command.formats.join(', ')}\n`);
  parts.push(`${EXIT_CODES_TEXT}\n`);
  return parts.join('\n');
}

/** Markdown inline code holding `text`, with a fence longer than any backtick run in it. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest === 0 ? `${fence}${text}${fence}` : `${fence} ${text} ${fence}`;
}

/** Table cells: a pipe would end the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The command section of docs/cli.md: the `paved --help` output, then each command. */
export function renderCliReference(): string {
  const sections = COMMANDS.map((command) => {
    const lines = [`## paved ${command.name}`, '', '```', ...command.usages.map((u) => `paved ${u.synopsis}`), '```', ''];
    for (const paragraph of command.description) lines.push(paragraph, '');
    if (command.options.length > 0) {
      lines.push('| Option | Description |', '| --- | --- |');
      for (const option of command.options) lines.push(`| ${cell(code(option.flag))} | ${cell(option.description)} |`);
      lines.push('');
    }
    lines.push(`Formats: ${command.formats === undefined ? 'text only (it takes no `--format`)' : command.formats.map(code).join(', ')}.`, '');
    return lines.join('\n');
  });
  return ['`paved --help` prints:', '', '```', renderHelp().trimEnd(), '```', '', ...sections].join('\n');
}
