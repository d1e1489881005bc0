import { externalTableWithViewSql, regexSerde } from './athena-table-ddl.js';
import {
  CLOUDWATCH_EXPORT_LAYOUT,
  checkExportedJsonLine,
  firstExportedMessage,
} from './cloudwatch-export.js';
import { firstLine, type LogSourceModule } from './log-source-module.js';
import type { RecordCheck } from './record-shape.js';
import {
  checkJsonLinesRecord,
  column,
  duckdbJsonStructure,
  duckdbKeyColumn,
  field,
  type SourceColumn,
  sqlColumn,
  struct,
  trinoFromJson,
} from './source-columns.js';
import { duckdbLines, duckdbRejectLine, sqlString } from './source-sql.js';

/**
 * EKS control-plane audit logs: Kubernetes audit events (`audit.k8s.io/v1`), one JSON object per
 * line. EKS writes them to CloudWatch Logs; an export to S3 writes each as `<ISO time> <event>`,
 * while a responder's own dump is usually plain JSON lines. Both are read; objects whose keys vary
 * by resource (request and response bodies, annotations) are JSON text.
 */
const identity = (jsonKey: string): SourceColumn =>
  struct(jsonKey, [
    field('username'),
    field('uid'),
    field('groups', { array: 'string' }),
    field('extra', 'json'),
  ]);

export const eksAuditColumns: SourceColumn[] = [
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
  struct('responseStatus', [field('code', 'int'), field('status'), field('reason'), field('message')]),
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
  column('authorization_decision', 'string', 'authorization.k8s.io/decision'),
  column('authorization_reason', 'string', 'authorization.k8s.io/reason'),
];

export const eksAuditColumnNames = [...eksAuditColumns, ...annotationColumns].map((c) => c.name);

const EVENT = /"kind"\s*:\s*"Event"/;
const AUDIT_API = /"apiVersion"\s*:\s*"audit\.k8s\.io\/v1"/;

function isAuditEvent(objectText: string): boolean {
  const start = objectText.slice(0, 16_384);
  return start.startsWith('{') && EVENT.test(start) && AUDIT_API.test(start);
}

/** An audit event fits when it is one and its values fit the columns; an export line carries it behind a time. */
function checkAuditRecord(record: unknown, layout: string): RecordCheck {
  if (layout !== CLOUDWATCH_EXPORT_LAYOUT) return checkAuditEvent(record);
  return checkExportedJsonLine(record as string, checkAuditEvent);
}

function checkAuditEvent(event: unknown): RecordCheck {
  if ((event as { kind?: unknown } | null)?.kind !== 'Event')
    return { problem: 'not a Kubernetes audit event' };
  return checkJsonLinesRecord(eksAuditColumns, event);
}

export const eksAuditSource: LogSourceModule = {
  id: 'eksaudit',
  columns: eksAuditColumnNames,
  timeExpression: 'from_iso8601_timestamp(requestreceivedtimestamp)',

  detect(head) {
    const line = firstLine(head);
    if (isAuditEvent(line)) return 'json-lines';
    const exported = firstExportedMessage(head);
    if (exported !== null && isAuditEvent(exported)) return CLOUDWATCH_EXPORT_LAYOUT;
    return null;
  },

  checkRecord(record, layout) {
    return checkAuditRecord(record, layout);
  },

  /**
   * Lines, not read_json: the export layout puts a time before each object. Broken JSON fails
   * from_json, and a line that parses but is no audit event fails on purpose, so either way the file
   * is skipped with the line in the reason.
   */
  duckdbSelect(paths, layout, compressed) {
    const message = layout === CLOUDWATCH_EXPORT_LAYOUT ? "substr(line, strpos(line, ' ') + 1)" : 'line';
    const parsed = `SELECT line, from_json(${message}, ${sqlString(duckdbJsonStructure(eksAuditColumns))}) AS e FROM (${duckdbLines(paths, compressed)})`;
    const checked = `SELECT CASE WHEN e."kind" IS DISTINCT FROM 'Event' THEN ${duckdbRejectLine('not a Kubernetes audit event')} ELSE e END AS e FROM (${parsed})`;
    const columns = [
      ...eksAuditColumns.map((c) => duckdbKeyColumn(c, 'e')),
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
    const columns = [
      ...eksAuditColumns.map((c) => `  ${trinoFromJson('message', '$', c)}`),
      ...annotationColumns.map(
        (c) => `  ${sqlColumn(c, `json_extract_scalar(message, '$.annotations["${c.key}"]')`)}`,
      ),
    ];
    return externalTableWithViewSql(
      table,
      {
        columns: [column('export_time', 'string'), column('message', 'string')],
        storage: regexSerde('^(?:(\\d{4}-\\d{2}-\\d{2}T\\S+) )?(\\{.*)$'),
        location,
        levels: [],
      },
      // Lines that are no audit event (the export's permission-check object) are left out, as DuckDB refuses them.
      { select: columns.join(',\n'), where: "json_extract_scalar(message, '$.kind') = 'Event'" },
    );
  },
};
