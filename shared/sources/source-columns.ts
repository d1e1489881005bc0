import { checkRecordShape, type DeclaredStructure, type RecordCheck } from './record-shape.js';
import { duckdbCompression, FOLDERS_ARE_NOT_COLUMNS, sqlList, sqlString } from './source-sql.js';

/**
 * A column's type, written once and rendered for each place that needs it (Hive DDL, Trino SQL,
 * DuckDB), so the Athena table and the DuckDB table of a source cannot drift apart. `json` is a
 * free-form nested value kept as its JSON text (a string in Athena, JSON in DuckDB), read with
 * json_extract_scalar in both.
 */
export type ColumnType =
  | 'string'
  | 'int'
  | 'bigint'
  | 'double'
  | 'boolean'
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
export interface SourceColumn extends StructField {
  name: string;
}

export function column(name: string, type: ColumnType, key = name): SourceColumn {
  return { name, key, type };
}

/** A column or struct field named by a record's key, in lower case as Athena names every column and field. */
export function field(key: string, type: ColumnType = 'string'): SourceColumn {
  return column(key.toLowerCase(), type, key);
}

export function struct(key: string, fields: StructField[]): SourceColumn {
  return field(key, { struct: fields });
}

type Scalar = Extract<ColumnType, string>;

const scalarTypes: Record<Scalar, { hive: string; trino: string; duckdb: string }> = {
  string: { hive: 'string', trino: 'varchar', duckdb: 'VARCHAR' },
  int: { hive: 'int', trino: 'integer', duckdb: 'INTEGER' },
  bigint: { hive: 'bigint', trino: 'bigint', duckdb: 'BIGINT' },
  double: { hive: 'double', trino: 'double', duckdb: 'DOUBLE' },
  boolean: { hive: 'boolean', trino: 'boolean', duckdb: 'BOOLEAN' },
  date: { hive: 'date', trino: 'date', duckdb: 'DATE' },
  json: { hive: 'string', trino: 'varchar', duckdb: 'JSON' },
};

/** The type in Hive DDL (an external table's columns). */
export function athenaType(type: ColumnType): string {
  if (typeof type === 'string') return scalarTypes[type].hive;
  if ('array' in type) return `array<${athenaType(type.array)}>`;
  return `struct<${type.struct.map((f) => `${f.key.toLowerCase()}:${athenaType(f.type)}`).join(',')}>`;
}

/** The type in Trino SQL (a view's casts). */
export function trinoType(type: ColumnType): string {
  if (typeof type === 'string') return scalarTypes[type].trino;
  if ('array' in type) return `array(${trinoType(type.array)})`;
  return `ROW(${type.struct.map((f) => `${f.key.toLowerCase()} ${trinoType(f.type)}`).join(', ')})`;
}

/**
 * The DuckDB type; with `deliveredKeys` the struct fields keep the record's spelling, which is what
 * read_json and from_json match (they are case-sensitive), and a cast to the lower-case type renames them.
 */
export function duckdbType(type: ColumnType, deliveredKeys = false): string {
  if (typeof type === 'string') return scalarTypes[type].duckdb;
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
 * The column as `sql` computes it, in text both engines run: the view over a raw Athena table and
 * the DuckDB reader share it. Scalar types only; Trino's spelling is also DuckDB's.
 */
export function sqlColumn(c: SourceColumn, sql: string): string {
  return `CAST(${sql} AS ${trinoType(c.type)}) AS "${c.name}"`;
}

/** A delivered key as the table's column (`CAST(<record>."Key" AS type) AS "name"`): the cast renames struct fields. */
export function duckdbKeyColumn(c: SourceColumn, record?: string): string {
  return `CAST(${record ? `${record}.` : ''}"${c.key}" AS ${duckdbType(c.type)}) AS "${c.name}"`;
}

/**
 * Reads JSON-lines files into the table's columns with declared types (never auto-detection),
 * renaming delivered keys to the table's lower-case names.
 */
export function duckdbJsonLinesSelect(columns: SourceColumn[], paths: string[], compressed: boolean): string {
  const declared = `{${columns.map((c) => `${sqlString(c.key)}: ${sqlString(duckdbType(c.type, true))}`).join(', ')}}`;
  const projection = columns.map((c) => duckdbKeyColumn(c)).join(', ');
  return `SELECT ${projection} FROM read_json(${sqlList(paths)}, format = 'newline_delimited', columns = ${declared}, ${duckdbCompression(compressed)}, ${FOLDERS_ARE_NOT_COLUMNS})`;
}

/** Whether a parsed JSON-lines record fits the columns `duckdbJsonLinesSelect` declares. */
export function checkJsonLinesRecord(columns: SourceColumn[], record: unknown): RecordCheck {
  return checkRecordShape(record, JSON.parse(duckdbJsonStructure(columns)) as DeclaredStructure);
}

/** The `structure` argument of DuckDB's from_json: the record's keys with DuckDB types. */
export function duckdbJsonStructure(fields: StructField[]): string {
  const describe = (type: ColumnType): unknown => {
    if (typeof type === 'string') return scalarTypes[type].duckdb;
    if ('array' in type) return [describe(type.array)];
    return Object.fromEntries(type.struct.map((f) => [f.key, describe(f.type)]));
  };
  return JSON.stringify(Object.fromEntries(fields.map((f) => [f.key, describe(f.type)])));
}

/**
 * The column from JSON text in Trino, at `path` (`$.user`): scalars with json_extract_scalar, objects
 * kept as text with json_format, arrays cast, structs built field by field (a missing object stays NULL).
 * A value of the wrong type (`"srcport": "fifty-three"`) is NULL rather than a cast error that
 * would fail every hunt reading the view: bad input costs only itself.
 */
export function trinoFromJson(text: string, path: string, c: SourceColumn): string {
  return `try(CAST(${trinoValue(text, `${path}.${c.key}`, c.type)} AS ${trinoType(c.type)})) AS "${c.name}"`;
}

function trinoValue(text: string, path: string, type: ColumnType): string {
  const at = `'${path}'`;
  if (type === 'json') return `json_format(json_extract(${text}, ${at}))`;
  if (typeof type === 'string') return `json_extract_scalar(${text}, ${at})`;
  if ('array' in type) return `json_extract(${text}, ${at})`;
  const fields = type.struct.map((f) => trinoValue(text, `${path}.${f.key}`, f.type));
  return `CASE WHEN json_extract(${text}, ${at}) IS NULL THEN NULL ELSE ROW(${fields.join(', ')}) END`;
}
