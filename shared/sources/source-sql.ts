import { deliveryDays } from '../domain/time-window.js';
import { InvalidRequestError } from '../errors.js';
import { sqlString } from './cloudtrail-source.js';
import type { AthenaLocation } from './log-source-module.js';

/**
 * Pieces of SQL text that several source modules share: reading a file as raw lines in DuckDB, and
 * the Athena DDL every text or JSON source needs (a raw external table, then a view of the source's
 * columns over it).
 */

/** A byte that never occurs in a log line (JSON escapes it, access logs never carry it), used as the CSV delimiter. */
const NEVER_IN_A_LINE = '\u0001';
/** Kubernetes audit events with request and response bodies run to megabytes on one line. */
const MAXIMUM_LINE_BYTES = 64 * 1024 * 1024;

export function sqlList(paths: string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

/**
 * Every line of the files as one VARCHAR column `line`, nothing split, unquoted or guessed, and with
 * `filename` the file's path beside it. Empty lines come out as NULL. A byte sequence that is not
 * UTF-8 or a broken gzip stream fails the read, so the file is reported instead of half-loaded.
 */
export function duckdbLines(paths: string[], compressed: boolean, { filename = false } = {}): string {
  const options = [
    "columns = {'line': 'VARCHAR'}",
    `delim = '${NEVER_IN_A_LINE}'`,
    "quote = ''",
    "escape = ''",
    'header = false',
    'auto_detect = false',
    `compression = '${compressed ? 'gzip' : 'uncompressed'}'`,
    `max_line_size = ${MAXIMUM_LINE_BYTES}`,
    `buffer_size = ${2 * MAXIMUM_LINE_BYTES}`,
  ];
  if (filename) options.push('filename = true');
  return `SELECT ${filename ? 'line, filename' : 'line'} FROM read_csv(${sqlList(paths)}, ${options.join(', ')}) WHERE line IS NOT NULL AND trim(line) <> ''`;
}

/**
 * A DuckDB expression that stops the read with `message` and the offending line (its start and
 * end, where a truncation shows): the table builder then skips the whole file with that reason, as
 * it does for broken JSON.
 */
export function duckdbRejectLine(message: string): string {
  const excerpt =
    "CASE WHEN length(line) <= 200 THEN line ELSE left(line, 150) || ' … ' || right(line, 40) END";
  return `error(${sqlString(`${message}: `)} || ${excerpt})`;
}

const NAME = /^[a-z][a-z0-9_]{0,127}$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Key characters S3 calls safe, less the quote: enough for any log prefix, never able to leave a literal. */
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9!_.*()=+-]+\/)*$/;

/** `table` or `database.table`, each part lower-case: how Athena names what a source module creates. */
export interface AthenaNames {
  /** The external table over the files (Hive DDL quoting). */
  rawDdl: string;
  /** The same table in Trino SQL (the view reads it). */
  rawView: string;
  /** The view hunts read, with exactly the columns of the DuckDB table. */
  view: string;
}

export function athenaNames(table: string): AthenaNames {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => NAME.test(part))) {
    throw new InvalidRequestError(`'${table}' is not a table name casefile puts in DDL.`);
  }
  const raw = [...parts.slice(0, -1), `${parts.at(-1)}_raw`];
  return {
    rawDdl: raw.map((part) => `\`${part}\``).join('.'),
    rawView: raw.map((part) => `"${part}"`).join('.'),
    view: parts.map((part) => `"${part}"`).join('.'),
  };
}

/** The location as `s3://bucket/prefix/`, refusing anything that could leave a quoted literal. */
export function athenaLocationUri(location: AthenaLocation): string {
  const uri = location.s3Uri.endsWith('/') ? location.s3Uri : `${location.s3Uri}/`;
  if (!S3_URI.test(uri))
    throw new InvalidRequestError(`'${location.s3Uri}' is not an S3 folder casefile puts in DDL.`);
  return uri;
}

export function checkedAccounts(location: AthenaLocation): string[] {
  return checkedValues(location.accounts, ACCOUNT_ID, 'account id');
}

export function checkedRegions(location: AthenaLocation): string[] {
  return checkedValues(location.regions, REGION, 'region');
}

export function checkedBuckets(buckets: string[]): string[] {
  return checkedValues(buckets, BUCKET_NAME, 'bucket name');
}

function checkedValues(values: string[], pattern: RegExp, what: string): string[] {
  const unique = [...new Set(values)].sort();
  if (unique.length === 0) throw new InvalidRequestError(`Partition projection needs at least one ${what}.`);
  for (const value of unique) {
    if (!pattern.test(value)) throw new InvalidRequestError(`'${value}' is not a valid ${what}.`);
  }
  return unique;
}

/**
 * The `projection.<key>.*` properties of a `yyyy/MM/dd` delivery day. The date in an S3 key is when
 * the file was delivered, so the window is widened by a day on each side (`deliveryDays`): an
 * out-of-range projection silently reads nothing.
 */
export function dayProjection(key: string, window: AthenaLocation['window']): [string, string][] {
  const days = deliveryDays(window);
  return [
    [`projection.${key}.type`, 'date'],
    [`projection.${key}.format`, 'yyyy/MM/dd'],
    [`projection.${key}.range`, `${days.first.replaceAll('-', '/')},${days.last.replaceAll('-', '/')}`],
    [`projection.${key}.interval`, '1'],
    [`projection.${key}.interval.unit`, 'DAYS'],
  ];
}

export function enumProjection(key: string, values: string[]): [string, string][] {
  return [
    [`projection.${key}.type`, 'enum'],
    [`projection.${key}.values`, values.join(',')],
  ];
}

/** A Hive DDL string literal: backslashes and quotes escaped, as the Hive parser unescapes them. */
export function hiveString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function tableProperties(properties: [string, string][]): string {
  return [
    'TBLPROPERTIES (',
    properties.map(([key, value]) => `  ${hiveString(key)}=${hiveString(value)}`).join(',\n'),
    ')',
  ].join('\n');
}

/** Statements run one after another; a source module's DDL is one text, split on this. */
export const ATHENA_STATEMENT_SEPARATOR = ';\n';
