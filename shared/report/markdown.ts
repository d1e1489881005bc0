/**
 * Text from logs, Sigma rules or requests, which an attacker may have written: no Markdown or HTML
 * in it takes effect, and no line break (CR, LF, or the Unicode separators) ends a table row.
 */
export function text(value: string): string {
  return value
    .replace(/[\\`*_[\]<>|#!~&]/g, (ch) => `\\${ch}`)
    .replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, ' ');
}

/** A code span that the value cannot close: the fence is longer than any run of backticks in it. */
export function code(value: string | null): string {
  if (value === null || value === '') return '—';
  const flat = value.replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 || flat.startsWith(' ') || flat.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
