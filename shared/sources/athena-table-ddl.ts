import { deliveryDays } from '../domain/time-window.js';
import { InvalidRequestError } from '../errors.js';
import type { AthenaLocation } from './log-source-module.js';
import { athenaColumnList, column, type SourceColumn, trinoFromJson } from './source-columns.js';
import { ATHENA_STATEMENT_SEPARATOR } from './source-sql.js';

/**
 * Athena reads at most a million partitions in one scan of a table, projected or not.
 * https://docs.aws.amazon.com/athena/latest/ug/service-limits.html
 */
export const MAX_PARTITIONS_PER_SCAN = 1_000_000;

/** A projection whose partitions (enum values times days) one scan could not read: the location must be split. */
export class TooManyPartitionsError extends InvalidRequestError {
  constructor(readonly partitions: number) {
    super(
      `The table would project ${partitions.toLocaleString('en-US')} partitions; Athena scans at most ` +
        `${MAX_PARTITIONS_PER_SCAN.toLocaleString('en-US')} in one query.`,
    );
    this.name = 'TooManyPartitionsError';
  }
}

/** One folder level of a delivery layout, below the location's root. */
export type LayoutLevel =
  | { literal: string }
  /** A folder per value (account, region, VPC); projected as an enum when the values are known. */
  | { partition: string; values: string[] }
  /** The delivery day, `yyyy/MM/dd`. */
  | { partition: string; day: true };

/** A column whose Hive type is written out already (CloudTrail's schema keeps its own). */
export interface DeclaredColumn {
  name: string;
  athena: string;
}

export interface ExternalTableSpec {
  /** `table` or `database.table`. */
  table: string;
  columns: (SourceColumn | DeclaredColumn)[];
  /** The ROW FORMAT / STORED AS clauses, one a line. */
  storage: string[];
  location: AthenaLocation;
  levels: LayoutLevel[];
  properties?: [string, string][];
}

const NAME_PART = /^[a-z][a-z0-9_]{0,254}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Key characters S3 calls safe, less the quote: enough for any prefix a log destination is given. */
const PREFIX_STEP = /^[A-Za-z0-9!_.*()=+-]+$/;
const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** Regions, VPC ids, web ACL and bucket names: nothing that could end a quoted string or split an enum. */
const FOLDER_VALUE = /^[A-Za-z0-9_.-]{1,128}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * A `CREATE EXTERNAL TABLE` over a delivery layout, with partition projection down to the first
 * level whose values are not known: below it the table reads every object under the prefix.
 * Projection needs no crawler, but a day outside its range is silently absent, so the day range
 * is the case window widened by a day each side (files sit under the day they were delivered).
 */
export function externalTableSql(spec: ExternalTableSpec): string {
  const root = s3Folder(spec.location.s3Uri);
  const partitions: string[] = [];
  const projection: [string, string][] = [];
  let path = '';
  let fixedPrefix = '';
  let partitionCount = 1;
  for (const level of spec.levels) {
    if ('literal' in level) {
      path += `${level.literal}/`;
      if (partitions.length === 0) fixedPrefix = path;
      continue;
    }
    if ('day' in level) {
      projection.push(...dayProjection(level.partition, spec.location.window));
      partitionCount *= dayCount(deliveryDays(spec.location.window));
    } else if (level.values.length === 0) break;
    else {
      projection.push(...enumProjection(level.partition, level.values));
      partitionCount *= new Set(level.values).size;
    }
    partitions.push(level.partition);
    path += `\${${level.partition}}/`;
  }
  if (partitionCount > MAX_PARTITIONS_PER_SCAN) throw new TooManyPartitionsError(partitionCount);
  const columnList = spec.columns
    .map((c) => ('athena' in c ? `  \`${c.name}\` ${c.athena}` : athenaColumnList([c])))
    .join(',\n');
  const lines = [`CREATE EXTERNAL TABLE ${ddlName(spec.table)} (`, columnList, ')'];
  if (partitions.length > 0)
    lines.push(`PARTITIONED BY (${partitions.map((p) => `\`${p}\` string`).join(', ')})`);
  lines.push(
    ...spec.storage,
    `LOCATION ${hiveString(`${root}${partitions.length > 0 ? fixedPrefix : path}`)}`,
  );
  const properties: [string, string][] = [...(spec.properties ?? [])];
  if (partitions.length > 0) {
    properties.unshift(['projection.enabled', 'true'], ...projection, [
      'storage.location.template',
      `${root}${path}`,
    ]);
  }
  if (properties.length > 0) {
    lines.push(
      'TBLPROPERTIES (',
      properties.map(([k, v]) => `  ${hiveString(k)}=${hiveString(v)}`).join(',\n'),
      ')',
    );
  }
  return lines.join('\n');
}

/**
 * The second form of a module's DDL (see `LogSourceModule.athenaCreateTable`): the external table
 * `<table>_raw` over the files, dropped first, then the view `<table>` that computes the source's
 * columns from it. `select` is the view's select list, one column a line; `from` what it reads,
 * given the raw table's name in Trino SQL (the raw table itself by default); `where` the rows it keeps.
 */
export function externalTableWithViewSql(
  table: string,
  raw: Omit<ExternalTableSpec, 'table'>,
  view: { select: string; from?: (rawTable: string) => string; where?: string },
): string {
  const rawName = `${table}_raw`;
  const rawTable = viewName(rawName);
  const viewSql = [
    `CREATE OR REPLACE VIEW ${viewName(table)} AS`,
    'SELECT',
    view.select,
    `FROM ${view.from ? view.from(rawTable) : rawTable}`,
    ...(view.where ? [`WHERE ${view.where}`] : []),
  ].join('\n');
  return [
    `DROP TABLE IF EXISTS ${ddlName(rawName)}`,
    externalTableSql({ ...raw, table: rawName }),
    viewSql,
  ].join(ATHENA_STATEMENT_SEPARATOR);
}

/** The levels every `AWSLogs/<account>/<service>/<region>/yyyy/MM/dd/` layout shares. */
export function accountServiceRegionDay(location: AthenaLocation, service: string): LayoutLevel[] {
  return [
    ...awsLogsService(location, service),
    { partition: 'delivery_region', values: location.regions },
    { partition: 'delivery_day', day: true },
  ];
}

/**
 * `AWSLogs/<account>/<service>/`, where every layout AWS delivers under `AWSLogs/` starts
 * (`AWSLogs/<organization id>/<account>/...` for an organisation trail).
 */
export function awsLogsService(location: AthenaLocation, service: string): LayoutLevel[] {
  if (location.accounts.length === 0) {
    throw new InvalidRequestError(
      'No account folders were found under AWSLogs/, so there is nothing to project.',
    );
  }
  const organization = location.organizationId;
  if (organization !== undefined && !ORGANIZATION_ID.test(organization)) {
    throw new InvalidRequestError(`'${organization}' is not a valid organization id.`);
  }
  return [
    { literal: 'AWSLogs' },
    ...(organization ? [{ literal: organization }] : []),
    { partition: 'delivery_account', values: checkAccounts(location.accounts) },
    { literal: service },
  ];
}

export function checkAccounts(accounts: string[]): string[] {
  for (const account of accounts) {
    if (!ACCOUNT_ID.test(account)) throw new InvalidRequestError(`'${account}' is not a valid account id.`);
  }
  return accounts;
}

/** A Hive string literal: backslashes and quotes escaped, as the DDL parser unescapes them. */
export function hiveString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

const TEXT_FILES = [
  "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'",
  "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
];

/**
 * Text read with one regular expression; each group is a column, in order. A line it does not
 * match is a row of NULLs.
 */
export function regexSerde(regex: string): string[] {
  return [
    "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'",
    `WITH SERDEPROPERTIES ('input.regex'=${hiveString(regex)})`,
    ...TEXT_FILES,
  ];
}

/** A whole line as one `message` column: RegexSerDe over the line, its own trailing line break dropped. */
export const WHOLE_LINE_REGEX = '^(.*?)\\s*$';

/**
 * JSON records read as text and parsed by Trino's JSON functions in a view, rather than by a JSON
 * SerDe. AWS documents the OpenX JSON SerDe as returning non-deterministic results for some inputs
 * (more or fewer rows, NULLs that are not in the data) and names the Hive JSON SerDe as the way
 * around it; but the Hive JSON SerDe has no way to skip a malformed line, so one truncated record
 * would fail every hunt reading the table. Read as text, every line is one row, a malformed or
 * foreign line (the export's write check, another stream) has no `requiredKey` and the view drops
 * it, and keys are matched exactly as delivered (camelCase included), as DuckDB matches them.
 * https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html
 * https://docs.aws.amazon.com/athena/latest/ug/hive-json-serde.html
 * `raw.regex` splits a line into `raw.lineColumns`, the last of which holds the JSON record.
 */
export function jsonTextTableSql(
  table: string,
  raw: { location: AthenaLocation; levels: LayoutLevel[]; regex: string; lineColumns: string[] },
  json: { columns: SourceColumn[]; requiredKey: string },
): string {
  const message = raw.lineColumns.at(-1) ?? 'message';
  return externalTableWithViewSql(
    table,
    {
      columns: raw.lineColumns.map((name) => column(name, 'string')),
      storage: regexSerde(raw.regex),
      location: raw.location,
      levels: raw.levels,
    },
    {
      select: json.columns.map((c) => `  ${trinoFromJson(message, '$', c)}`).join(',\n'),
      where: `json_extract(try(json_parse(${message})), '$.${json.requiredKey}') IS NOT NULL`,
    },
  );
}

/**
 * The `projection.<partition>.*` properties of a `yyyy/MM/dd` delivery day. The date in an S3 key
 * is when the file was delivered, so the window is widened by a day on each side (`deliveryDays`).
 */
function dayProjection(partition: string, window: AthenaLocation['window']): [string, string][] {
  const days = deliveryDays(checkWindow(window));
  return [
    [`projection.${partition}.type`, 'date'],
    [`projection.${partition}.format`, 'yyyy/MM/dd'],
    [`projection.${partition}.range`, `${days.first.replaceAll('-', '/')},${days.last.replaceAll('-', '/')}`],
    [`projection.${partition}.interval`, '1'],
    [`projection.${partition}.interval.unit`, 'DAYS'],
  ];
}

function enumProjection(partition: string, values: string[]): [string, string][] {
  for (const value of values) {
    if (!FOLDER_VALUE.test(value))
      throw new InvalidRequestError(`'${value}' is not a valid ${partition} folder.`);
  }
  return [
    [`projection.${partition}.type`, 'enum'],
    [`projection.${partition}.values`, [...new Set(values)].sort().join(',')],
  ];
}

/** `table` or `database.table` as Hive DDL names it (backticks). */
function ddlName(table: string): string {
  return tableNameParts(table)
    .map((part) => `\`${part}\``)
    .join('.');
}

/** `table` or `database.table` as Trino SQL names it (double quotes). */
function viewName(table: string): string {
  return tableNameParts(table)
    .map((part) => `"${part}"`)
    .join('.');
}

function tableNameParts(table: string): string[] {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => NAME_PART.test(part))) {
    throw new InvalidRequestError(`'${table}' is not a valid table name.`);
  }
  return parts;
}

/** `s3://bucket/prefix/`, refusing anything that could break out of a quoted string. */
function s3Folder(uri: string): string {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match || !BUCKET_NAME.test(match[1] ?? ''))
    throw new InvalidRequestError(`'${uri}' is not an s3:// location.`);
  const steps = (match[2] ?? '').split('/').filter((step) => step !== '');
  if (!steps.every((step) => PREFIX_STEP.test(step))) {
    throw new InvalidRequestError(`The prefix of '${uri}' has characters casefile does not put in DDL.`);
  }
  return `s3://${match[1]}/${steps.map((step) => `${step}/`).join('')}`;
}

function checkWindow(window: AthenaLocation['window']): AthenaLocation['window'] {
  for (const instant of [window.from, window.to]) {
    if (!ISO_INSTANT.test(instant))
      throw new InvalidRequestError(`'${instant}' is not a normalised window instant.`);
  }
  return window;
}

function dayCount(days: { first: string; last: string }): number {
  return Math.round((Date.parse(days.last) - Date.parse(days.first)) / 86_400_000) + 1;
}
