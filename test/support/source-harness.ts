/**
 * What the tests of every log source do: read a fixture folder the way a local case reads it, run a
 * module's SQL on DuckDB, and compare the columns and rows of its Athena DDL with DuckDB's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pkg from 'node-sql-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCaseContext } from '../../shared/domain/case.js';
import type { Inventory } from '../../shared/domain/inventory.js';
import { DuckDbQueryEngine } from '../../shared/local/adapters/duckdb-query-engine.js';
import { DuckDbTableBuilder } from '../../shared/local/adapters/duckdb-table-builder.js';
import { FolderInventory } from '../../shared/local/adapters/folder-inventory.js';
import type { TablesResult } from '../../shared/ports/table-builder.js';
import type { LogSourceModule } from '../../shared/sources/log-source-module.js';
import { athenaType, type SourceColumn } from '../../shared/sources/source-columns.js';
import { ATHENA_STATEMENT_SEPARATOR } from '../../shared/sources/source-sql.js';

const { Parser } = pkg;

export interface Column {
  name: string;
  type: string;
}

function openEngine(): Promise<DuckDbQueryEngine> {
  return DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
}

/** The rows of one query on an engine of its own. */
export async function duckdbRows(sql: string): Promise<Record<string, string | null>[]> {
  const engine = await openEngine();
  try {
    return (await engine.run(sql)).rows;
  } finally {
    engine.close();
  }
}

export interface Scratch {
  engine: DuckDbQueryEngine;
  /** An empty folder for files a test writes. */
  dir: string;
}

/** An engine and a scratch folder shared by the tests of the enclosing `describe`. */
export function useScratch(): Scratch {
  const scratch = {} as Scratch;
  beforeAll(async () => {
    scratch.engine = await openEngine();
    scratch.dir = await mkdtemp(join(tmpdir(), 'casefile-source-'));
  });
  afterAll(async () => {
    scratch.engine.close();
    await rm(scratch.dir, { recursive: true, force: true });
  });
  return scratch;
}

export interface BuiltFolder {
  /** The folder read. */
  root: string;
  engine: DuckDbQueryEngine;
  inventory: Inventory;
  tables: TablesResult;
  close(): Promise<void>;
}

/** A folder of log files read the way a local case reads it: inventory by content, then tables. */
async function buildFolder(root: string, window: { from?: string; to?: string } = {}): Promise<BuiltFolder> {
  const engine = await openEngine();
  const work = await mkdtemp(join(tmpdir(), 'casefile-source-tables-'));
  const context = openCaseContext(window, 'duckdb', new Date('2024-06-01T00:00:00Z'));
  const inventory = await new FolderInventory(root).discover(context);
  const tables = await new DuckDbTableBuilder(engine, work).build(context, inventory);
  return {
    root,
    engine,
    inventory,
    tables,
    async close() {
      engine.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** `buildFolder` once for the tests of the enclosing `describe`. */
export function useBuiltFolder(root: string): BuiltFolder {
  const built = {} as BuiltFolder;
  beforeAll(async () => {
    Object.assign(built, await buildFolder(root));
  });
  afterAll(() => built.close());
  return built;
}

/** `buildFolder` for one test: the tables are closed however the test ends. */
export async function withBuiltFolder<T>(
  root: string,
  use: (built: BuiltFolder) => Promise<T>,
  window: { from?: string; to?: string } = {},
): Promise<T> {
  const built = await buildFolder(root, window);
  try {
    return await use(built);
  } finally {
    await built.close();
  }
}

/** Each table built, as its source and record count. */
export function recordCounts(built: BuiltFolder): [string, number | undefined][] {
  return built.tables.tables.map((t) => [t.source, t.recordCount]);
}

/** Every input skipped by the inventory or the tables, by its path below the folder, in path order. */
export function skippedFiles(built: BuiltFolder): { file: string; stage: string; reason: string }[] {
  return [...built.inventory.skipped, ...built.tables.skipped]
    .map((s) => ({ file: relative(built.root, s.input), stage: s.stage, reason: s.reason }))
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** Where each input ended up skipped, by file name, with the stage and reason. */
export function skippedByName(built: BuiltFolder): Record<string, string> {
  return Object.fromEntries(
    skippedFiles(built).map((s) => [s.file.split('/').at(-1), `${s.stage}: ${s.reason}`]),
  );
}

/** Every record set aside, as `<file name> <position>` and the reason, in file and position order. */
export function quarantinedByName(built: BuiltFolder): Record<string, string> {
  return Object.fromEntries(
    (built.tables.quarantined ?? []).map((q) => [`${q.file.split('/').at(-1)} ${q.position}`, q.reason]),
  );
}

/** One test per head the source's detector must refuse; `title` names each case with `%s`. */
export function itRefuses(
  source: Pick<LogSourceModule, 'detect'>,
  title: string,
  heads: [name: string, head: string][],
): void {
  it.each(heads)(title, (_name, head) => {
    expect(source.detect(head)).toBeNull();
  });
}

export async function duckdbColumns(engine: DuckDbQueryEngine, table: string): Promise<Column[]> {
  const { rows } = await engine.run(`DESCRIBE ${table}`);
  return rows.map((row) => ({ name: row.column_name ?? '', type: canonicalType(row.column_type ?? '') }));
}

/** The columns of a DuckDB table created from `select` on an engine of its own, as `duckdbColumns` gives them. */
export async function duckdbSelectColumns(select: string): Promise<Column[]> {
  const engine = await openEngine();
  try {
    await engine.execute(`CREATE TABLE source_table AS ${select}`);
    return await duckdbColumns(engine, 'source_table');
  } finally {
    engine.close();
  }
}

/** A module's declared columns, as `duckdbColumns` and `athenaColumns` spell them. */
export function declaredColumns(columns: SourceColumn[]): Column[] {
  return columns.map((c) => ({ name: c.name, type: canonicalType(athenaType(c.type)) }));
}

/**
 * The columns hunts see in Athena, read from a source module's DDL (either form of
 * `LogSourceModule.athenaCreateTable`): the external table's, or the view's where there is one.
 * Types come back in one canonical spelling, so Hive, Trino and DuckDB types compare as text.
 */
export function athenaColumns(ddl: string): Column[] {
  const statements = athenaStatements(ddl);
  const table = externalTableColumns(statements.find((s) => s.startsWith('CREATE EXTERNAL TABLE')) ?? '');
  const view = statements.find((s) => s.startsWith('CREATE OR REPLACE VIEW'));
  return view === undefined ? table : viewColumns(view, new Map(table.map((c) => [c.name, c.type])));
}

/** The data columns of a `CREATE EXTERNAL TABLE`, one a line. */
function externalTableColumns(ddl: string): Column[] {
  const body = ddl.slice(ddl.indexOf('(\n') + 2, ddl.indexOf('\n)'));
  return body.split(',\n').map((line) => {
    const match = /^ {2}`(\w+)` (.+)$/.exec(line);
    return match
      ? { name: match[1] as string, type: canonicalType(match[2] as string) }
      : { name: `unparsed: ${line}`, type: '' };
  });
}

/**
 * A view's select list, one column a line: either `"name"` (typed by the external table it reads)
 * or `CAST(... AS type) AS "name"`, or `try(CAST(... AS type)) AS "name"`.
 */
function viewColumns(view: string, tableTypes: Map<string, string>): Column[] {
  const selectList = view.slice(view.indexOf('\nSELECT\n') + 8, view.indexOf('\nFROM '));
  return selectList.split(',\n').map((line) => {
    const plain = /^ {2}"(\w+)"$/.exec(line);
    if (plain) {
      const name = plain[1] as string;
      return { name, type: tableTypes.get(name) ?? `unknown column ${name}` };
    }
    const name = /AS "(\w+)"$/.exec(line)?.[1] ?? `unparsed: ${line}`;
    const expression = line.trim();
    // A lenient column, try(CAST(...)), has the type of the cast it wraps.
    return {
      name,
      type: canonicalType(outerCastType(expression.startsWith('try(') ? expression.slice(4) : expression)),
    };
  });
}

/** `CAST(<expr> AS <type>) AS "name"`: the type of the outermost cast, found by counting brackets. */
function outerCastType(expression: string): string {
  if (!expression.startsWith('CAST(')) return `not a cast: ${expression}`;
  let depth = 0;
  let lastTopLevelAs = -1;
  for (let i = 4; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'") i = expression.indexOf("'", i + 1);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return expression.slice(lastTopLevelAs + 4, i);
    else if (depth === 1 && expression.startsWith(' AS ', i)) lastTopLevelAs = i;
  }
  return `unbalanced: ${expression}`;
}

/**
 * One spelling for `struct<a:string>` (Hive), `ROW(a varchar)` (Trino) and `STRUCT(a VARCHAR)`
 * (DuckDB): lower case, `struct(a varchar)`, `varchar[]`; JSON is text in Athena, so `varchar`.
 */
function canonicalType(type: string): string {
  const text = type.trim().replaceAll('"', '');
  const lower = text.toLowerCase();
  if (lower.endsWith('[]')) return `${canonicalType(text.slice(0, -2))}[]`;
  const nested = /^(array|struct|row)\s*[<(](.*)[>)]$/is.exec(text);
  if (nested) {
    const [, kind, body] = nested as unknown as [string, string, string];
    if (kind.toLowerCase() === 'array') return `${canonicalType(body)}[]`;
    const fields = splitTopLevel(body).map((f) => {
      const match = /^\s*(\w+)\s*(?::|\s)\s*(.+)$/s.exec(f);
      return match ? `${(match[1] as string).toLowerCase()} ${canonicalType(match[2] as string)}` : `? ${f}`;
    });
    return `struct(${fields.join(', ')})`;
  }
  const scalars: Record<string, string> = { string: 'varchar', json: 'varchar', int: 'integer' };
  return scalars[lower] ?? lower;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '(' || c === '<') depth++;
    else if (c === ')' || c === '>') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** The statements of a module's DDL, in the order they run. */
export function athenaStatements(ddl: string): string[] {
  return ddl.split(ATHENA_STATEMENT_SEPARATOR);
}

/** Parses the query of a `CREATE OR REPLACE VIEW` as Trino SQL; throws where the parser cannot. */
export function parseViewQuery(view: string): void {
  const query = withoutRowTypes(view.replace(/^CREATE OR REPLACE VIEW .* AS\n/, ''));
  new Parser().astify(query, { database: 'trino' });
}

/**
 * The parser knows no Trino ROW type, which a view casts JSON to for struct columns: each
 * `AS [array(]ROW(...)[)]` target type becomes `AS varchar`, leaving the rest of the query to check.
 */
function withoutRowTypes(sql: string): string {
  let text = sql;
  for (let at = text.search(/ AS (?:array\()*ROW\(/); at >= 0; at = text.search(/ AS (?:array\()*ROW\(/)) {
    let depth = 0;
    let end = text.indexOf('(', at);
    for (; end < text.length; end++) {
      if (text[end] === '(') depth++;
      else if (text[end] === ')' && --depth === 0) break;
    }
    const opened = (/^ AS ((?:array\()*)/.exec(text.slice(at))?.[1] ?? '').length / 'array('.length;
    text = `${text.slice(0, at)} AS varchar${text.slice(end + 1 + opened)}`;
  }
  return text;
}

/** The input regex of a RegexSerDe table, as the Hive parser hands it to Java after unescaping. */
export function serdeRegex(ddl: string): RegExp {
  const literal = /'input\.regex'='((?:[^'\\]|\\.)*)'/.exec(ddl)?.[1];
  if (literal === undefined) throw new Error('no input.regex in the DDL');
  return new RegExp(literal.replace(/\\(.)/g, '$1'));
}

/**
 * The rows Athena's RegexSerDe makes of `lines` with the DDL's expression: each group is the next
 * column's text, NULL where the group took no part (or the line did not match).
 */
export function serdeRows(
  ddl: string,
  lines: string[],
  columns: { name: string }[],
): Record<string, string | null>[] {
  const pattern = serdeRegex(ddl);
  return lines.map((line) => {
    const groups = pattern.exec(line)?.slice(1) ?? [];
    return Object.fromEntries(columns.map((c, i) => [c.name, groups[i] ?? null]));
  });
}
