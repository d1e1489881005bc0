import type { ClosedTimeWindow } from '../domain/time-window.js';
import { InvalidRequestError } from '../errors.js';
import type { LogSourceModule } from '../sources/log-source-module.js';

/**
 * The SQL the Athena table builder writes around the source modules' DDL: the case's database, the
 * views hunts read, and the window copies of tables with no date in their keys. Every name and
 * instant is checked before it is written into the text.
 */

/** The instants a table may read: `to` is null while the case runs up to now. */
export interface QuerySpan {
  from: string;
  to: string | null;
}

const DATABASE_NAME = /^[a-z0-9_]{1,255}$/;
const COLUMN_NAME = /^[a-z][a-z0-9_]{0,127}$/;
const TABLE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
/** The only instant form a validated CaseContext holds (Date#toISOString), so it is safe inside quotes. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The case window of a table with no date in its keys (CloudFront standard logs, flat S3 access
 * logs), copied once into Parquet with CTAS: the raw prefix is read once, where every hunt over the
 * table itself would read its whole history again. Without `external_location` Athena writes the
 * copy under the workgroup's query result location, which is the case bucket.
 * https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html
 */
export function windowCopySql(
  database: string,
  module: Pick<LogSourceModule, 'columns' | 'timeExpression'>,
  table: string,
  copy: string,
  span: QuerySpan,
): string {
  const columns = module.columns.map((name) => `"${check(name, COLUMN_NAME, 'column name')}"`).join(', ');
  return [
    `CREATE TABLE ${qualifiedViewName(database, copy)}`,
    "WITH (format = 'PARQUET', write_compression = 'SNAPPY') AS",
    `SELECT ${columns}`,
    `FROM ${qualifiedViewName(database, table)}`,
    `WHERE ${windowCondition(module.timeExpression, span)}`,
  ].join('\n');
}

/**
 * The span the tables read: the case's window as closed when the case opened (closeTimeWindow in
 * domain/time-window.ts), its instants checked again because they are written into DDL.
 */
export function querySpan(window: ClosedTimeWindow): QuerySpan {
  return { from: checkInstant(window.from), to: checkInstant(window.to) };
}

export function createDatabaseSql(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS \`${check(database, DATABASE_NAME, 'database name')}\``;
}

export function dropTableSql(database: string, table: string): string {
  return `DROP TABLE IF EXISTS ${qualifiedDdlName(database, table)}`;
}

/**
 * The view hunts read for one source: its data columns from every location's table (partition
 * columns left out, so Athena has exactly the embedded engine's columns), within the case window.
 * The window is applied once, around the union; Athena pushes it into each table.
 */
export function sourceViewSql(
  database: string,
  view: string,
  columnNames: string[],
  timeExpression: string,
  tables: string[],
  span: QuerySpan,
): string {
  if (tables.length === 0) throw new InvalidRequestError(`The ${view} view needs at least one table.`);
  const columns = columnNames.map((name) => `"${check(name, COLUMN_NAME, 'column name')}"`).join(', ');
  const condition = windowCondition(timeExpression, span);
  const branches = tables.map((table) => `  SELECT ${columns} FROM ${qualifiedViewName(database, table)}`);
  return [
    `CREATE OR REPLACE VIEW ${qualifiedViewName(database, view)} AS`,
    `SELECT ${columns}`,
    'FROM (',
    branches.join('\n  UNION ALL\n'),
    ') AS logs',
    `WHERE ${condition}`,
  ].join('\n');
}

function windowCondition(timeExpression: string, span: QuerySpan): string {
  const from = `from_iso8601_timestamp('${checkInstant(span.from)}')`;
  return span.to === null
    ? `${timeExpression} >= ${from}`
    : `${timeExpression} BETWEEN ${from} AND from_iso8601_timestamp('${checkInstant(span.to)}')`;
}

/** Hive DDL quotes names with backticks; the view is Trino SQL, which uses double quotes. */
function qualifiedDdlName(database: string, table: string): string {
  return `\`${check(database, DATABASE_NAME, 'database name')}\`.\`${check(table, TABLE_NAME, 'table name')}\``;
}

export function qualifiedViewName(database: string, table: string): string {
  return `"${check(database, DATABASE_NAME, 'database name')}"."${check(table, TABLE_NAME, 'table name')}"`;
}

function checkInstant(value: string): string {
  return check(value, ISO_INSTANT, 'window instant');
}

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new InvalidRequestError(`'${value}' is not a valid ${what}.`);
  return value;
}
