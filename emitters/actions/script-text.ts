/** A `run:` script from its lines, ending in a newline as YAML's block scalar keeps it. */
export const script = (...lines: readonly string[]): string => `${lines.join('\n')}\n`;
