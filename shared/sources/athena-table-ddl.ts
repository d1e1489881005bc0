import { deliveryDays } from '../domain/time-window.js';
import { InvalidRequestError } from '../errors.js';
import type { AthenaLocation } from './log-source-module.js';
import { athenaColumnList, type SourceColumn } from './source-columns.js';

/** One folder level of a delivery layout, below the location's root. */
export type LayoutLevel =
  | { literal: string }
  /** A folder per value (account, region, VPC); projected as an enum when the values are known. */
  | { partition: string; values: string[] }
  /** The delivery day, `yyyy/MM/dd`. */
  | { partition: string; day: true };

export interface ExternalTableSpec {
  /** `table` or `database.table`. */
  table: string;
  columns: SourceColumn[];
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
/** Regions, VPC ids and web ACL names: nothing that could end a quoted string or split an enum. */
const FOLDER_VALUE = /^[A-Za-z0-9_.-]{1,128}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * A `CREATE EXTERNAL TABLE` over a delivery layout, with partition projection down to the first
 * level whose values are not known: below it the table reads every object under the prefix.
 * Projection needs no crawler, but a day outside its range is silently absent, so the day range
 * is the case window widened by a day each side (files sit under the day they were delivered).
 */
export function externalTableSql(spec: ExternalTableSpec): string {
  const root = s3Root(spec.location.s3Uri);
  const partitions: string[] = [];
  const properties: [string, string][] = [];
  let path = '';
  let fixedPrefix = '';
  for (const level of spec.levels) {
    if ('literal' in level) {
      path += `${level.literal}/`;
      if (partitions.length === 0) fixedPrefix = path;
      continue;
    }
    if ('day' in level) {
      const days = deliveryDays(checkWindow(spec.location.window));
      properties.push(
        [`projection.${level.partition}.type`, 'date'],
        [`projection.${level.partition}.format`, 'yyyy/MM/dd'],
        [
          `projection.${level.partition}.range`,
          `${days.first.replaceAll('-', '/')},${days.last.replaceAll('-', '/')}`,
        ],
        [`projection.${level.partition}.interval`, '1'],
        [`projection.${level.partition}.interval.unit`, 'DAYS'],
      );
    } else {
      if (level.values.length === 0) break;
      const values = [...new Set(level.values.map((v) => checkFolderValue(level.partition, v)))].sort();
      properties.push(
        [`projection.${level.partition}.type`, 'enum'],
        [`projection.${level.partition}.values`, values.join(',')],
      );
    }
    partitions.push(level.partition);
    path += `\${${level.partition}}/`;
  }
  const lines = [`CREATE EXTERNAL TABLE ${ddlTableName(spec.table)} (`, athenaColumnList(spec.columns), ')'];
  if (partitions.length > 0)
    lines.push(`PARTITIONED BY (${partitions.map((p) => `\`${p}\` string`).join(', ')})`);
  lines.push(...spec.storage, `LOCATION '${root}${partitions.length > 0 ? fixedPrefix : path}'`);
  const allProperties: [string, string][] = [
    ...(partitions.length > 0
      ? ([['projection.enabled', 'true'], ...properties, ['storage.location.template', `${root}${path}`]] as [
          string,
          string,
        ][])
      : []),
    ...(spec.properties ?? []),
  ];
  if (allProperties.length > 0) {
    lines.push(
      'TBLPROPERTIES (',
      allProperties.map(([k, v]) => `  ${hiveString(k)}=${hiveString(v)}`).join(',\n'),
      ')',
    );
  }
  return lines.join('\n');
}

/** The levels every `AWSLogs/<account>/<service>/<region>/yyyy/MM/dd/` layout shares. */
export function accountServiceRegionDay(location: AthenaLocation, service: string): LayoutLevel[] {
  return [
    { literal: 'AWSLogs' },
    { partition: 'delivery_account', values: checkAccounts(location.accounts) },
    { literal: service },
    { partition: 'delivery_region', values: location.regions },
    { partition: 'delivery_day', day: true },
  ];
}

export function checkAccounts(accounts: string[]): string[] {
  for (const account of accounts) {
    if (!ACCOUNT_ID.test(account)) throw new InvalidRequestError(`'${account}' is not a valid account id.`);
  }
  if (accounts.length === 0) {
    throw new InvalidRequestError(
      'No account folders were found under AWSLogs/, so there is nothing to project.',
    );
  }
  return accounts;
}

/** A Hive string literal: backslashes and quotes escaped, as the DDL parser unescapes them. */
export function hiveString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** `ROW FORMAT SERDE` for text read with one regular expression; each group is a column, in order. */
export function regexSerde(regex: string): string[] {
  return [
    "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'",
    `WITH SERDEPROPERTIES ('input.regex'=${hiveString(regex)})`,
  ];
}

/**
 * JSON lines. A malformed line becomes a row of NULLs instead of failing every hunt that reads the
 * table; the embedded engine, which can say which file was bad, skips the file and reports it.
 */
export const jsonLinesSerde = [
  "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
  "WITH SERDEPROPERTIES ('ignore.malformed.json'='true')",
];

function ddlTableName(table: string): string {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => NAME_PART.test(part))) {
    throw new InvalidRequestError(`'${table}' is not a valid table name.`);
  }
  return parts.map((part) => `\`${part}\``).join('.');
}

/** `s3://bucket/prefix/`, refusing anything that could break out of a quoted string. */
function s3Root(uri: string): string {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match || !BUCKET_NAME.test(match[1] ?? ''))
    throw new InvalidRequestError(`'${uri}' is not an s3:// location.`);
  const steps = (match[2] ?? '').split('/').filter((step) => step !== '');
  if (!steps.every((step) => PREFIX_STEP.test(step))) {
    throw new InvalidRequestError(`The prefix of '${uri}' has characters casefile does not put in DDL.`);
  }
  return `s3://${match[1]}/${steps.map((step) => `${step}/`).join('')}`;
}

function checkFolderValue(partition: string, value: string): string {
  const valid = partition === 'delivery_account' ? ACCOUNT_ID : FOLDER_VALUE;
  if (!valid.test(value)) throw new InvalidRequestError(`'${value}' is not a valid ${partition} folder.`);
  return value;
}

function checkWindow(window: AthenaLocation['window']): AthenaLocation['window'] {
  for (const instant of [window.from, window.to]) {
    if (!ISO_INSTANT.test(instant))
      throw new InvalidRequestError(`'${instant}' is not a normalised window instant.`);
  }
  return window;
}
