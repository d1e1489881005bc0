import { type RecordCheck, scalarParses } from './record-shape.js';
import { duckdbType, type SourceColumn } from './source-columns.js';
import { duckdbCompression, FOLDERS_ARE_NOT_COLUMNS, sqlList, sqlString } from './source-sql.js';

/**
 * Text logs of delimited fields, most of which a header line names (flow logs, CloudFront): each
 * file may name other fields in another order, so the reader maps the file's fields onto the
 * table's fixed columns and a column the file lacks is NULL. `-` means "no value" in every format.
 */
export interface HeaderedText {
  /** The fields in file order, as the header spells them. */
  fields: string[];
  /** The table's columns; `key` is the header's spelling of the field. */
  columns: SourceColumn[];
  delimiter: ' ' | '\t';
  /** Lines before the first record (the header and anything above it; none in a headerless format). */
  headerLines: number;
}

/** A DuckDB SELECT with declared types; a line with another number of fields fails the file. */
export function duckdbHeaderedSelect(text: HeaderedText, paths: string[], compressed: boolean): string {
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
    duckdbCompression(compressed),
    FOLDERS_ARE_NOT_COLUMNS,
  ];
  return `SELECT ${projection.join(', ')} FROM read_csv(${sqlList(paths)}, ${options.join(', ')})`;
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

/**
 * Whether line `index` of a file fits the reader: header lines pass, a record needs the header's
 * field count, and a field that does not parse as its column's type is read as `-` (NULL).
 */
export function checkHeaderedLine(text: HeaderedText, line: string, index: number): RecordCheck {
  if (index <= text.headerLines) return { nulled: [], header: true };
  const values = line.split(text.delimiter);
  if (values.length !== text.fields.length)
    return { problem: `${values.length} fields where the format has ${text.fields.length}` };
  const byKey = new Map(text.columns.map((c) => [c.key, c]));
  const nulled: string[] = [];
  text.fields.forEach((field, i) => {
    const type = byKey.get(field)?.type ?? 'string';
    const value = values[i] as string;
    if (value === '-' || typeof type !== 'string' || scalarParses(value, duckdbType(type))) return;
    nulled.push(field);
    values[i] = '-';
  });
  return nulled.length === 0 ? { nulled } : { nulled, replacement: values.join(text.delimiter) };
}
