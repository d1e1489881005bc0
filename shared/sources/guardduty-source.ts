import { accountServiceRegionDay, jsonTextTableSql, WHOLE_LINE_REGEX } from './athena-table-ddl.js';
import { firstLine, type LogSourceModule } from './log-source-module.js';
import {
  checkJsonLinesRecord,
  duckdbJsonLinesSelect,
  field,
  type SourceColumn,
  struct,
} from './source-columns.js';

/**
 * GuardDuty findings as the S3 export writes them: one finding per line (`.jsonl.gz`, encrypted with
 * the KMS key the export names), under `AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/`. A finding
 * is exported again each time it is updated, so the same `id` appears on several lines; hunts keep
 * the latest. What varies by finding type (the resource, the action, evidence) is JSON text.
 */
export const guarddutyColumns: SourceColumn[] = [
  field('schemaVersion'),
  field('accountId'),
  field('region'),
  field('partition'),
  field('id'),
  field('arn'),
  field('type'),
  field('resource', 'json'),
  struct('service', [
    field('serviceName'),
    field('detectorId'),
    field('featureName'),
    field('action', 'json'),
    field('evidence', 'json'),
    field('additionalInfo', 'json'),
    field('runtimeDetails', 'json'),
    field('detection', 'json'),
    field('resourceRole'),
    field('eventFirstSeen'),
    field('eventLastSeen'),
    field('archived', 'boolean'),
    field('count', 'int'),
  ]),
  field('severity', 'double'),
  field('createdAt'),
  field('updatedAt'),
  field('title'),
  field('description'),
];

const FINDING_ARN = /"arn"\s*:\s*"arn:aws[a-z-]*:guardduty:/;
const SCHEMA_VERSION = /"schemaVersion"\s*:/;

export const guarddutySource: LogSourceModule = {
  id: 'guardduty',
  columns: guarddutyColumns.map((c) => c.name),
  /** When the finding's activity was last seen: an update exported later still dates the activity. */
  timeExpression: 'from_iso8601_timestamp(coalesce(service.eventlastseen, updatedat))',

  detect(head) {
    if (!head.startsWith('{')) return null;
    const line = firstLine(head).slice(0, 16_384);
    return SCHEMA_VERSION.test(line) && FINDING_ARN.test(line) ? 'json-lines' : null;
  },

  checkRecord(record) {
    return checkJsonLinesRecord(guarddutyColumns, record);
  },

  duckdbSelect(paths, _layout, compressed) {
    return duckdbJsonLinesSelect(guarddutyColumns, paths, compressed);
  },

  /**
   * Projected over the accounts and regions found under `AWSLogs/` and the window's delivery days.
   * The partition keys are named `delivery_*` (the records carry their own `accountid` and `region`)
   * and the view leaves them out, so hunts see the DuckDB table's columns. Findings are camelCase
   * JSON whose nesting varies by finding type: read as text (see `jsonTextTableSql` for why not a
   * JSON SerDe), a malformed line is dropped by the view instead of failing every hunt; the
   * embedded engine, which can name the file, skips it and reports it.
   */
  athenaCreateTable(table, location) {
    return jsonTextTableSql(
      table,
      {
        location,
        levels: accountServiceRegionDay(location, 'GuardDuty'),
        regex: WHOLE_LINE_REGEX,
        lineColumns: ['message'],
      },
      { columns: guarddutyColumns, requiredKey: 'id' },
    );
  },
};
