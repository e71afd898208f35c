/**
 * Kubernetes CronJob schedules: five fields (robfig/cron's standard parser) or
 * a macro. Returns what is wrong in words, or undefined.
 */
const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly namesStart?: number;
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesStart: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesStart: 0 },
];

export function cronProblem(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (trimmed.startsWith('@')) return MACROS.has(trimmed) ? undefined : `unknown macro ${JSON.stringify(trimmed)}; use one of ${[...MACROS].join(', ')}`;
  if (/^(CRON_)?TZ=/.test(trimmed)) return 'time zones inside the schedule are not supported by Kubernetes; schedules run in the cluster time zone (UTC)';
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) return `has ${parts.length} fields; a schedule has 5: minute hour day-of-month month day-of-week`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(parts[i]!, FIELDS[i]!);
    if (problem) return `${FIELDS[i]!.name} field ${JSON.stringify(parts[i])}: ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  for (const item of text.split(',')) {
    const match = /^([^/]+)(?:\/(.+))?$/.exec(item);
    if (!match) return 'is empty';
    const [, range, step] = match;
    if (step !== undefined) {
      if (!/^[0-9]+$/.test(step)) return `step ${JSON.stringify(step)} is not a number`;
      const n = Number(step);
      if (n < 1 || n > field.max) return `step ${n} must be between 1 and ${field.max}`;
    }
    if (range === '*' || range === '?') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `${JSON.stringify(range)} is not a value or a range`;
    const values = bounds.map((b) => value(b, field));
    for (const [index, v] of values.entries()) {
      if (v === undefined) return `${JSON.stringify(bounds[index])} is not a ${field.name}`;
      if (v < field.min || v > field.max) return `${v} is outside ${field.min}-${field.max}`;
    }
    if (values.length === 2 && values[0]! > values[1]!) return `range ${range} runs backwards`;
  }
  return undefined;
}

function value(text: string, field: Field): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return index >= 0 ? index + (field.namesStart ?? 0) : undefined;
}
