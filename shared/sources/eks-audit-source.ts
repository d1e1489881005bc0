import { sqlString } from './cloudtrail-source.js';
import {
  duckdbColumn,
  duckdbJsonStructure,
  field,
  type JsonField,
  struct,
  trinoFromJson,
} from './json-record-schema.js';
import type { LogSourceModule } from './log-source-module.js';
import {
  ATHENA_STATEMENT_SEPARATOR,
  athenaLocationUri,
  athenaNames,
  duckdbLines,
  duckdbRejectLine,
  hiveString,
} from './source-sql.js';

/**
 * EKS control-plane audit logs: Kubernetes audit events (`audit.k8s.io/v1`), one JSON object per
 * line. EKS writes them to CloudWatch Logs; an export to S3 writes each as `<ISO time> <event>`,
 * while a responder's own dump is usually plain JSON lines. Both are read; objects whose keys vary
 * by resource (request and response bodies, annotations) are JSON text.
 */
const identity = (jsonKey: string): JsonField =>
  struct(jsonKey, [
    field('username'),
    field('uid'),
    field('groups', { array: 'string' }),
    field('extra', 'json'),
  ]);

export const eksAuditFields: JsonField[] = [
  field('kind'),
  field('apiVersion'),
  field('level'),
  field('auditID'),
  field('stage'),
  field('requestURI'),
  field('verb'),
  identity('user'),
  identity('impersonatedUser'),
  field('sourceIPs', { array: 'string' }),
  field('userAgent'),
  struct('objectRef', [
    field('resource'),
    field('namespace'),
    field('name'),
    field('apiGroup'),
    field('apiVersion'),
    field('subresource'),
  ]),
  struct('responseStatus', [field('code', 'integer'), field('status'), field('reason'), field('message')]),
  field('requestObject', 'json'),
  field('responseObject', 'json'),
  field('requestReceivedTimestamp'),
  field('stageTimestamp'),
  field('annotations', 'json'),
];

/**
 * The authorizer's verdict, lifted out of `annotations` because its keys hold dots and slashes, which
 * the two engines' JSON paths quote differently (`$."a.b"` in DuckDB, `$["a.b"]` in Trino).
 */
const annotationColumns = [
  { name: 'authorization_decision', key: 'authorization.k8s.io/decision' },
  { name: 'authorization_reason', key: 'authorization.k8s.io/reason' },
];

export const eksAuditColumnNames = [
  ...eksAuditFields.map((f) => f.name),
  ...annotationColumns.map((c) => c.name),
];

const EVENT = /"kind"\s*:\s*"Event"/;
const AUDIT_API = /"apiVersion"\s*:\s*"audit\.k8s\.io\/v1"/;
const EXPORT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z /;

function isAuditEvent(objectText: string): boolean {
  const start = objectText.slice(0, 16_384);
  return start.startsWith('{') && EVENT.test(start) && AUDIT_API.test(start);
}

export const eksAuditSource: LogSourceModule = {
  id: 'eksaudit',
  columns: eksAuditColumnNames,
  timeExpression: 'from_iso8601_timestamp(requestreceivedtimestamp)',

  detect(head) {
    const firstLine = head.split('\n', 1)[0] ?? '';
    if (isAuditEvent(firstLine)) return 'json-lines';
    const exportTime = EXPORT_TIME.exec(firstLine);
    if (exportTime && isAuditEvent(firstLine.slice(exportTime[0].length))) return 'cloudwatch-export';
    return null;
  },

  /**
   * Lines, not read_json: the export layout puts a time before each object. Broken JSON fails
   * from_json, and a line that parses but is no audit event fails on purpose, so either way the file
   * is skipped with the line in the reason.
   */
  duckdbSelect(paths, layout, compressed) {
    const message = layout === 'cloudwatch-export' ? "substr(line, strpos(line, ' ') + 1)" : 'line';
    const parsed = `SELECT line, from_json(${message}, ${sqlString(duckdbJsonStructure(eksAuditFields))}) AS e FROM (${duckdbLines(paths, compressed)})`;
    const checked = `SELECT CASE WHEN e."kind" IS DISTINCT FROM 'Event' THEN ${duckdbRejectLine('not a Kubernetes audit event')} ELSE e END AS e FROM (${parsed})`;
    const columns = [
      ...eksAuditFields.map((f) => duckdbColumn('e', f)),
      ...annotationColumns.map(
        (c) => `json_extract_string(e."annotations", ${sqlString(`$."${c.key}"`)}) AS "${c.name}"`,
      ),
    ];
    return `SELECT ${columns.join(', ')} FROM (${checked})`;
  },

  /**
   * CloudWatch Logs exports have no date in their keys (`<prefix><task>/<stream>/000000.gz`), so
   * nothing is projected and the window filter narrows the rows. RegexSerDe splits the optional
   * export time from the event, so plain JSON lines read the same way; the view extracts the columns.
   */
  athenaCreateTable(table, location) {
    const names = athenaNames(table);
    const rawTable = [
      `CREATE EXTERNAL TABLE ${names.rawDdl} (`,
      '  `export_time` string,',
      '  `message` string',
      ')',
      "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'",
      `WITH SERDEPROPERTIES ('input.regex'=${hiveString('^(?:(\\d{4}-\\d{2}-\\d{2}T\\S+) )?(\\{.*)$')})`,
      "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'",
      "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
      `LOCATION ${hiveString(athenaLocationUri(location))}`,
    ].join('\n');
    const columns = [
      ...eksAuditFields.map((f) => `  ${trinoFromJson('message', '$', f)}`),
      ...annotationColumns.map(
        (c) => `  CAST(json_extract_scalar(message, '$.annotations["${c.key}"]') AS varchar) AS "${c.name}"`,
      ),
    ];
    // Lines that are no audit event (the export's permission-check object) are left out, as DuckDB refuses them.
    const view = [
      `CREATE OR REPLACE VIEW ${names.view} AS`,
      'SELECT',
      columns.join(',\n'),
      `FROM ${names.rawView}`,
      "WHERE json_extract_scalar(message, '$.kind') = 'Event'",
    ].join('\n');
    return [`DROP TABLE IF EXISTS ${names.rawDdl}`, rawTable, view].join(ATHENA_STATEMENT_SEPARATOR);
  },
};
