import pkg from 'node-sql-parser';
import {
  isRowPatternColumn,
  LONG_TERM_IDENTITY_TYPES,
  type RowPattern,
  SSO_SESSION_PATTERN,
  samePattern,
} from '../domain/event-classes.js';
import type { HuntDefinition } from '../domain/hunt-definition.js';
import type { LogSourceId } from '../domain/log-sources.js';
import {
  CLOUDTRAIL_ACTIVITY_VIEW,
  CLOUDTRAIL_EVENTS_COLUMNS,
  CLOUDTRAIL_EVENTS_VIEW,
} from '../sources/cloudtrail-view.js';
import { logSourceModule } from '../sources/registry.js';

const { Parser } = pkg;

/**
 * What one scan of a source table reads: the source's columns the whole query names (Athena reads
 * only those column chunks of a Parquet file, https://docs.aws.amazon.com/athena/latest/ug/columnar-storage.html)
 * and the event names its WHERE clause limits it to by `=` or `IN` (null: any event name), which is
 * what lets Athena read only the files of those names' buckets in a table bucketed by `eventname`
 * (https://docs.aws.amazon.com/athena/latest/ug/ctas-partitioning-and-bucketing-what-is-bucketing.html),
 * and whether its WHERE clause keeps only flagged rows (FLAGGED_CONDITION in shared/domain/event-classes.ts:
 * an error code, or an IAM user's, the root user's or an Identity Center user's identity), which lets a
 * hunt read the copy's flagged class alone. Its WHERE clause may instead limit it to rows that match a
 * `LIKE` or `regexp_like` pattern on one of the source's stored columns (`patterns`): those rows are
 * written to the named classes too, so the scan still reads only those, though in every bucket file.
 */
export interface SourceScan {
  source: LogSourceId;
  columns: string[];
  /** With `patterns`, the only rows the scan reads are those of these names or matching a pattern; null: any row. */
  eventNames: string[] | null;
  /** Empty where `eventNames` is null. */
  patterns: RowPattern[];
  requiresFlagged: boolean;
  /**
   * A scan of `cloudtrail_activity` (shared/sources/cloudtrail-view.ts): it reads every event whatever
   * route its hunt takes, so it never limits the route, and it holds no record ids.
   */
  baseline: boolean;
}

/**
 * The derived columns of the `cloudtrail_events` view (shared/sources/cloudtrail-view.ts): the one-pass
 * copy stores each, computed as it is written (shared/aws/athena-one-pass-sql.ts), so a hunt naming
 * `actor` reads that column of the copy, not the `useridentity` struct, and `outcome` not the request
 * and response JSON. Which columns a scan reads matters only on the copy: the logs as delivered are
 * read whole.
 */
const STORED_JUDGEMENTS: Partial<Record<LogSourceId, string[]>> = {
  cloudtrail: CLOUDTRAIL_EVENTS_COLUMNS.map((c) => c.name),
};
const VIEW_SOURCE: Record<string, LogSourceId> = {
  [CLOUDTRAIL_EVENTS_VIEW]: 'cloudtrail',
  [CLOUDTRAIL_ACTIVITY_VIEW]: 'cloudtrail',
};

type Node = Record<string, unknown>;

/**
 * Every scan of a source table the hunt's SQL makes. A common table expression is not kept between
 * its uses (Trino inlines it), so each reference to one that reads a source is a scan of its own.
 */
export function huntScans(hunt: Pick<HuntDefinition, 'sql' | 'sources'>): SourceScan[] {
  const ast = new Parser().astify(hunt.sql, { database: 'trino' });
  lowercaseTableNames(ast);
  const tableOf = (name: string): LogSourceId | null =>
    VIEW_SOURCE[name] ?? (hunt.sources.find((s) => s === name) as LogSourceId | undefined) ?? null;
  const cteNames = new Set<string>();
  const cteOutputs = new Map<string, Set<string> | null>();
  const references = new Map<string, number>();
  visit(ast, (node) => {
    if (Array.isArray(node.with)) {
      for (const cte of node.with as Node[]) {
        // A CTE named like a table hides it only within its own WITH (its body, an outer query, still
        // read the table), while every use of the name below would be taken as the CTE's.
        if (tableOf(cteName(cte)))
          throw new Error(`the hunt names a CTE '${cteName(cte)}', like one of the tables it may read`);
        cteNames.add(cteName(cte));
        cteOutputs.set(cteName(cte), outputNames((cte.stmt as Node).ast as Node | undefined));
      }
    }
    if (Array.isArray(node.from)) {
      for (const from of node.from as Node[]) {
        if (typeof from.table === 'string') references.set(from.table, (references.get(from.table) ?? 0) + 1);
      }
    }
  });
  const scans: SourceScan[] = [];
  const collect = (select: Node, times: number) => {
    for (const from of (select.from as Node[] | undefined) ?? []) {
      const source = typeof from.table === 'string' && !cteNames.has(from.table) ? tableOf(from.table) : null;
      // A table that is neither a CTE nor a source of the hunt is read some way this parser does not
      // follow: no scan list is then complete, and a partial one would route the hunt to too few rows.
      if (typeof from.table === 'string' && !cteNames.has(from.table) && !source)
        throw new Error(`the hunt reads '${from.table}', which is neither one of its sources nor a CTE`);
      if (!source) continue;
      // A star over a view reads the judgements it adds too.
      const judgements = from.table === source ? [] : (STORED_JUDGEMENTS[source] ?? []);
      const columns = selectsEveryColumn(select)
        ? [...logSourceModule(source).columns, ...judgements]
        : sourceColumns(source, columnRefsIn(select));
      const { limit, requiresFlagged } = conditionsOf(select, from, cteOutputs, source);
      const baseline = from.table === CLOUDTRAIL_ACTIVITY_VIEW;
      for (let i = 0; i < times; i++) scans.push({ source, columns, ...limit, requiresFlagged, baseline });
    }
  };
  visit(ast, (node) => {
    if (!Array.isArray(node.with)) return;
    for (const cte of node.with as Node[]) {
      const name = cteName(cte);
      const body = (cte.stmt as Node).ast as Node | undefined;
      const froms = ((body?.from as Node[] | undefined) ?? []).filter((f) => typeof f.table === 'string');
      const source = froms.length === 1 && !body?._next ? tableOf(String(froms[0]?.table)) : null;
      if (
        body?.type !== 'select' ||
        !source ||
        cteNames.has(String(froms[0]?.table)) ||
        selectsEveryColumn(body)
      ) {
        const uses = Math.max(1, references.get(name) ?? 0);
        forEachSelect(cte.stmt, (select) => collect(select, uses));
        continue;
      }
      scans.push(...referenceScans(ast, name, body, source, froms[0] as Node, cteOutputs));
    }
  });
  forEachSelect(ast, (select) => collect(select, 1), true);
  return scans;
}

/**
 * The scans of a CTE that reads one source directly, one per reference: Trino inlines the CTE and
 * prunes, per reference, the outputs that reference does not use, so a reference that counts rows
 * reads only the CTE's filter columns. A reference through a star uses every output.
 */
function referenceScans(
  ast: unknown,
  name: string,
  body: Node,
  source: LogSourceId,
  from: Node,
  cteOutputs: Map<string, Set<string> | null>,
): SourceScan[] {
  const outputs = new Map<string, Set<string>>();
  for (const item of (body.columns as Node[] | undefined) ?? []) {
    const expr = item.expr as Node;
    const output = typeof item.as === 'string' ? item.as : columnName(expr);
    if (output) outputs.set(output.toLowerCase(), columnRefsIn(expr));
  }
  const filters = columnRefsIn({ ...body, columns: [] });
  const { limit, requiresFlagged } = conditionsOf(body, from, cteOutputs, source);
  const scans: SourceScan[] = [];
  forEachSelect(ast, (select) => {
    const uses = ((select.from as Node[] | undefined) ?? []).filter((f) => f.table === name).length;
    if (uses === 0) return;
    const used = new Set(filters);
    const mentioned = columnRefsIn(select);
    for (const [output, refs] of outputs) {
      if (referencesEveryOutput(select) || mentioned.has(output)) for (const ref of refs) used.add(ref);
    }
    const columns = sourceColumns(source, used);
    const baseline = from.table === CLOUDTRAIL_ACTIVITY_VIEW;
    for (let i = 0; i < uses; i++) scans.push({ source, columns, ...limit, requiresFlagged, baseline });
  });
  return scans;
}

/** `SELECT *` or `SELECT c.*` over a CTE. */
function referencesEveryOutput(select: Node): boolean {
  const columns = select.columns;
  if (columns === '*') return true;
  return (
    Array.isArray(columns) &&
    (columns as Node[]).some((c) => {
      const expr = c.expr as Node | undefined;
      return expr?.type === 'column_ref' && columnName(expr) === '*';
    })
  );
}

/**
 * Identifiers are case-insensitive in Trino and DuckDB, quoted or not: table names, aliases and the
 * names that qualify columns are lowercased once, here, as CTE names are, before anything compares them.
 */
function lowercaseTableNames(ast: unknown): void {
  visit(ast, (node) => {
    if (typeof node.table === 'string') node.table = node.table.toLowerCase();
    if (Array.isArray(node.from)) {
      for (const item of node.from as Node[])
        if (typeof item.as === 'string') item.as = item.as.toLowerCase();
    }
  });
}

function cteName(cte: Node): string {
  const name = cte.name as { value?: string } | string;
  return String(typeof name === 'string' ? name : name.value).toLowerCase();
}

/** `SELECT *` straight from a source reads all of it; a star over a CTE's own columns does not. */
function selectsEveryColumn(select: Node): boolean {
  const columns = select.columns;
  if (columns === '*') return true;
  if (!Array.isArray(columns)) return false;
  return (columns as Node[]).some((c) => {
    const expr = c.expr as Node | undefined;
    return expr?.type === 'column_ref' && columnName(expr) === '*' && expr.table === null;
  });
}

/**
 * Column names (and struct names before a dot) a scan's SELECT mentions, subqueries included: every
 * source column the scan reads is named inside it, since what reads its result sees only its output.
 * Stars are left to `selectsEveryColumn`.
 */
function columnRefsIn(select: Node): Set<string> {
  const names = new Set<string>();
  visit(select, (node) => {
    // Trino reads a double-quoted name as an identifier; the parser, outside a select list, as a string.
    if (node.type === 'double_quote_string' && typeof node.value === 'string')
      names.add(node.value.toLowerCase());
    if (node.type !== 'column_ref') return;
    const name = columnName(node);
    if (name && name !== '*') names.add(name);
    if (typeof node.table === 'string') names.add(node.table);
    const path = pathRoot((node.column as { expr?: unknown } | undefined)?.expr);
    if (path) names.add(path);
  });
  return names;
}

/** `a.b.c.d` parses as a tree of `.` operators: its leftmost name is the stored column. */
function pathRoot(expr: unknown): string | null {
  let node = expr as Node | string | undefined;
  while (typeof node === 'object' && node !== null && node.type === 'binary_expr' && node.operator === '.') {
    node = node.left as Node | string;
  }
  if (typeof node === 'string') return node.toLowerCase();
  if (node && node !== expr && typeof node.value === 'string') return node.value.toLowerCase();
  return null;
}

function sourceColumns(source: LogSourceId, named: Set<string>): string[] {
  const stored = [...logSourceModule(source).columns, ...(STORED_JUDGEMENTS[source] ?? [])];
  return stored.filter((c) => named.has(c));
}

/**
 * How one FROM item's columns are told among a scan's column references: its `eventname` (named
 * through its alias or table name, or unqualified where no other FROM item of the select can have
 * such a column: an UNNEST with its columns named, a CTE or subquery whose outputs are all named;
 * otherwise an unqualified name could be another item's column, and it limits no scan), and the path
 * of a stored column or struct field of the source (`useragent`, `useridentity.sessioncontext.sessionissuer.arn`)
 * by the same rule, or null.
 */
interface LimitColumns {
  isEventName: (node: Node) => boolean;
  pathOf: (node: Node) => string | null;
}

function limitColumnsOf(
  select: Node,
  from: Node,
  cteOutputs: Map<string, Set<string> | null>,
  source: LogSourceId,
): LimitColumns {
  const isColumn = columnOfItem(select, from, cteOutputs);
  const path = columnPathOf(select, from, cteOutputs);
  const stored = logSourceModule(source).columns;
  return {
    isEventName: (node) => isColumn(node, 'eventname'),
    pathOf: (node) => {
      const found = path(node);
      // A path the copy's class test cannot write (`useridentity._x`) would fail the case's routing.
      return found && stored.includes(found.split('.')[0] ?? '') && isRowPatternColumn(found) ? found : null;
    },
  };
}

/** What one scan's WHERE clause limits it to (rowsOf), and whether it requires a flagged row (flaggedOnly). */
function conditionsOf(
  select: Node,
  from: Node,
  cteOutputs: Map<string, Set<string> | null>,
  source: LogSourceId,
): { limit: RowLimit; requiresFlagged: boolean } {
  const where = select.where as Node | null;
  const columns = limitColumnsOf(select, from, cteOutputs, source);
  return {
    limit: rowsOf(where, columns),
    requiresFlagged: flaggedOnly(where, flagColumnsOf(select, from, cteOutputs, columns.pathOf)),
  };
}

/**
 * The dotted path a column reference names in one FROM item, whichever way the parser reads it
 * (`col`, `alias.col`, `struct.field` read as a table and a column, `a.b.c.d` as a tree of `.`), or
 * null where it may belong to another item.
 */
function columnPathOf(
  select: Node,
  from: Node,
  cteOutputs: Map<string, Set<string> | null>,
): (node: Node) => string | null {
  const names = itemNames(from);
  const items = (select.from as Node[] | undefined) ?? [];
  const others = items.filter((item) => item !== from);
  const ownsUnqualified = (root: string) =>
    items.every((item) => !itemNames(item).has(root)) &&
    others.every((item) => outputsOf(item, cteOutputs)?.has(root) === false);
  return (node) => {
    // A subscript (`attributes['aud']`, a map's value) reads a value inside the column, not the column.
    if (node.type !== 'column_ref' || node.schema || isSubscripted(node)) return null;
    const column = node.column as { expr?: Node } | string | undefined;
    const expr = typeof column === 'string' ? column : column?.expr;
    const segments = typeof expr === 'string' ? [expr] : flattenPath(expr);
    if (!segments) return null;
    const path = segments.map((segment) => segment.toLowerCase());
    if (typeof node.table === 'string') {
      if (names.has(node.table)) return path.join('.');
      path.unshift(node.table);
    } else if (path.length > 1 && names.has(path[0] ?? '')) return path.slice(1).join('.');
    return ownsUnqualified(path[0] ?? '') ? path.join('.') : null;
  };
}

function isSubscripted(node: Node): boolean {
  return Array.isArray(node.array_index) && node.array_index.length > 0;
}

/** The names of a `.` tree (`a.b.c`), left to right, or of one plain name. */
function flattenPath(node: Node | string | undefined): string[] | null {
  if (typeof node === 'string') return [node];
  if (node?.type === 'default' && typeof node.value === 'string') return [node.value];
  if (node?.type !== 'binary_expr' || node.operator !== '.') return null;
  const left = flattenPath(node.left as Node | string);
  const right = flattenPath(node.right as Node | string);
  return left && right ? [...left, ...right] : null;
}

/** `column` of one FROM item, by the same rule as its `eventname` (see limitColumnsOf). */
function columnOfItem(
  select: Node,
  from: Node,
  cteOutputs: Map<string, Set<string> | null>,
): (node: Node, column: string) => boolean {
  const names = itemNames(from);
  const others = ((select.from as Node[] | undefined) ?? []).filter((item) => item !== from);
  return (node, column) => {
    if (columnName(node) !== column || node.schema || isSubscripted(node)) return false;
    if (typeof node.table === 'string') return names.has(node.table);
    return others.every((item) => outputsOf(item, cteOutputs)?.has(column) === false);
  };
}

/**
 * The name a FROM item is referred to by: its alias when it has one (an UNNEST's without its column
 * list), which hides the table's own name (`cloudtrail.eventname` beside `FROM cloudtrail b` is an outer
 * query's column), else its table.
 */
function itemNames(item: Node): Set<string> {
  return new Set(
    [typeof item.as === 'string' ? item.as : item.table]
      .filter((n): n is string => typeof n === 'string')
      .map((n) => n.replace(/\(.*$/s, '').trim().replace(/^"|"$/g, '').toLowerCase()),
  );
}

/** How a scan's `errorcode`, `useridentity.type` and other column paths are told among the column references of its select. */
interface FlagColumns {
  errorCode: (node: Node) => boolean;
  identityType: (node: Node) => boolean;
  pathOf: (node: Node) => string | null;
}

/**
 * `errorcode` as limitColumnsOf tells `eventname`; `useridentity.type` written `useridentity.type` (the
 * parser reads `useridentity` as a table there) where no FROM item is called `useridentity` and no
 * other item can have a `useridentity` column, or `<item>.useridentity.type` through this item's name.
 */
function flagColumnsOf(
  select: Node,
  from: Node,
  cteOutputs: Map<string, Set<string> | null>,
  pathOf: (node: Node) => string | null,
): FlagColumns {
  const isColumn = columnOfItem(select, from, cteOutputs);
  const names = itemNames(from);
  const items = (select.from as Node[] | undefined) ?? [];
  const structUnqualified =
    items.every((item) => !itemNames(item).has('useridentity')) &&
    items
      .filter((item) => item !== from)
      .every((item) => outputsOf(item, cteOutputs)?.has('useridentity') === false);
  return {
    errorCode: (node) => isColumn(node, 'errorcode'),
    pathOf,
    identityType: (node) => {
      if (node.type !== 'column_ref' || node.table !== 'useridentity') return false;
      const column = node.column as { expr?: { value?: unknown }; value?: unknown } | string;
      const field = typeof column === 'string' ? column : (column?.expr?.value ?? column?.value);
      if (typeof field !== 'string' || field.toLowerCase() !== 'type') return false;
      return typeof node.schema === 'string' ? names.has(node.schema.toLowerCase()) : structUnqualified;
    },
  };
}

/**
 * Whether a condition keeps only flagged rows of one scan: AND needs one side to, OR both. A leaf
 * does when it is `errorcode IS NOT NULL`, `errorcode` `=`, `IN` or `LIKE` non-empty string
 * literals (each is false on a null code), `useridentity.type` `=` or `IN` long-term identity
 * types only, or the Identity Center session pattern (SSO_SESSION_PATTERN) as the flag writes it. Anything else (NOT, CASE, a function, a parameter, `outcome = 'failure'`, which a
 * failed console sign-in meets without an error code) keeps any row: the answer may only ever be
 * too wide, since a hunt routed to the flagged class on a wrong answer would lose rows.
 */
function flaggedOnly(node: Node | null | undefined, columns: FlagColumns): boolean {
  if (node?.type !== 'binary_expr') return false;
  const operator = String(node.operator).toUpperCase();
  const left = node.left as Node;
  const right = node.right as Node;
  if (operator === 'AND') return flaggedOnly(left, columns) || flaggedOnly(right, columns);
  if (operator === 'OR') return flaggedOnly(left, columns) && flaggedOnly(right, columns);
  const pattern = patternOf(node, columns.pathOf);
  if (pattern && samePattern(pattern, SSO_SESSION_PATTERN)) return true;
  if (operator === 'IS NOT' || operator === 'ISNOT')
    return columns.errorCode(left) && (right as Node | undefined)?.type === 'null';
  const values = operator === '=' || operator === 'IN' || operator === 'LIKE' ? strings(right) : [];
  if (values.length === 0) return false;
  if (columns.errorCode(left)) return values.every((value) => value.length > 0);
  if (operator === 'LIKE' || !columns.identityType(left)) return false;
  return values.every((value) => (LONG_TERM_IDENTITY_TYPES as readonly string[]).includes(value));
}

/** The column names a FROM item gives, or null where they cannot be told (a table, a star). */
function outputsOf(item: Node, cteOutputs: Map<string, Set<string> | null>): Set<string> | null {
  if (typeof item.table === 'string') return cteOutputs.get(item.table) ?? null;
  const expr = item.expr as Node | undefined;
  if (expr?.ast) return outputNames(expr.ast as Node);
  const unnest = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(([^)]*)\)\s*$/.exec(
    typeof item.as === 'string' ? item.as : '',
  );
  if (expr?.type === 'function' && unnest?.[1])
    return new Set(unnest[1].split(',').map((name) => name.trim().replace(/^"|"$/g, '').toLowerCase()));
  return null;
}

/** The output names of a SELECT whose every output is named; null with a star or anything else. */
function outputNames(select: Node | undefined): Set<string> | null {
  if (select?.type !== 'select' || select._next || !Array.isArray(select.columns)) return null;
  const names = new Set<string>();
  for (const item of select.columns as Node[]) {
    const name = typeof item.as === 'string' ? item.as : columnName(item.expr as Node);
    if (name === '*' || (name === null && (item.expr as Node)?.type === 'column_ref')) return null;
    if (name) names.add(name.toLowerCase());
  }
  return names;
}

/** The rows a condition limits one scan to: those of some event names or matching some patterns. */
type RowLimit = Pick<SourceScan, 'eventNames' | 'patterns'>;

/**
 * The event names and patterns a condition limits one scan's rows to: AND keeps one side (both sides'
 * common names where neither has a pattern), OR needs both sides limited. A leaf limits by `=` or `IN`
 * on the event name, or by a pattern (patternOf). Anything else (NOT, <>, CASE, a function of the
 * name, a subquery, a bound parameter, another FROM item's name) limits nothing: the answer may only
 * ever be too wide, since a hunt routed to the named classes on a too-narrow limit would lose rows.
 */
function rowsOf(node: Node | null | undefined, columns: LimitColumns): RowLimit {
  return limitOf(node, columns) ?? { eventNames: null, patterns: [] };
}

function limitOf(node: Node | null | undefined, columns: LimitColumns): RowLimit | null {
  if (!node) return null;
  const pattern = patternOf(node, columns.pathOf);
  if (pattern) return { eventNames: [], patterns: [pattern] };
  if (node.type !== 'binary_expr') return null;
  const operator = String(node.operator).toUpperCase();
  if (operator === 'AND') {
    const left = limitOf(node.left as Node, columns);
    const right = limitOf(node.right as Node, columns);
    if (!left || !right) return left ?? right;
    if (left.patterns.length > 0) return right.patterns.length > 0 ? left : right;
    if (right.patterns.length > 0) return left;
    return { eventNames: (left.eventNames ?? []).filter((n) => right.eventNames?.includes(n)), patterns: [] };
  }
  if (operator === 'OR') {
    const left = limitOf(node.left as Node, columns);
    const right = limitOf(node.right as Node, columns);
    if (!left || !right) return null;
    const patterns = [...left.patterns];
    for (const p of right.patterns) if (!patterns.some((q) => samePattern(p, q))) patterns.push(p);
    return { eventNames: [...new Set([...(left.eventNames ?? []), ...(right.eventNames ?? [])])], patterns };
  }
  if ((operator === '=' || operator === 'IN') && columns.isEventName(node.left as Node)) {
    const values = strings(node.right as Node);
    return values.length > 0 ? { eventNames: values, patterns: [] } : null;
  }
  return null;
}

/**
 * `<column> LIKE '<pattern>'` or `regexp_like(<column>, '<pattern>')` on a stored column or struct
 * field of this scan, the column bare or as `coalesce(<column>, '')`, which keeps no row a NULL would
 * not (the copy's class test reads it that way too, shared/domain/event-classes.ts). A pattern holding
 * a quote or a backslash, or with an ESCAPE character, is not taken (see strings).
 */
function patternOf(node: Node, pathOf: (node: Node) => string | null): RowPattern | null {
  let target: Node | undefined;
  let literal: Node | undefined;
  let operator: RowPattern['operator'];
  if (node.type === 'binary_expr' && String(node.operator).toUpperCase() === 'LIKE') {
    [target, literal, operator] = [node.left as Node, node.right as Node, 'LIKE'];
  } else if (node.type === 'function' && functionName(node) === 'regexp_like') {
    const args = argumentsOf(node);
    if (args.length !== 2) return null;
    [target, literal, operator] = [args[0], args[1], 'regexp_like'];
  } else return null;
  if (literal?.type !== 'single_quote_string' && literal?.type !== 'string') return null;
  // The parser hangs `ESCAPE` on the pattern's literal: the copy's class test has no escape, and the
  // same text without it matches other rows (`'%!_%' ESCAPE '!'` is any `_`, without it a `!`).
  if (literal.escape) return null;
  const [pattern] = strings(literal);
  if (pattern === undefined || !target) return null;
  if (operator === 'regexp_like' && !portableRegex(pattern)) return null;
  if (target.type === 'function' && functionName(target) === 'coalesce') {
    const args = argumentsOf(target);
    const fallback = args[1];
    if (args.length !== 2 || (fallback?.type !== 'single_quote_string' && fallback?.type !== 'string'))
      return null;
    if (fallback.value !== '') return null;
    target = args[0];
  }
  const column = target ? pathOf(target) : null;
  return column ? { column, operator, pattern } : null;
}

/**
 * A routed pattern is written into the copy's one statement, so a regular expression Trino rejects
 * there (a named group, a lookbehind, a flag other than `(?i)`) would cost the case its whole copy, not
 * just its own hunt: only the plain syntax both engines read alike (letters, digits, `^ $ | ( ) [ ] - .
 * * + ? { } , _ : / @ = !` and space, `(?i)` first) limits a scan; anything else reads every event.
 */
function portableRegex(pattern: string): boolean {
  const body = pattern.startsWith('(?i)') ? pattern.slice(4) : pattern;
  return /^[A-Za-z0-9^$|()[\]\-.*+?{},_:/@=! ]*$/.test(body) && !body.includes('(?');
}

function functionName(node: Node): string | null {
  const name = (node.name as { name?: { value?: unknown }[] } | undefined)?.name;
  const value = Array.isArray(name) && name.length === 1 ? name[0]?.value : null;
  return typeof value === 'string' ? value.toLowerCase() : null;
}

function argumentsOf(node: Node): Node[] {
  const args = node.args as { type?: string; value?: unknown } | undefined;
  return args?.type === 'expr_list' && Array.isArray(args.value) ? (args.value as Node[]) : [];
}

function forEachSelect(node: unknown, act: (select: Node) => void, skipWith = false): void {
  if (Array.isArray(node)) {
    for (const item of node) forEachSelect(item, act, skipWith);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Node;
  if (record.type === 'select') act(record);
  for (const [key, value] of Object.entries(record)) {
    if (key === 'with' && skipWith) continue;
    forEachSelect(value, act, skipWith);
  }
}

function visit(node: unknown, act: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, act);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  act(node as Node);
  for (const value of Object.values(node as Node)) visit(value, act);
}

function columnName(node: Node | undefined): string | null {
  if (node?.type !== 'column_ref') return null;
  const column = node.column as { expr?: { value?: unknown } } | string;
  const name = typeof column === 'string' ? column : column?.expr?.value;
  return typeof name === 'string' ? name.toLowerCase() : null;
}

/**
 * The plain string literals of `= 'x'` or `IN ('x', ...)`. The parser keeps a literal's text as
 * written, so one holding a quote or a backslash is not taken as a name: event names hold neither.
 */
function strings(node: Node | undefined): string[] {
  if (!node) return [];
  if (node.type === 'single_quote_string' || node.type === 'string') {
    const value = String(node.value);
    return /['\\]/.test(value) ? [] : [value];
  }
  if (node.type === 'expr_list' && Array.isArray(node.value)) {
    const values = (node.value as Node[]).map(strings);
    return values.every((v) => v.length === 1) ? values.flat() : [];
  }
  return [];
}
