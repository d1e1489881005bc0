import { EXPORTS_FOLDER } from '../domain/case-folder-layout.js';
import { externalTableWithViewSql, regexSerde } from './athena-table-ddl.js';
import type { LogSourceModule } from './log-source-module.js';
import { type ColumnType, column, type SourceColumn, sqlColumn } from './source-columns.js';
import { duckdbLines, duckdbRejectLine, sqlString } from './source-sql.js';

const ISO = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z`;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const NODE_LEVELS = 'TRACE|DEBUG|INFO|WARN|ERROR|FATAL';
const PYTHON_LEVELS = 'DEBUG|INFO|WARNING|ERROR|CRITICAL';
/** Lambda's level names; Python's logging spells two of them its own way. */
const LEVELS: Record<string, string> = {
  TRACE: 'TRACE',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  WARNING: 'WARN',
  ERROR: 'ERROR',
  FATAL: 'FATAL',
  CRITICAL: 'FATAL',
};

/**
 * An export line: the event's time, one space, the message. Trailing whitespace is the message's
 * own line break, which exports turn into a space. Used as the RegexSerDe's whole-line expression.
 */
const EXPORT_LINE = `^(${ISO}) (.*?)\\s*$`;
/** Node's `<time>\t<request id>\t<LEVEL>\t` and Python's `[LEVEL]\t<time>\t<request id>\t` prefixes. */
const NODE_PREFIX = `${ISO}\\t[^\\t]*\\t(?:${NODE_LEVELS})\\t`;
const PYTHON_PREFIX = `\\[(?:${PYTHON_LEVELS})\\]\\t${ISO}\\t[^\\t]*\\t`;
/** Every text line that names its request: platform lines, `RequestId: ... Error:`, timeouts, both runtimes. */
const TEXT_REQUEST_ID = `^(?:(?:START |END |REPORT )?RequestId: |${ISO}[\\t ]|\\[(?:${PYTHON_LEVELS})\\]\\t${ISO}\\t)(${UUID})(?:\\s|$)`;
const NODE_LEVEL = `^${ISO}\\t[^\\t]*\\t(${NODE_LEVELS})\\t`;
const PYTHON_LEVEL = `^\\[(${PYTHON_LEVELS})\\][\\t ]`;
const NUMBER = String.raw`^([0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)$`;

/** `regexp_extract` gives NULL in Trino and '' in DuckDB when nothing matches: nullif makes both NULL. */
const extract = (text: string, pattern: string) =>
  `nullif(regexp_extract(${text}, ${sqlString(pattern)}, 1), '')`;
const jsonText = (path: string) => `json_extract_scalar(record, ${sqlString(path)})`;

/** A REPORT metric, from the text line or from the JSON format's `platform.report` event. */
function reportMetric(textLabel: string, unit: string, jsonMetric: string): string {
  const fromJson = `CASE WHEN ${jsonText('$.type')} = 'platform.report' THEN ${extract(jsonText(`$.record.metrics.${jsonMetric}`), NUMBER)} END`;
  const fromText = extract('body', `^REPORT RequestId: .*?\\t${textLabel}: ([0-9]+(?:\\.[0-9]+)?) ${unit}`);
  return `coalesce(${fromJson}, ${fromText})`;
}

/** Lambda's name for each level, and NULL for anything else (pino's numbers, audit levels). */
const levelNames = Object.entries(LEVELS)
  .map(([name, level]) => `WHEN '${name}' THEN '${level}'`)
  .join(' ');

const computed = (name: string, sql: string, type: ColumnType = 'string') => ({
  column: column(name, type),
  sql,
});

/**
 * The columns, as SQL text both engines run, over `path`, `event_time`, `body` (the message) and
 * `record` (the message when it is a JSON object). Folders of a CloudWatch export: the log group,
 * the task, then the stream, whose name keeps its slashes (`2024/05/01/[$LATEST]...`).
 */
const computedColumns: { column: SourceColumn; sql: string }[] = [
  computed('log_group', extract('path', `^.*/${EXPORTS_FOLDER}/([^/]+)/[^/]+/.+/[^/]+$`)),
  computed('log_stream', extract('path', `^.*/${EXPORTS_FOLDER}/[^/]+/[^/]+/(.+)/[^/]+$`)),
  computed('event_time', 'event_time'),
  computed(
    'request_id',
    `coalesce(${['$.requestId', '$.function_request_id', '$.aws_request_id', '$.record.requestId'].map(jsonText).join(', ')}, ${extract('body', TEXT_REQUEST_ID)})`,
  ),
  computed(
    'level',
    `CASE coalesce(upper(${jsonText('$.level')}), ${extract('body', NODE_LEVEL)}, ${extract('body', PYTHON_LEVEL)}) ${levelNames} END`,
  ),
  computed(
    'message',
    `CASE WHEN record IS NULL THEN coalesce(${extract('body', `^(?:${NODE_PREFIX}|${PYTHON_PREFIX})(.*)$`)}, body) ELSE coalesce(${jsonText('$.message')}, json_format(json_extract(record, '$.message')), record) END`,
  ),
  computed('record', 'record'),
  computed('report_duration_ms', reportMetric('Duration', 'ms', 'durationMs'), 'double'),
  computed('report_max_memory_used_mb', reportMetric('Max Memory Used', 'MB', 'maxMemoryUsedMB'), 'double'),
  computed('report_init_duration_ms', reportMetric('Init Duration', 'ms', 'initDurationMs'), 'double'),
];

/**
 * AWS Lambda function logs, which exist only in CloudWatch Logs: read from an export (CreateExportTask
 * or the local exporter), `<prefix>/<log group>/<task>/<stream>/000000.gz` with one
 * `<ISO time> <message>` a line. The messages are what the runtime and the code wrote: platform
 * lines (START, END, REPORT), the runtimes' default text formats, or JSON (Lambda's JSON log
 * format, Powertools). The function is known only from the export's folder, not from any line.
 */
export const lambdaColumnNames = computedColumns.map((c) => c.column.name);

const selectList = computedColumns.map(({ column, sql }) => `  ${sqlColumn(column, sql)}`).join(',\n');

/** The message as JSON text when it is a JSON object, else NULL; `isJson` is each engine's validity test. */
function withRecord(lines: string, isJson: (text: string) => string): string {
  return `SELECT path, event_time, body, CASE WHEN starts_with(body, '{') AND ${isJson('body')} THEN body END AS record FROM (${lines})`;
}

const RUNTIME_TEXT = [
  new RegExp(`^(?:START|END|REPORT) RequestId: ${UUID}(?:\\s|$)`),
  /^INIT_START Runtime Version: /,
  new RegExp(`^${ISO}\\t(?:${UUID}|undefined)\\t(?:${NODE_LEVELS})\\t`),
  new RegExp(`^\\[(?:${PYTHON_LEVELS})\\]\\t${ISO}\\t(?:${UUID})?\\t`),
];
const exportLine = new RegExp(EXPORT_LINE);
const DETECT_EXPORT_LINE = new RegExp(`^${ISO} (.*)$`);
const REQUEST_ID_KEYS = ['requestId', 'function_request_id', 'aws_request_id'];

/** Lambda's JSON log format (application and `platform.*` events) and Powertools' structured logs. */
function isLambdaJson(message: string): boolean {
  if (!message.startsWith('{')) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  const event = parsed as Record<string, unknown>;
  if (typeof event.type === 'string' && event.type.startsWith('platform.') && typeof event.time === 'string')
    return true;
  return (
    typeof event.level === 'string' &&
    Object.hasOwn(LEVELS, event.level.toUpperCase()) &&
    'message' in event &&
    REQUEST_ID_KEYS.some((key) => typeof event[key] === 'string')
  );
}

function looksLikeLambda(message: string): boolean {
  const text = message.trimEnd();
  return RUNTIME_TEXT.some((pattern) => pattern.test(text)) || isLambdaJson(text);
}

export const lambdaSource: LogSourceModule = {
  id: 'lambda',
  columns: lambdaColumnNames,
  timeExpression: 'from_iso8601_timestamp(event_time)',

  /**
   * An export whose first line is `<ISO time> <message>` and whose head holds a line only Lambda
   * writes. The head's last line may be cut short, so it counts only when it is the only one.
   * The export's `aws-logs-write-test` object (`Permission Check Successful`) is no such file.
   */
  detect(head) {
    const lines = head.split('\n').map((line) => line.replace(/\r$/, ''));
    const complete = lines.length > 1 ? lines.slice(0, -1) : lines;
    if (!DETECT_EXPORT_LINE.test(complete[0] ?? '')) return null;
    const lambda = complete.some((line) => {
      const message = DETECT_EXPORT_LINE.exec(line)?.[1];
      return message !== undefined && looksLikeLambda(message);
    });
    return lambda ? 'cloudwatch-export' : null;
  },

  checkRecord(line) {
    return exportLine.test(line as string)
      ? { nulled: [] }
      : { problem: 'not a CloudWatch Logs export line (<ISO time> <message>)' };
  },

  /** A line that is not `<ISO time> <message>` fails the read, so the file is skipped with the line as the reason. */
  duckdbSelect(paths, _layout, compressed) {
    const exportLine = sqlString(EXPORT_LINE);
    const lines = `SELECT filename AS path, CASE WHEN regexp_matches(line, ${exportLine}) THEN regexp_extract(line, ${exportLine}, 1) ELSE ${duckdbRejectLine('not a CloudWatch Logs export line (<ISO time> <message>)')} END AS event_time, regexp_extract(line, ${exportLine}, 2) AS body FROM (${duckdbLines(paths, compressed, { filename: true })})`;
    const parsed = withRecord(lines, (text) => `json_valid(${text})`);
    return `SELECT\n${selectList}\nFROM (${parsed})`;
  },

  /**
   * Export keys hold no date, so nothing is projected and the window filter narrows the rows.
   * RegexSerDe splits the time from the message; lines it cannot split (the export's write-check
   * object) have no time and are left out, as DuckDB refuses them. The function's log group and
   * stream come from each object's key ("$path").
   */
  athenaCreateTable(table, location) {
    return externalTableWithViewSql(
      table,
      {
        columns: [column('event_time', 'string'), column('body', 'string')],
        storage: regexSerde(EXPORT_LINE),
        location,
        levels: [],
      },
      {
        select: selectList,
        from: (raw) => {
          const lines = `SELECT "$path" AS path, event_time, body FROM ${raw} WHERE event_time IS NOT NULL`;
          return `(${withRecord(lines, (text) => `try(json_parse(${text})) IS NOT NULL`)})`;
        },
      },
    );
  },
};
