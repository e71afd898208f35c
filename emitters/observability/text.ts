/**
 * Spec text crosses into two template languages here: Prometheus renders alert
 * labels and annotations as Go templates, and Grafana interpolates `$var`,
 * `${var}` and `[[var]]` in titles, descriptions and text panels. A service's
 * description must reach both as the words its author wrote.
 */

/**
 * Spec text for an alert label or annotation: every `{{` becomes the Go
 * template action that prints `{{`, so Prometheus renders the text literally.
 * A `}}` outside an action is plain text and needs nothing.
 */
export function goTemplateLiteral(text: string): string {
  // Most text holds no `{{`: looking for it is cheaper than a replace that finds nothing.
  return text.includes('{{') ? text.replace(/\{\{/g, '{{ "{{" }}') : text;
}

/**
 * Spec text for a Grafana title or description, which are plain text. Grafana
 * has no escape for `$` (grafana/grafana#40603), so the dollar sign and the
 * double bracket become their full-width forms, which read the same and start
 * no variable.
 */
export function grafanaPlainText(text: string): string {
  if (!text.includes('$') && !text.includes('[[')) return text;
  return text.replace(/\$/g, '\uff04').replace(/\[\[/g, '\uff3b\uff3b');
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', $: '&#36;', '[': '&#91;', ']': '&#93;' };
/** Not global, so test() keeps no lastIndex between calls. */
const MARKUP = /[&<>$[\]]/;
const MARKUP_EVERYWHERE = /[&<>$[\]]/g;

/**
 * Spec text for a Grafana markdown text panel: HTML entities render as the
 * characters themselves after Grafana has interpolated variables, so `$` and
 * `[` survive exactly; `<`, `>` and `&` are escaped so no markup gets in.
 */
export function grafanaMarkdownText(text: string): string {
  return MARKUP.test(text) ? text.replace(MARKUP_EVERYWHERE, (c) => ENTITIES[c]!) : text;
}

/** Shortest decimal form without binary noise: 1 - 0.9995 is 0.0005, not 0.00049999999999994. */
export function decimal(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** `CronJobFailed` -> `cron-job-failed`, for runbook paths. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** A URL without its trailing slashes, so paths can be appended with one. */
export function trimSlash(url: string): string {
  return url.endsWith('/') ? url.replace(/\/+$/, '') : url;
}
