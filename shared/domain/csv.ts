/**
 * RFC 4180 CSV: every value quoted when it holds a comma, quote or line break; null is empty.
 * Cells come from logs an attacker wrote into, and responders open the file in a spreadsheet, so
 * a cell that a spreadsheet would run as a formula is neutralised (see `neutralise`).
 */
export function toCsv(columns: string[], rows: Record<string, string | null>[]): string {
  return csvHeader(columns) + rows.map((row) => csvLine(columns, row)).join('');
}

export function csvHeader(columns: string[]): string {
  return `${columns.map((c) => quote(neutralise(c))).join(',')}\r\n`;
}

export function csvLine(columns: string[], row: Record<string, string | null>): string {
  return `${columns.map((c) => quote(neutralise(row[c] ?? ''))).join(',')}\r\n`;
}

const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * OWASP's CSV injection rule: a cell starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading
 * single quote, so a spreadsheet shows it as text instead of evaluating it. A plain number (`-1`,
 * `+3.5`) is left as it is: a spreadsheet reads it as that number, and nothing in it can run.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
export function neutralise(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Reads what `toCsv` writes (RFC 4180): the header's columns and one record per row, empty cells as ''. */
export function fromCsv(text: string): { columns: string[]; rows: Record<string, string>[] } {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(cell);
      cell = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || record.length > 0) records.push([...record, cell]);
  const [columns = [], ...rows] = records;
  return {
    columns,
    rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? '']))),
  };
}
