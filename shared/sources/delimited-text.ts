import { sqlString } from './cloudtrail-source.js';
import { duckdbType, type SourceColumn } from './source-columns.js';

/**
 * Text logs whose fields a header line names (flow logs, CloudFront): each file may name other
 * fields in another order, so the reader maps the header's fields onto the table's fixed columns
 * and a column the header lacks is NULL. `-` means "no value" in both formats.
 */
export interface HeaderedText {
  /** The fields in file order, as the header spells them. */
  fields: string[];
  /** The table's columns; `key` is the header's spelling of the field. */
  columns: SourceColumn[];
  delimiter: ' ' | '\t';
  /** Lines before the first record (the header and anything above it). */
  headerLines: number;
}

/** A DuckDB SELECT with declared types; a line with another number of fields fails the file. */
export function duckdbHeaderedSelect(text: HeaderedText, paths: string[], compressed: boolean): string {
  const files = `[${paths.map(sqlString).join(', ')}]`;
  const byKey = new Map(text.columns.map((c) => [c.key, c]));
  const declared = text.fields.map(
    (f, i) => `${sqlString(`f${i}`)}: ${sqlString(duckdbType(byKey.get(f)?.type ?? 'string'))}`,
  );
  const projection = text.columns.map((c) => {
    const position = text.fields.indexOf(c.key);
    return `${position < 0 ? `CAST(NULL AS ${duckdbType(c.type)})` : `f${position}`} AS "${c.name}"`;
  });
  const options = [
    `delim = ${text.delimiter === '\t' ? "'\\t'" : "' '"}`,
    'header = false',
    `skip = ${text.headerLines}`,
    `columns = {${declared.join(', ')}}`,
    "nullstr = '-'",
    "quote = ''",
    "escape = ''",
    'auto_detect = false',
    `compression = '${compressed ? 'gzip' : 'uncompressed'}'`,
  ];
  return `SELECT ${projection.join(', ')} FROM read_csv(${files}, ${options.join(', ')})`;
}

/**
 * The same mapping for Athena's RegexSerDe, which maps groups to columns in table order: one
 * lookahead per column captures the field at its position in this file, a `-` or a field the file
 * lacks leaves its group unmatched (NULL), and the line must have exactly the header's field count.
 * Only constructs Java and JavaScript read alike, so a unit test can run the pattern Athena gets.
 */
export function headeredLineRegex(text: HeaderedText): string {
  const d = text.delimiter === '\t' ? '\\t' : ' ';
  const token = `[^${d}]+`;
  const groups = text.columns.map((c) => {
    const position = text.fields.indexOf(c.key);
    if (position < 0) return '(?:((?!)))?';
    return `(?=(?:${token}${d}){${position}}(?:-(?:${d}|$)|(${token})))`;
  });
  return `^${groups.join('')}(?:${token}${d}){${text.fields.length - 1}}${token}$`;
}

/** Every line of the files as one VARCHAR `line`, for formats parsed with a regular expression. */
export function duckdbLines(paths: string[], compressed: boolean): string {
  const files = `[${paths.map(sqlString).join(', ')}]`;
  // A control character no log line holds: the whole line is the one column.
  return `SELECT line FROM read_csv(${files}, columns = {'line': 'VARCHAR'}, header = false, delim = chr(31), quote = '', escape = '', auto_detect = false, compression = '${compressed ? 'gzip' : 'uncompressed'}') WHERE line IS NOT NULL AND trim(line) <> ''`;
}
