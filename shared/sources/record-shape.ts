/**
 * Whether a parsed JSON record fits the declared DuckDB structure its reader casts it to (the
 * `structure` of from_json / json_transform: `{"key": "VARCHAR", "list": [{...}], ...}`). A value of
 * the wrong kind where an object or list is declared fails the cast of the whole read, so the record
 * is set aside; a scalar that does not parse as its declared number or boolean becomes NULL.
 */
/**
 * `problem`: the record is set aside. Otherwise it is read, with `nulled` values read as NULL,
 * `replacement` as its text when given, and `header` when it is a header line, kept but no record.
 */
export type RecordCheck = { problem: string } | { nulled: string[]; replacement?: string; header?: boolean };

export type DeclaredStructure = string | DeclaredStructure[] | { [key: string]: DeclaredStructure };

export function checkRecordShape(record: unknown, structure: DeclaredStructure): RecordCheck {
  if (!isObject(record)) return { problem: `the record is ${kindOf(record)}, not a JSON object` };
  const nulled: string[] = [];
  const problem = checkValue(record, structure, [], nulled, record, null);
  return problem === null ? { nulled } : { problem };
}

/** The declared fields of each object structure, listed once: every record of a file is checked against them. */
const declaredFields = new WeakMap<object, [string, DeclaredStructure][]>();

function fieldsOf(declared: { [key: string]: DeclaredStructure }): [string, DeclaredStructure][] {
  let fields = declaredFields.get(declared);
  if (!fields) {
    fields = Object.entries(declared);
    declaredFields.set(declared, fields);
  }
  return fields;
}

/** `path` is the way down to `value`, joined into text only when a value is reported. */
function checkValue(
  value: unknown,
  declared: DeclaredStructure,
  path: (string | number)[],
  nulled: string[],
  parent: Record<string, unknown> | unknown[],
  key: string | number | null,
): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(declared)) {
    if (!Array.isArray(value)) return `${label(path)} is ${kindOf(value)}, not a list`;
    const [element] = declared;
    if (element === undefined) return null;
    for (let i = 0; i < value.length; i += 1) {
      path.push(i);
      const problem = checkValue(value[i], element, path, nulled, value, i);
      path.pop();
      if (problem) return problem;
    }
    return null;
  }
  if (typeof declared === 'object') {
    if (!isObject(value)) return `${label(path)} is ${kindOf(value)}, not an object`;
    for (const [field, inner] of fieldsOf(declared)) {
      // Text and JSON take any value: most of a record's fields, skipped without a call.
      if (inner === 'VARCHAR' || inner === 'JSON') continue;
      path.push(field);
      const problem = checkValue(value[field], inner, path, nulled, value, field);
      path.pop();
      if (problem) return problem;
    }
    return null;
  }
  if (declared === 'VARCHAR' || declared === 'JSON') return null;
  if (declared.startsWith('MAP'))
    return isObject(value) ? null : `${label(path)} is ${kindOf(value)}, not an object`;
  if (!scalarParses(value, declared)) {
    nulled.push(pathText(path));
    if (key !== null) (parent as Record<string | number, unknown>)[key] = null;
  }
  return null;
}

function pathText(path: (string | number)[]): string {
  return path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join('');
}

const INTEGER_RANGE: Record<string, bigint> = { INTEGER: 2n ** 31n, BIGINT: 2n ** 63n };

/** Whether `value` reads as the DuckDB scalar type `declared` (VARCHAR, INTEGER, DOUBLE, DATE...). */
export function scalarParses(value: unknown, declared: string): boolean {
  const range = INTEGER_RANGE[declared];
  if (range !== undefined) {
    const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
    if (typeof text !== 'string' || !/^\s*-?\d{1,19}\s*$/.test(text)) return false;
    const number = BigInt(text.trim());
    return number >= -range && number < range;
  }
  if (declared === 'DOUBLE')
    return (
      typeof value === 'number' ||
      (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    );
  if (declared === 'BOOLEAN') return typeof value === 'boolean' || value === 'true' || value === 'false';
  if (declared === 'DATE') return typeof value === 'string' && isCalendarDate(value);
  return true;
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function label(path: (string | number)[]): string {
  return `\`${pathText(path)}\``;
}
