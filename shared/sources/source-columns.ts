import { sqlString } from './cloudtrail-source.js';

/**
 * A column's type, written once and rendered for each engine, so the Athena table and the DuckDB
 * table of a source cannot drift apart. `json` is a free-form nested value kept as its JSON text
 * (a string in Athena, JSON in DuckDB), read with json_extract_scalar in both.
 */
export type ColumnType =
  | 'string'
  | 'int'
  | 'bigint'
  | 'double'
  | 'date'
  | 'json'
  | { array: ColumnType }
  | { struct: StructField[] };

/** A struct field; `key` is spelled as in the delivered record (`clientIp`), the table uses lower case. */
export interface StructField {
  key: string;
  type: ColumnType;
}

/** A table column; `key` is its name in the delivered record or header, `name` its name in the table. */
export interface SourceColumn {
  name: string;
  key: string;
  type: ColumnType;
}

export function column(name: string, type: ColumnType, key = name): SourceColumn {
  return { name, key, type };
}

export function field(key: string, type: ColumnType): StructField {
  return { key, type };
}

export function athenaType(type: ColumnType): string {
  if (typeof type === 'string') return type === 'json' ? 'string' : type;
  if ('array' in type) return `array<${athenaType(type.array)}>`;
  return `struct<${type.struct.map((f) => `${f.key.toLowerCase()}:${athenaType(f.type)}`).join(',')}>`;
}

const duckdbScalars = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  date: 'DATE',
  json: 'JSON',
} as const;

/**
 * The DuckDB type; with `deliveredKeys` the struct fields keep the record's spelling, which is what
 * read_json matches (it is case-sensitive), and a cast to the lower-case type renames them.
 */
export function duckdbType(type: ColumnType, deliveredKeys = false): string {
  if (typeof type === 'string') return duckdbScalars[type];
  if ('array' in type) return `${duckdbType(type.array, deliveredKeys)}[]`;
  const fields = type.struct.map(
    (f) => `"${deliveredKeys ? f.key : f.key.toLowerCase()}" ${duckdbType(f.type, deliveredKeys)}`,
  );
  return `STRUCT(${fields.join(', ')})`;
}

/** The column list of an Athena `CREATE EXTERNAL TABLE`, one column a line. */
export function athenaColumnList(columns: SourceColumn[]): string {
  return columns.map((c) => `  \`${c.name}\` ${athenaType(c.type)}`).join(',\n');
}

/**
 * Reads JSON-lines files into the table's columns with declared types (never auto-detection),
 * renaming delivered keys to the table's lower-case names.
 */
export function duckdbJsonLinesSelect(columns: SourceColumn[], paths: string[], compressed: boolean): string {
  const files = `[${paths.map(sqlString).join(', ')}]`;
  const declared = `{${columns.map((c) => `${sqlString(c.key)}: ${sqlString(duckdbType(c.type, true))}`).join(', ')}}`;
  const projection = columns
    .map((c) => `CAST("${c.key}" AS ${duckdbType(c.type)}) AS "${c.name}"`)
    .join(', ');
  return `SELECT ${projection} FROM read_json(${files}, format = 'newline_delimited', columns = ${declared}, compression = '${compressed ? 'gzip' : 'uncompressed'}')`;
}
