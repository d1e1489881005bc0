import { sqlString } from './cloudtrail-source.js';
import type { AthenaLocation, LogSourceModule } from './log-source-module.js';
import {
  ATHENA_STATEMENT_SEPARATOR,
  athenaLocationUri,
  athenaNames,
  checkedAccounts,
  checkedBuckets,
  checkedRegions,
  dayProjection,
  duckdbLines,
  duckdbRejectLine,
  enumProjection,
  hiveString,
  tableProperties,
} from './source-sql.js';

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

type SqlType = 'varchar' | 'integer' | 'bigint';

export interface S3AccessColumn {
  name: string;
  /** The type, spelled the same in DuckDB and Trino. */
  type: SqlType;
}

const numberTypes: Partial<Record<(typeof fields)[number], SqlType>> = {
  http_status: 'integer',
  bytes_sent: 'bigint',
  object_size: 'bigint',
  total_time: 'integer',
  turn_around_time: 'integer',
};

/** The table's columns: every field but `time`, whose place `request_time` (ISO 8601, UTC) takes. */
export const s3AccessColumns: S3AccessColumn[] = fields.map((field) =>
  field === 'time'
    ? { name: 'request_time', type: 'varchar' }
    : { name: field, type: numberTypes[field] ?? 'varchar' },
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
  .map((column, i) => {
    const field = fields[i] as string;
    const value = field === 'time' ? ISO_REQUEST_TIME : `nullif(nullif("${field}", ''), '-')`;
    return `  CAST(${value} AS ${column.type}) AS "${column.name}"`;
  })
  .join(',\n');

const LAYOUT = 'access-log-lines';
const ACCESS_LOG_LINE = new RegExp(S3_ACCESS_LOG_LINE);

export const s3AccessSource: LogSourceModule = {
  id: 's3access',
  columns: s3AccessColumns.map((c) => c.name),
  timeExpression: 'from_iso8601_timestamp(request_time)',

  detect(head) {
    const firstLine = head.split('\n', 1)[0] ?? '';
    return ACCESS_LOG_LINE.test(firstLine.replace(/\r$/, '')) ? LAYOUT : null;
  },

  /**
   * A line the expression does not match stops the read: the table builder then skips that file
   * with the line in its reason, instead of a row of NULLs nobody would notice.
   */
  duckdbSelect(paths, _layout, compressed) {
    const groups = `[${fields.map((f) => sqlString(f)).join(', ')}]`;
    const extracted = `SELECT line, regexp_extract(line, ${sqlString(S3_ACCESS_LOG_LINE)}, ${groups}) AS r FROM (${duckdbLines(paths, compressed)})`;
    const checked = `SELECT unnest(CASE WHEN r."time" = '' THEN ${duckdbRejectLine('not an S3 server access log line')} ELSE r END) FROM (${extracted})`;
    return `SELECT\n${s3AccessProjection}\nFROM (${checked})`;
  },

  athenaCreateTable(table, location) {
    const names = athenaNames(table);
    const uri = athenaLocationUri(location);
    const partitioning = accessLogPartitioning(uri, location);
    const rawTable = [
      `CREATE EXTERNAL TABLE ${names.rawDdl} (`,
      fields.map((field) => `  \`${field}\` string`).join(',\n'),
      ')',
      ...(partitioning ? [partitioning.partitionedBy] : []),
      "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'",
      `WITH SERDEPROPERTIES ('input.regex'=${hiveString(S3_ACCESS_LOG_LINE)})`,
      "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'",
      "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
      `LOCATION ${hiveString(uri)}`,
      ...(partitioning ? [tableProperties(partitioning.properties)] : []),
    ].join('\n');
    // RegexSerDe gives a row of NULLs for a line it cannot match; the view leaves those out.
    const view = [
      `CREATE OR REPLACE VIEW ${names.view} AS`,
      'SELECT',
      s3AccessProjection,
      `FROM ${names.rawView}`,
      'WHERE "time" IS NOT NULL',
    ].join('\n');
    return [`DROP TABLE IF EXISTS ${names.rawDdl}`, rawTable, view].join(ATHENA_STATEMENT_SEPARATOR);
  },
};

/**
 * Date-based keys (`<prefix><account>/<region>/<bucket>/YYYY/MM/DD/...`) are projected over the
 * accounts and regions the inventory found, the source buckets it listed below them (its
 * `resourceFolders`) and the window's delivery days. The bucket is an enum rather than `injected`:
 * an injected key must be pinned by an equality in every query, and hunts look across all buckets.
 * Without the bucket list, only account and region are projected and each reads everything below.
 * Flat keys (`<prefix>YYYY-MM-DD-HH-MM-SS-XXXX`, no account folders) have no folder to project, so
 * that table reads the whole prefix and only the window filter narrows it.
 */
function accessLogPartitioning(
  uri: string,
  location: AthenaLocation,
): { partitionedBy: string; properties: [string, string][] } | null {
  if (location.accounts.length === 0 && location.regions.length === 0) return null;
  const accountAndRegion: [string, string][] = [
    ['projection.enabled', 'true'],
    ...enumProjection('source_account', checkedAccounts(location)),
    ...enumProjection('source_region', checkedRegions(location)),
  ];
  const buckets = location.resourceFolders ?? [];
  if (buckets.length === 0) {
    return {
      partitionedBy: 'PARTITIONED BY (`source_account` string, `source_region` string)',
      properties: [
        ...accountAndRegion,
        ['storage.location.template', `${uri}\${source_account}/\${source_region}`],
      ],
    };
  }
  return {
    partitionedBy:
      'PARTITIONED BY (`source_account` string, `source_region` string, `source_bucket` string, `delivery_day` string)',
    properties: [
      ...accountAndRegion,
      ...enumProjection('source_bucket', checkedBuckets(buckets)),
      ...dayProjection('delivery_day', location.window),
      [
        'storage.location.template',
        `${uri}\${source_account}/\${source_region}/\${source_bucket}/\${delivery_day}`,
      ],
    ],
  };
}
