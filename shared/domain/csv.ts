/** RFC 4180 CSV: every value quoted when it holds a comma, quote or line break; null is empty. */
export function toCsv(columns: string[], rows: Record<string, string | null>[]): string {
  const lines = [columns.map(quote).join(',')];
  for (const row of rows) lines.push(columns.map((c) => quote(row[c] ?? '')).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
