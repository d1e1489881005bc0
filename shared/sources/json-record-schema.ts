/**
 * A JSON record's columns, described once and spelled for each place that needs them: DuckDB's
 * reader (the record's own key names), the DuckDB table (lower-case names, as Athena names every
 * column and struct field), Hive DDL, and a Trino view that extracts the columns from JSON text.
 * Free-form objects are `json`: JSON text in both engines, read with json_extract_scalar.
 */
export type FieldType =
  | 'string'
  | 'integer'
  | 'double'
  | 'boolean'
  | 'json'
  | { array: 'string' }
  | { struct: JsonField[] };

export interface JsonField {
  /** The column or struct field name in both tables: the key in lower case. */
  name: string;
  /** The key in the delivered record. */
  jsonKey: string;
  type: FieldType;
}

export const field = (jsonKey: string, type: FieldType = 'string'): JsonField => ({
  name: jsonKey.toLowerCase(),
  jsonKey,
  type,
});

export const struct = (jsonKey: string, fields: JsonField[]): JsonField => field(jsonKey, { struct: fields });

const duckdbScalar = {
  string: 'VARCHAR',
  integer: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  json: 'JSON',
};
const hiveScalar = { string: 'string', integer: 'int', double: 'double', boolean: 'boolean', json: 'string' };
const trinoScalar = {
  string: 'varchar',
  integer: 'integer',
  double: 'double',
  boolean: 'boolean',
  json: 'varchar',
};

/** The DuckDB type; `byKey` names struct fields as the record does (for the reader), else in lower case. */
export function duckdbType(type: FieldType, byKey = false): string {
  if (typeof type === 'string') return duckdbScalar[type];
  if ('array' in type) return `${duckdbScalar[type.array]}[]`;
  const fields = type.struct.map((f) => `"${byKey ? f.jsonKey : f.name}" ${duckdbType(f.type, byKey)}`);
  return `STRUCT(${fields.join(', ')})`;
}

export function hiveType(type: FieldType): string {
  if (typeof type === 'string') return hiveScalar[type];
  if ('array' in type) return `array<${hiveScalar[type.array]}>`;
  return `struct<${type.struct.map((f) => `${f.name}:${hiveType(f.type)}`).join(',')}>`;
}

export function trinoType(type: FieldType): string {
  if (typeof type === 'string') return trinoScalar[type];
  if ('array' in type) return `array(${trinoScalar[type.array]})`;
  return `ROW(${type.struct.map((f) => `${f.name} ${trinoType(f.type)}`).join(', ')})`;
}

/** The `structure` argument of DuckDB's from_json: the record's keys with DuckDB types. */
export function duckdbJsonStructure(fields: JsonField[]): string {
  const describe = (type: FieldType): unknown => {
    if (typeof type === 'string') return duckdbScalar[type];
    if ('array' in type) return [duckdbScalar[type.array]];
    return Object.fromEntries(type.struct.map((f) => [f.jsonKey, describe(f.type)]));
  };
  return JSON.stringify(Object.fromEntries(fields.map((f) => [f.jsonKey, describe(f.type)])));
}

/** `struct."jsonKey"` of a record read by key, as the table's column: struct fields renamed to lower case by the cast. */
export function duckdbColumn(record: string, f: JsonField): string {
  return `CAST(${record}."${f.jsonKey}" AS ${duckdbType(f.type)}) AS "${f.name}"`;
}

/**
 * The column from JSON text in Trino, at `path` (`$.user`): scalars with json_extract_scalar, objects
 * kept as text with json_format, arrays cast, structs built field by field (a missing object stays NULL).
 */
export function trinoFromJson(text: string, path: string, f: JsonField): string {
  return `CAST(${trinoValue(text, `${path}.${f.jsonKey}`, f.type)} AS ${trinoType(f.type)}) AS "${f.name}"`;
}

function trinoValue(text: string, path: string, type: FieldType): string {
  const at = `'${path}'`;
  if (type === 'json') return `json_format(json_extract(${text}, ${at}))`;
  if (typeof type === 'string') return `json_extract_scalar(${text}, ${at})`;
  if ('array' in type) return `json_extract(${text}, ${at})`;
  const fields = type.struct.map((f) => trinoValue(text, `${path}.${f.jsonKey}`, f.type));
  return `CASE WHEN json_extract(${text}, ${at}) IS NULL THEN NULL ELSE ROW(${fields.join(', ')}) END`;
}
