import { jsonTextTableSql } from './athena-table-ddl.js';
import type { AthenaLocation } from './log-source-module.js';
import { firstLine } from './log-source-module.js';
import type { RecordCheck } from './record-shape.js';
import { duckdbJsonStructure, duckdbKeyColumn, type SourceColumn } from './source-columns.js';
import { duckdbLines, duckdbRejectLine, sqlString } from './source-sql.js';

/**
 * What a CloudWatch Logs export task writes, whatever service wrote the group: under
 * `<prefix>/<task id>/<log stream>/000000.gz`, one event a line as `<ISO time> <message>`, the
 * message exactly as the service put it into the group (a flow log record, a JSON object). No date
 * is in the keys, so nothing can be projected: the export holds only the case window, which bounds
 * the table instead.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/logs/S3ExportTasks.html
 */
export const CLOUDWATCH_EXPORT_LAYOUT = 'cloudwatch-export';

const ISO = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z`;
const EXPORT_PREFIX = new RegExp(`^${ISO} `);
/** The whole line for Athena's RegexSerDe: the time, then the message (its own trailing line break dropped). */
const EXPORT_LINE = `^(${ISO}) (.*?)\\s*$`;

/** The message of an export line, or null when the line is not one. */
function exportedMessage(line: string): string | null {
  const prefix = EXPORT_PREFIX.exec(line);
  return prefix ? line.slice(prefix[0].length) : null;
}

/**
 * Checks one export line (`<ISO time> <JSON message>`) the way the record gate checks a JSON line:
 * a line without the time, or whose message is not JSON, is set aside; a message with values nulled
 * by `check` is written back behind its time, so the export reader still reads it.
 */
export function checkExportedJsonLine(line: string, check: (message: unknown) => RecordCheck): RecordCheck {
  const prefix = EXPORT_PREFIX.exec(line);
  if (!prefix) return { problem: 'not a CloudWatch Logs export line (<ISO time> <message>)' };
  let message: unknown;
  try {
    message = JSON.parse(line.slice(prefix[0].length));
  } catch (error) {
    return { problem: `not valid JSON: ${(error as Error).message}` };
  }
  const checked = check(message);
  if ('problem' in checked || checked.nulled.length === 0) return checked;
  return { ...checked, replacement: `${prefix[0]}${JSON.stringify(message)}` };
}

/** The message of the head's first line when the head is a CloudWatch Logs export. */
export function firstExportedMessage(head: string): string | null {
  return exportedMessage(firstLine(head));
}

/**
 * The DuckDB rows `line` and `message` of export files; a line that is not `<ISO time> <message>`
 * fails the read, so the file is skipped with the line as the reason.
 */
function duckdbExportMessages(paths: string[], compressed: boolean): string {
  const pattern = sqlString(EXPORT_LINE);
  return `SELECT line, CASE WHEN regexp_matches(line, ${pattern}) THEN regexp_extract(line, ${pattern}, 2) ELSE ${duckdbRejectLine('not a CloudWatch Logs export line (<ISO time> <message>)')} END AS message FROM (${duckdbLines(paths, compressed)})`;
}

/**
 * JSON records exported from CloudWatch Logs, in DuckDB: each message parsed with the columns'
 * declared types. Broken JSON fails from_json, so the file is skipped with the line as the reason;
 * a message that parses but lacks `requiredKey` is no record of this source and fails the same way.
 */
export function duckdbExportedJsonSelect(
  columns: SourceColumn[],
  paths: string[],
  compressed: boolean,
  requiredKey: string,
  what: string,
): string {
  const parsed = `SELECT line, from_json(message, ${sqlString(duckdbJsonStructure(columns))}) AS e FROM (${duckdbExportMessages(paths, compressed)})`;
  const checked = `SELECT CASE WHEN e."${requiredKey}" IS NULL THEN ${duckdbRejectLine(`not ${what}`)} ELSE e END AS e FROM (${parsed})`;
  return `SELECT ${columns.map((c) => duckdbKeyColumn(c, 'e')).join(', ')} FROM (${checked})`;
}

/**
 * JSON records exported from CloudWatch Logs, in Athena: each line split into its time and message,
 * the message parsed as in `jsonTextTableSql`. Lines without a record of this source (the export's
 * permission-check object, other streams of the group) are left out.
 */
export function athenaExportedJsonTable(
  table: string,
  location: AthenaLocation,
  columns: SourceColumn[],
  requiredKey: string,
): string {
  return jsonTextTableSql(
    table,
    { location, levels: [], regex: EXPORT_LINE, lineColumns: ['export_time', 'message'] },
    { columns, requiredKey },
  );
}
