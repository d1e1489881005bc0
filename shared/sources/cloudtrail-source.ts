import { InvalidRequestError } from '../errors.js';
import { accountServiceRegionDay, externalTableSql } from './athena-table-ddl.js';
import { cloudtrailColumns } from './cloudtrail-schema.js';
import type { LogSourceModule } from './log-source-module.js';
import { checkRecordShape, type DeclaredStructure } from './record-shape.js';
import { duckdbCompression, FOLDERS_ARE_NOT_COLUMNS, sqlList, sqlString } from './source-sql.js';

/** A whole CloudTrail file is one JSON object; 16 MB (DuckDB's default) is below real files. */
const MAXIMUM_OBJECT_SIZE = 64 * 1024 * 1024;

/**
 * A CloudTrail event names its API and service; Insights and digest files do not look like this.
 * The whole first record is searched: `eventName` can sit after kilobytes of request parameters.
 */
function looksLikeCloudTrailRecord(objectText: string): boolean {
  return (
    /"eventVersion"\s*:/.test(objectText) &&
    /"eventSource"\s*:/.test(objectText) &&
    /"eventName"\s*:/.test(objectText)
  );
}

/** The text from the first `{` after the opening bracket: enough to see the first record's keys. */
function firstObjectAfter(text: string, opener: string): string {
  const start = text.indexOf('{', text.indexOf(opener) + 1);
  return start < 0 ? '' : text.slice(start);
}

/** JSON is read as JSON (any shape is accepted) and stored as text, Athena's type for these columns. */
const asTableColumn = (source: string, c: (typeof cloudtrailColumns)[number]) =>
  c.duckdb === 'JSON' ? `CAST(${source} AS VARCHAR) AS ${c.name}` : `${source} AS ${c.name}`;

const recordStructure = Object.fromEntries(
  cloudtrailColumns.map((c) => [c.jsonKey, c.jsonStructure]),
) as DeclaredStructure;
const lookupStructure = JSON.stringify(recordStructure);

const recordColumns = `{${cloudtrailColumns.map((c) => `${sqlString(c.jsonKey)}: ${sqlString(c.duckdb)}`).join(', ')}}`;

export const cloudtrailSource: LogSourceModule = {
  id: 'cloudtrail',
  columns: cloudtrailColumns.map((c) => c.name),
  timeExpression: 'from_iso8601_timestamp(eventtime)',
  // Most CloudTrail hunts name the API calls they look for: sorted by name, a hunt reads a few row
  // groups. Only when no hunt is routed: a case's event classes do better (duckdb-table-builder.ts).
  duckdbClusterBy: 'eventname',

  detect(head) {
    // `aws cloudtrail lookup-events` output: each record is a JSON string in `CloudTrailEvent`.
    if (/^\{\s*"Events"\s*:\s*\[/.test(head)) {
      return /"CloudTrailEvent"\s*:\s*"\{/.test(head.slice(0, 32_768)) ? 'lookup-events' : null;
    }
    if (/^\{\s*"Records"\s*:/.test(head)) {
      return looksLikeCloudTrailRecord(firstObjectAfter(head, '[')) ? 'records-object' : null;
    }
    if (head.startsWith('['))
      return looksLikeCloudTrailRecord(firstObjectAfter(head, '[')) ? 'json-array' : null;
    if (head.startsWith('{')) return looksLikeCloudTrailRecord(head) ? 'json-lines' : null;
    return null;
  },

  /**
   * Every layout's records are events (a lookup's `CloudTrailEvent` is parsed before it is checked):
   * `userIdentity` and `tlsDetails` are objects and `resources` a list of objects, as the record
   * contents define them (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html);
   * a record that breaks that shape would fail the declared struct columns of the whole read.
   */
  checkRecord(record) {
    return checkRecordShape(record, recordStructure);
  },

  /**
   * Declared columns, never auto-detection: sampling misses keys that appear in later files and
   * guesses types that drift from file to file.
   */
  duckdbSelect(paths, layout, compressed) {
    const files = sqlList(paths);
    const compression = `${duckdbCompression(compressed)}, ${FOLDERS_ARE_NOT_COLUMNS}`;
    if (layout === 'records-object') {
      const recordType = `STRUCT(${cloudtrailColumns.map((c) => `"${c.jsonKey}" ${c.duckdb}`).join(', ')})[]`;
      const rows = `SELECT unnest("Records") AS r FROM read_json(${files}, format = 'unstructured', columns = {'Records': ${sqlString(recordType)}}, ${compression}, maximum_object_size = ${MAXIMUM_OBJECT_SIZE})`;
      const projection = cloudtrailColumns.map((c) => asTableColumn(`r."${c.jsonKey}"`, c)).join(', ');
      return `SELECT ${projection} FROM (${rows}) WHERE r IS NOT NULL`;
    }
    if (layout === 'lookup-events') {
      const events = `SELECT unnest("Events") AS e FROM read_json(${files}, format = 'unstructured', columns = {'Events': 'STRUCT("CloudTrailEvent" VARCHAR)[]'}, ${compression}, maximum_object_size = ${MAXIMUM_OBJECT_SIZE})`;
      const rows = `SELECT json_transform(e."CloudTrailEvent", ${sqlString(lookupStructure)}) AS r FROM (${events})`;
      const projection = cloudtrailColumns.map((c) => asTableColumn(`r."${c.jsonKey}"`, c)).join(', ');
      return `SELECT ${projection} FROM (${rows}) WHERE r IS NOT NULL`;
    }
    const format = layout === 'json-array' ? 'array' : 'newline_delimited';
    const projection = cloudtrailColumns.map((c) => asTableColumn(`"${c.jsonKey}"`, c)).join(', ');
    return `SELECT ${projection} FROM read_json(${files}, format = '${format}', columns = ${recordColumns}, ${compression}, maximum_object_size = ${MAXIMUM_OBJECT_SIZE})`;
  },

  /**
   * The table the Athena documentation gives for CloudTrail (CloudTrailSerde), over
   * `AWSLogs/[<organization id>/]<account>/CloudTrail/<region>/yyyy/MM/dd/`, projected over the
   * accounts and regions found and the window's delivery days. Digest files sit under
   * `CloudTrail-Digest/`, a folder the template never names.
   * https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html
   */
  athenaCreateTable(table, location) {
    if (location.regions.length === 0) {
      throw new InvalidRequestError('no region folders found under AWSLogs/, so there is nothing to project');
    }
    return externalTableSql({
      table,
      columns: cloudtrailColumns,
      storage: [
        "ROW FORMAT SERDE 'com.amazon.emr.hive.serde.CloudTrailSerde'",
        "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
      ],
      location,
      levels: accountServiceRegionDay(location, 'CloudTrail'),
    });
  },
};
