import { InvalidHuntError } from '../../errors.js';
import { compileCondition } from './sigma-condition.js';
import { fieldExpression } from './sigma-fields.js';
import { allOf, anyOf, comparison, type Predicate } from './sql-predicate.js';

/** One character that both engines accept as a LIKE escape and node-sql-parser reads as text. */
const LIKE_ESCAPE = '!';

const supportedModifiers = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  'cased',
  're',
  'i',
  'm',
  's',
  'exists',
]);
/** Sigma modifiers casefile knows of and refuses, so the error can say "not supported" rather than "unknown". */
const refusedModifiers = new Set([
  'base64',
  'base64offset',
  'wide',
  'utf16',
  'utf16le',
  'utf16be',
  'windash',
  'cidr',
  'expand',
  'fieldref',
  'gt',
  'gte',
  'lt',
  'lte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
]);

/** Constructs DuckDB's RE2 rejects (Trino's Joni accepts them), so a rule would run on one engine only. */
const NON_PORTABLE_REGEX = /\(\?[=!>]|\(\?<[=!]|\\[1-9]|\\k</;

/** The WHERE predicate of a Sigma `detection` block. */
export function compileDetection(detection: unknown): Predicate {
  if (!isMap(detection)) {
    throw new InvalidHuntError("'detection' must be a map of selections and a condition");
  }
  if ('timeframe' in detection) {
    throw new InvalidHuntError("'timeframe' needs event correlation: not supported");
  }
  const selections = new Map<string, Predicate>();
  for (const [name, search] of Object.entries(detection)) {
    if (name === 'condition') continue;
    selections.set(name, compileSelection(name, search));
  }
  const condition = detection.condition;
  const conditions = Array.isArray(condition) ? condition : [condition];
  if (
    conditions.length === 0 ||
    !conditions.every((c): c is string => typeof c === 'string' && c.trim() !== '')
  ) {
    throw new InvalidHuntError("'detection.condition' must be text, or a list of texts");
  }
  // Sigma's (deprecated) list of conditions matches when any of them does.
  return anyOf(conditions.map((c) => compileCondition(c, selections)));
}

function compileSelection(name: string, search: unknown): Predicate {
  try {
    if (isMap(search)) return compileFieldMap(search);
    if (Array.isArray(search) && search.length > 0 && search.every(isMap)) {
      return anyOf(search.map(compileFieldMap));
    }
    if (Array.isArray(search) && search.length > 0 && search.every((v) => !isMap(v) && !Array.isArray(v))) {
      throw new InvalidHuntError('keyword search (values without a field) is not supported');
    }
    if (typeof search === 'string' || typeof search === 'number') {
      throw new InvalidHuntError('keyword search (a value without a field) is not supported');
    }
    throw new InvalidHuntError('a selection must be a map of fields, or a list of such maps');
  } catch (error) {
    if (!(error instanceof InvalidHuntError)) throw error;
    throw new InvalidHuntError(`selection '${name}': ${error.message}`, { cause: error });
  }
}

function compileFieldMap(fields: Record<string, unknown>): Predicate {
  const entries = Object.entries(fields);
  if (entries.length === 0) throw new InvalidHuntError('a map of fields is empty');
  return allOf(entries.map(([key, value]) => compileField(key, value)));
}

interface Modifiers {
  position: 'exact' | 'contains' | 'startswith' | 'endswith';
  all: boolean;
  cased: boolean;
  regex: { flags: string } | null;
  exists: boolean;
}

function compileField(key: string, value: unknown): Predicate {
  const [field = '', ...names] = key.split('|');
  if (field === '') {
    throw new InvalidHuntError(`'${key}': keyword search (a value without a field) is not supported`);
  }
  const modifiers = parseModifiers(key, names);
  const expression = fieldExpression(field);
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw new InvalidHuntError(`'${key}': the list of values is empty`);
  if (modifiers.exists) return existsTest(key, expression, values);
  const comparisons = values.map((v) => valueTest(key, expression, modifiers, v));
  if (modifiers.all) return allOf(comparisons.map(asPredicate));
  return anyOf(groupEqualities(comparisons));
}

function parseModifiers(key: string, names: string[]): Modifiers {
  const modifiers: Modifiers = { position: 'exact', all: false, cased: false, regex: null, exists: false };
  for (const name of names) {
    const modifier = name.toLowerCase();
    if (refusedModifiers.has(modifier)) {
      throw new InvalidHuntError(`'${key}': the modifier '${name}' is not supported`);
    }
    if (!supportedModifiers.has(modifier)) {
      throw new InvalidHuntError(`'${key}': the modifier '${name}' is unknown`);
    }
    switch (modifier) {
      case 'contains':
      case 'startswith':
      case 'endswith':
        if (modifiers.position !== 'exact') {
          throw new InvalidHuntError(`'${key}': contains, startswith and endswith exclude each other`);
        }
        modifiers.position = modifier;
        break;
      case 'all':
        modifiers.all = true;
        break;
      case 'cased':
        modifiers.cased = true;
        break;
      case 'exists':
        modifiers.exists = true;
        break;
      case 're':
        modifiers.regex = { flags: '' };
        break;
      default:
        if (!modifiers.regex)
          throw new InvalidHuntError(`'${key}': the modifier '${name}' needs 're' before it`);
        modifiers.regex.flags += modifier;
    }
  }
  if (modifiers.regex && (modifiers.position !== 'exact' || modifiers.cased)) {
    throw new InvalidHuntError(`'${key}': 're' takes only the modifiers i, m and s ('re|i' ignores case)`);
  }
  if (modifiers.exists && names.length > 1) {
    throw new InvalidHuntError(`'${key}': 'exists' takes no other modifier`);
  }
  return modifiers;
}

function existsTest(key: string, expression: string, values: unknown[]): Predicate {
  const [wanted] = values;
  if (values.length !== 1 || typeof wanted !== 'boolean') {
    throw new InvalidHuntError(`'${key}': 'exists' needs true or false`);
  }
  return comparison(`${expression} ${wanted ? 'IS NOT NULL' : 'IS NULL'}`);
}

/** A plain comparison is kept apart so that several of them on one column can become one IN list. */
interface Equality {
  kind: 'equals';
  target: string;
  value: string;
}
type ValueTest = Equality | Predicate;

function asPredicate(t: ValueTest): Predicate {
  return t.kind === 'equals' ? comparison(`${t.target} = ?`, [t.value]) : t;
}

function groupEqualities(tests: ValueTest[]): Predicate[] {
  const equalities = tests.filter((t): t is Equality => t.kind === 'equals');
  const [first] = equalities;
  if (!first || equalities.length < 2) return tests.map(asPredicate);
  const placeholders = equalities.map(() => '?').join(', ');
  const list = comparison(
    `${first.target} IN (${placeholders})`,
    equalities.map((t) => t.value),
  );
  return [list, ...tests.filter((t) => t.kind !== 'equals')];
}

/**
 * Sigma matches case-insensitively unless `cased`: the column is lowered in SQL and the value in
 * the parameter. Regular expressions are case-sensitive unless `re|i`, as Sigma specifies.
 */
function valueTest(key: string, expression: string, modifiers: Modifiers, value: unknown): ValueTest {
  if (value === null) {
    if (modifiers.position !== 'exact' || modifiers.regex) {
      throw new InvalidHuntError(`'${key}': null cannot take a modifier`);
    }
    return comparison(`${expression} IS NULL`);
  }
  if (typeof value === 'boolean' || typeof value === 'number')
    return valueTest(key, expression, modifiers, String(value));
  if (typeof value !== 'string') {
    throw new InvalidHuntError(`'${key}': values must be text, numbers or booleans`);
  }
  if (modifiers.regex) return regexTest(key, expression, modifiers.regex.flags, value);
  const fold = (text: string) => (modifiers.cased ? text : text.toLowerCase());
  const target = modifiers.cased ? expression : `lower(${expression})`;
  const pattern = likePattern(value, modifiers.position);
  if (pattern.exact !== null) return { kind: 'equals', target, value: fold(pattern.exact) };
  return comparison(`${target} LIKE ? ESCAPE '${LIKE_ESCAPE}'`, [fold(pattern.like)]);
}

function regexTest(key: string, expression: string, flags: string, pattern: string): Predicate {
  if (NON_PORTABLE_REGEX.test(pattern)) {
    throw new InvalidHuntError(
      `'${key}': the regular expression uses lookaround, atomic groups or backreferences, which DuckDB (RE2) cannot run`,
    );
  }
  const inline = [...new Set(flags)].sort().join('');
  return comparison(`regexp_like(${expression}, ?)`, [inline ? `(?${inline})${pattern}` : pattern]);
}

/**
 * Sigma's `*` and `?` are wildcards, `\*`, `\?` and `\\` their literal characters, and any other
 * backslash is itself. Without a wildcard the value is compared exactly.
 */
function likePattern(value: string, position: Modifiers['position']): { exact: string | null; like: string } {
  let like = '';
  let literal = '';
  let wildcard = position !== 'exact';
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    const following = value[i + 1];
    if (char === '\\' && (following === '*' || following === '?' || following === '\\')) {
      like += escapeLike(following);
      literal += following;
      i++;
    } else if (char === '*' || char === '?') {
      like += char === '*' ? '%' : '_';
      wildcard = true;
    } else {
      like += escapeLike(char);
      literal += char;
    }
  }
  if (!wildcard) return { exact: literal, like };
  const leading = position === 'contains' || position === 'endswith' ? '%' : '';
  const trailing = position === 'contains' || position === 'startswith' ? '%' : '';
  return { exact: null, like: `${leading}${like}${trailing}` };
}

function escapeLike(char: string): string {
  return char === '%' || char === '_' || char === LIKE_ESCAPE ? `${LIKE_ESCAPE}${char}` : char;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
