type Row = Record<string, string | null>;

interface SortKey {
  column: string;
  descending: boolean;
}

/**
 * Puts a hunt's rows in a total order, so the same input always gives byte-identical CSVs: first the
 * hunt's own final ORDER BY (where its keys are output columns), then every column in turn. An engine
 * running in parallel returns rows that tie on the ORDER BY in any order; this breaks the ties.
 */
export function totalOrder(sql: string, columns: string[], rows: Row[]): Row[] {
  const keys = [...orderByKeys(sql, columns), ...columns.map((column) => ({ column, descending: false }))];
  return [...rows].sort((a, b) => {
    for (const { column, descending } of keys) {
      const x = a[column] ?? null;
      const y = b[column] ?? null;
      // Nulls last in either direction, as both engines order them by default.
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      const order = compareValues(x, y);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

/**
 * The keys of the statement's last top-level ORDER BY that name an output column (`event_time`,
 * `c.event_time`, `"timestamp"`, `bytes DESC`). It stops at the first key that is an expression:
 * the keys after it order only within it, so they cannot be applied without it.
 */
export function orderByKeys(sql: string, columns: string[]): SortKey[] {
  const clause = lastTopLevelOrderBy(sql);
  if (clause === null) return [];
  const keys: SortKey[] = [];
  for (const item of splitTopLevel(clause, ',')) {
    const match =
      /^(?:[A-Za-z_][A-Za-z0-9_]*\.)?("?)([A-Za-z_][A-Za-z0-9_]*)\1(?:\s+(ASC|DESC))?(?:\s+NULLS\s+LAST)?$/i.exec(
        item.trim(),
      );
    const column = match?.[2]?.toLowerCase();
    const named = columns.find((c) => c.toLowerCase() === column);
    if (!match || !named) break;
    keys.push({ column: named, descending: match[3]?.toUpperCase() === 'DESC' });
  }
  return keys;
}

function lastTopLevelOrderBy(sql: string): string | null {
  const flat = blankQuotedAndComments(sql);
  let depth = 0;
  let start = -1;
  for (let i = 0; i < flat.length; i++) {
    const ch = flat[i];
    if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (depth === 0 && /^ORDER\s+BY\b/i.test(flat.slice(i, i + 12)) && !/\w/.test(flat[i - 1] ?? ' ')) {
      start = i + (/^ORDER\s+BY/i.exec(flat.slice(i))?.[0].length ?? 0);
    }
  }
  if (start < 0) return null;
  const rest = sql.slice(start);
  const end = /\b(LIMIT|OFFSET|FETCH)\b|;/i.exec(blankQuotedAndComments(rest));
  return end ? rest.slice(0, end.index) : rest;
}

/** Same length as the SQL, with string literals and comments blanked, so their text cannot match. */
function blankQuotedAndComments(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) => ' '.repeat(m.length));
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === separator && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  return [...parts, current];
}

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Numbers as numbers, text by code unit (ISO times sort as text). */
function compareValues(a: string, b: string): number {
  if (a === b) return 0;
  if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : 1;
}
