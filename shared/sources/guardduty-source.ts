import { sqlString } from './cloudtrail-source.js';
import { duckdbColumn, duckdbType, field, hiveType, type JsonField, struct } from './json-record-schema.js';
import type { LogSourceModule } from './log-source-module.js';
import {
  ATHENA_STATEMENT_SEPARATOR,
  athenaLocationUri,
  athenaNames,
  checkedAccounts,
  checkedRegions,
  dayProjection,
  enumProjection,
  hiveString,
  sqlList,
  tableProperties,
} from './source-sql.js';

/**
 * GuardDuty findings as the S3 export writes them: one finding per line (`.jsonl.gz`, encrypted with
 * the KMS key the export names), under `AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/`. A finding
 * is exported again each time it is updated, so the same `id` appears on several lines; hunts keep
 * the latest. What varies by finding type (the resource, the action, evidence) is JSON text.
 */
export const guarddutyFields: JsonField[] = [
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
    field('count', 'integer'),
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
  columns: guarddutyFields.map((f) => f.name),
  /** When the finding's activity was last seen: an update exported later still dates the activity. */
  timeExpression: 'from_iso8601_timestamp(coalesce(service.eventlastseen, updatedat))',

  detect(head) {
    if (!head.startsWith('{')) return null;
    const firstLine = (head.split('\n', 1)[0] ?? '').slice(0, 16_384);
    return SCHEMA_VERSION.test(firstLine) && FINDING_ARN.test(firstLine) ? 'json-lines' : null;
  },

  duckdbSelect(paths, _layout, compressed) {
    const columns = `{${guarddutyFields.map((f) => `${sqlString(f.jsonKey)}: ${sqlString(duckdbType(f.type, true))}`).join(', ')}}`;
    const read = `read_json(${sqlList(paths)}, format = 'newline_delimited', columns = ${columns}, compression = '${compressed ? 'gzip' : 'uncompressed'}')`;
    return `SELECT ${guarddutyFields.map((f) => duckdbColumn('f', f)).join(', ')} FROM ${read} AS f`;
  },

  /**
   * Projected over the accounts and regions found under `AWSLogs/` and the window's delivery days.
   * The partition keys are named `delivery_*` (the records carry their own `accountid` and `region`)
   * and the view leaves them out, so hunts see the DuckDB table's columns. A malformed line becomes
   * a row of NULLs, which the view drops, instead of failing every hunt; the embedded engine, which
   * can name the file, skips it and reports it.
   */
  athenaCreateTable(table, location) {
    const names = athenaNames(table);
    const logs = `${athenaLocationUri(location)}AWSLogs/`;
    const rawTable = [
      `CREATE EXTERNAL TABLE ${names.rawDdl} (`,
      guarddutyFields.map((f) => `  \`${f.name}\` ${hiveType(f.type)}`).join(',\n'),
      ')',
      'PARTITIONED BY (`delivery_account` string, `delivery_region` string, `delivery_day` string)',
      "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
      "WITH SERDEPROPERTIES ('ignore.malformed.json'='true')",
      "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'",
      "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
      `LOCATION ${hiveString(logs)}`,
      tableProperties([
        ['projection.enabled', 'true'],
        ...enumProjection('delivery_account', checkedAccounts(location)),
        ...enumProjection('delivery_region', checkedRegions(location)),
        ...dayProjection('delivery_day', location.window),
        [
          'storage.location.template',
          `${logs}\${delivery_account}/GuardDuty/\${delivery_region}/\${delivery_day}`,
        ],
      ]),
    ].join('\n');
    const view = [
      `CREATE OR REPLACE VIEW ${names.view} AS`,
      'SELECT',
      guarddutyFields.map((f) => `  "${f.name}"`).join(',\n'),
      `FROM ${names.rawView}`,
      'WHERE "id" IS NOT NULL',
    ].join('\n');
    return [`DROP TABLE IF EXISTS ${names.rawDdl}`, rawTable, view].join(ATHENA_STATEMENT_SEPARATOR);
  },
};
