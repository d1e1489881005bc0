import { checkAccounts, externalTableWithViewSql, regexSerde } from './athena-table-ddl.js';
import { firstLine, type LogSourceModule } from './log-source-module.js';
import { type ColumnType, column, type SourceColumn, sqlColumn } from './source-columns.js';
import { duckdbLines, duckdbRejectLine, sqlList, sqlString } from './source-sql.js';

/**
 * S3 server access logs: one request per line, space-separated, the time in brackets and the
 * request line, referrer and user agent in quotes, `-` for "none". Fields were appended over the
 * years (host id, signature version, cipher suite, authentication type, host header, TLS version,
 * access point ARN, ACL required), so an older line ends after any of them, and a newer one may
 * carry fields not known here (they are ignored).
 *
 * Both engines cut a line with the same regular expression (RE2 in DuckDB, java.util.regex in
 * Athena's RegexSerDe, both read this syntax alike) into text fields, and then the same SQL turns
 * those into the table: `-` and absent fields become NULL, numbers become numbers, and the bracketed
 * time becomes ISO 8601 text in `request_time`.
 */
const QUOTED = '(?:"((?:[^"\\\\]|\\\\.)*)"|-)';
const NUMBER = '(\\d+|-)';
const LATER_FIELD = '(?: (\\S+))?';
export const S3_ACCESS_LOG_LINE = [
  '^(\\S+) (\\S+) \\[(\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000)\\] (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) ',
  `${QUOTED} (\\d{3}|-) (\\S+) ${NUMBER} ${NUMBER} ${NUMBER} ${NUMBER} ${QUOTED} ${QUOTED}`,
  LATER_FIELD.repeat(9),
  '.*$',
].join('');

/** The regular expression's groups, in order: the documented field names (`time` is the bracketed text). */
const fields = [
  'bucket_owner',
  'bucket',
  'time',
  'remote_ip',
  'requester',
  'request_id',
  'operation',
  'key',
  'request_uri',
  'http_status',
  'error_code',
  'bytes_sent',
  'object_size',
  'total_time',
  'turn_around_time',
  'referrer',
  'user_agent',
  'version_id',
  'host_id',
  'signature_version',
  'cipher_suite',
  'authentication_type',
  'host_header',
  'tls_version',
  'access_point_arn',
  'acl_required',
] as const;

const numberTypes: Partial<Record<(typeof fields)[number], ColumnType>> = {
  http_status: 'int',
  bytes_sent: 'bigint',
  object_size: 'bigint',
  total_time: 'int',
  turn_around_time: 'int',
};

/**
 * The table's columns, keyed by their group: every field but `time`, whose place `request_time`
 * (ISO 8601, UTC) takes.
 */
export const s3AccessColumns: SourceColumn[] = fields.map((field) =>
  field === 'time' ? column('request_time', 'string', field) : column(field, numberTypes[field] ?? 'string'),
);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `06/Feb/2019:00:00:38 +0000` as `2019-02-06T00:00:38Z` by position: S3 writes this time in UTC at
 * fixed width (the expression only accepts `+0000`), and text slicing means the same in both engines,
 * where date parsing functions differ in name and format syntax. `||` keeps a NULL a NULL in both.
 */
const ISO_REQUEST_TIME = [
  'substr("time", 8, 4)',
  "'-'",
  `CASE substr("time", 4, 3) ${MONTHS.map((m, i) => `WHEN '${m}' THEN '${String(i + 1).padStart(2, '0')}'`).join(' ')} END`,
  "'-'",
  'substr("time", 1, 2)',
  "'T'",
  'substr("time", 13, 8)',
  "'Z'",
].join(' || ');

/**
 * The table's columns from the text fields, one per line as `CAST(... AS type) AS "name"`: the same
 * text runs in DuckDB over `regexp_extract`'s struct and in Athena's view over the RegexSerDe table.
 * DuckDB gives '' for a group that did not take part in the match, RegexSerDe gives NULL; both become NULL.
 */
export const s3AccessProjection = s3AccessColumns
  .map(
    (c) => `  ${sqlColumn(c, c.key === 'time' ? ISO_REQUEST_TIME : `nullif(nullif("${c.key}", ''), '-')`)}`,
  )
  .join(',\n');

const LAYOUT = 'access-log-lines';
const ACCESS_LOG_LINE = new RegExp(S3_ACCESS_LOG_LINE);

export const s3AccessSource: LogSourceModule = {
  id: 's3access',
  columns: s3AccessColumns.map((c) => c.name),
  timeExpression: 'from_iso8601_timestamp(request_time)',

  detect(head) {
    return ACCESS_LOG_LINE.test(firstLine(head)) ? LAYOUT : null;
  },

  checkRecord(line) {
    return ACCESS_LOG_LINE.test(line as string)
      ? { nulled: [] }
      : { problem: 'not an S3 server access log line' };
  },

  /**
   * A line the expression does not match stops the read: the table builder then skips that file
   * with the line in its reason, instead of a row of NULLs nobody would notice.
   */
  duckdbSelect(paths, _layout, compressed) {
    const extracted = `SELECT line, regexp_extract(line, ${sqlString(S3_ACCESS_LOG_LINE)}, ${sqlList(fields)}) AS r FROM (${duckdbLines(paths, compressed)})`;
    const checked = `SELECT unnest(CASE WHEN r."time" = '' THEN ${duckdbRejectLine('not an S3 server access log line')} ELSE r END) FROM (${extracted})`;
    return `SELECT\n${s3AccessProjection}\nFROM (${checked})`;
  },

  /**
   * Date-based keys (`<prefix><account>/<region>/<bucket>/YYYY/MM/DD/...`) are projected over the
   * accounts and regions the inventory found, the source buckets it listed below them (its
   * `resourceFolders`) and the window's delivery days. The bucket is an enum rather than `injected`:
   * an injected key must be pinned by an equality in every query, and hunts look across all buckets.
   * Without the bucket list, only account and region are projected and each reads everything below.
   * Flat keys (`<prefix>YYYY-MM-DD-HH-MM-SS-XXXX`, no account folders) have no folder to project, so
   * that table reads the whole prefix and only the window filter narrows it.
   */
  athenaCreateTable(table, location) {
    return externalTableWithViewSql(
      table,
      {
        columns: fields.map((field) => column(field, 'string')),
        storage: regexSerde(S3_ACCESS_LOG_LINE),
        location,
        levels: [
          { partition: 'source_account', values: checkAccounts(location.accounts) },
          { partition: 'source_region', values: location.regions },
          { partition: 'source_bucket', values: location.resourceFolders ?? [] },
          { partition: 'delivery_day', day: true },
        ],
      },
      // RegexSerDe gives a row of NULLs for a line it cannot match; the view leaves those out.
      { select: s3AccessProjection, where: '"time" IS NOT NULL' },
    );
  },
};
