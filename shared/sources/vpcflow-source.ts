import { accountServiceRegionDay, externalTableSql, regexSerde } from './athena-table-ddl.js';
import { CLOUDWATCH_EXPORT_LAYOUT, firstExportedMessage } from './cloudwatch-export.js';
import {
  checkHeaderedLine,
  duckdbHeaderedSelect,
  type HeaderedText,
  headeredLineRegex,
} from './delimited-text.js';
import { firstLine, type LogSourceModule } from './log-source-module.js';
import { type ColumnType, column, duckdbType, type SourceColumn } from './source-columns.js';
import { FOLDERS_ARE_NOT_COLUMNS, sqlList, sqlString } from './source-sql.js';

/**
 * Every field of flow log versions 2 to 8, under the names and types of the Athena documentation's
 * flow log tables (its Parquet files use the same names): a file whose format lacks a field has
 * NULL in its column. `key` is the field's name in a text file's header.
 */
const flowField = (key: string, type: ColumnType = 'string'): SourceColumn =>
  column(key.replaceAll('-', '_'), type, key);

export const vpcflowColumns: SourceColumn[] = [
  flowField('version', 'int'),
  flowField('account-id'),
  flowField('interface-id'),
  flowField('srcaddr'),
  flowField('dstaddr'),
  flowField('srcport', 'int'),
  flowField('dstport', 'int'),
  flowField('protocol', 'bigint'),
  flowField('packets', 'bigint'),
  flowField('bytes', 'bigint'),
  flowField('start', 'bigint'),
  flowField('end', 'bigint'),
  flowField('action'),
  flowField('log-status'),
  flowField('vpc-id'),
  flowField('subnet-id'),
  flowField('instance-id'),
  flowField('tcp-flags', 'int'),
  flowField('type'),
  flowField('pkt-srcaddr'),
  flowField('pkt-dstaddr'),
  flowField('region'),
  flowField('az-id'),
  flowField('sublocation-type'),
  flowField('sublocation-id'),
  flowField('pkt-src-aws-service'),
  flowField('pkt-dst-aws-service'),
  flowField('flow-direction'),
  flowField('traffic-path', 'int'),
  flowField('ecs-cluster-arn'),
  flowField('ecs-cluster-name'),
  flowField('ecs-container-instance-arn'),
  flowField('ecs-container-instance-id'),
  flowField('ecs-container-id'),
  flowField('ecs-second-container-id'),
  flowField('ecs-service-name'),
  flowField('ecs-task-definition-arn'),
  flowField('ecs-task-arn'),
  flowField('ecs-task-id'),
  flowField('reject-reason'),
];

/** The format a flow log has when it is created without one. */
export const DEFAULT_FLOW_LOG_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

const knownFields = new Set(vpcflowColumns.map((c) => c.key));
const FIELD_NAME = /^[a-z][a-z0-9-]*$/;
/** A flow log says what moved between which addresses; a header without any of these is something else. */
const FLOW_ANCHORS = ['srcaddr', 'dstaddr', 'interface-id', 'log-status', 'pkt-srcaddr'];
/** Every Parquet flow log has these; a Parquet file without them fails its read and is reported. */
const REQUIRED_PARQUET_COLUMNS = ['srcaddr', 'dstaddr'];

/**
 * The header line of a delivered text file names its fields. Fields newer than this table are
 * accepted (and not read) as long as most of the header is known flow log fields.
 */
function headerFields(head: string): string[] | null {
  const fields = firstLine(head).trim().split(' ');
  if (fields.length < 2 || new Set(fields).size !== fields.length) return null;
  if (!fields.every((f) => FIELD_NAME.test(f))) return null;
  const known = fields.filter((f) => knownFields.has(f)).length;
  if (known * 2 < fields.length || !fields.some((f) => FLOW_ANCHORS.includes(f))) return null;
  return fields;
}

/**
 * A default-format record without a header: what CloudWatch Logs holds (and exports), one record
 * a message. Only the default format can be recognised so; a custom one needs its header.
 */
const DEFAULT_FORMAT_RECORD =
  /^\d+ (\d{12}|unknown) eni-[0-9a-f]+ \S+ \S+ (\d+|-) (\d+|-) (\d+|-) (\d+|-) (\d+|-) \d+ \d+ (ACCEPT|REJECT|-) (OK|NODATA|SKIPDATA)$/;

function headeredText(fields: string[], headerLines: number): HeaderedText {
  return { fields, columns: vpcflowColumns, delimiter: ' ', headerLines };
}

/** Files that start with their header; the layout names the fields. */
const TEXT_LAYOUT = 'text:';
/** Files of records only, in the default format. */
const HEADERLESS_LAYOUT = 'default-format-records';

/**
 * The export time CloudWatch Logs puts before each message: a field of its own, since it has no
 * space in it, read as a column the table does not have.
 */
const EXPORT_TIME_FIELD = 'cloudwatch-export-time';

function textLayout(layout: string): HeaderedText {
  if (layout === HEADERLESS_LAYOUT) return headeredText(DEFAULT_FLOW_LOG_FIELDS, 0);
  if (layout === CLOUDWATCH_EXPORT_LAYOUT)
    return headeredText([EXPORT_TIME_FIELD, ...DEFAULT_FLOW_LOG_FIELDS], 0);
  if (layout.startsWith(TEXT_LAYOUT)) return headeredText(layout.slice(TEXT_LAYOUT.length).split(','), 1);
  throw new Error(`Unknown flow log layout '${layout}'.`);
}

export const vpcflowSource: LogSourceModule = {
  id: 'vpcflow',
  columns: vpcflowColumns.map((c) => c.name),
  timeExpression: 'from_unixtime(start)',

  /**
   * Text files start with their header (`version account-id ...`), and the layout carries it, since
   * each flow log may have its own format; Parquet files are recognised by their magic number alone;
   * records without a header are read only in the default format. A flow log to CloudWatch Logs
   * writes one record a message, without a header, so its export is read only in the default
   * format too (the inventory does not export custom-format groups).
   */
  detect(head) {
    if (head.startsWith('PAR1')) return 'parquet';
    const fields = headerFields(head);
    if (fields) return `${TEXT_LAYOUT}${fields.join(',')}`;
    if (DEFAULT_FORMAT_RECORD.test(firstLine(head))) return HEADERLESS_LAYOUT;
    const exported = firstExportedMessage(head);
    return exported !== null && DEFAULT_FORMAT_RECORD.test(exported.trimEnd())
      ? CLOUDWATCH_EXPORT_LAYOUT
      : null;
  },

  checkRecord(line, layout, index) {
    return checkHeaderedLine(textLayout(layout), line as string, index);
  },

  duckdbSelect(paths, layout, compressed) {
    if (layout === 'parquet') return parquetSelect(paths);
    return duckdbHeaderedSelect(textLayout(layout), paths, compressed);
  },

  /**
   * `AWSLogs/<account>/vpcflowlogs/<region>/yyyy/MM/dd/`. Text files are read with a pattern built
   * from the location's header (the default format when the inventory did not sample one); a
   * location whose flow logs have several formats needs one table per format. An export folder has
   * no delivery layout (see cloudwatch-export.ts): the table reads the folder.
   */
  athenaCreateTable(table, location) {
    const parquet = location.layout === 'parquet';
    const exported = location.layout === CLOUDWATCH_EXPORT_LAYOUT;
    const text = textLayout(
      location.layout && !parquet ? location.layout : `${TEXT_LAYOUT}${DEFAULT_FLOW_LOG_FIELDS.join(',')}`,
    );
    return externalTableSql({
      table,
      columns: vpcflowColumns,
      storage: parquet ? ['STORED AS PARQUET'] : regexSerde(headeredLineRegex(text)),
      location,
      levels: exported ? [] : accountServiceRegionDay(location, 'vpcflowlogs'),
      properties:
        parquet || text.headerLines === 0 ? [] : [['skip.header.line.count', String(text.headerLines)]],
    });
  },
};

/**
 * Parquet files name their columns, and a custom format has only some of them: an empty relation
 * with every column, unioned by name, makes the missing ones NULL. Files read together share one
 * schema, so a file without the address columns (not a flow log) is refused by its own schema.
 */
function parquetSelect(paths: string[]): string {
  const files = sqlList(paths);
  const everyColumn = vpcflowColumns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS "${c.name}"`);
  const projection = vpcflowColumns.map((c) => `CAST("${c.name}" AS ${duckdbType(c.type)}) AS "${c.name}"`);
  const unfit = `SELECT file_name FROM parquet_schema(${files}) GROUP BY file_name HAVING count_if(name IN (${REQUIRED_PARQUET_COLUMNS.map(sqlString).join(', ')})) < ${REQUIRED_PARQUET_COLUMNS.length}`;
  const guard = `SELECT CASE WHEN count(*) > 0 THEN error(concat('not a flow log (no ${REQUIRED_PARQUET_COLUMNS.join(' or ')} column): ', min(file_name))) END AS problem FROM (${unfit})`;
  return `SELECT ${projection.join(', ')} FROM (SELECT ${everyColumn.join(', ')} WHERE false UNION ALL BY NAME SELECT * FROM read_parquet(${files}, union_by_name = true, ${FOLDERS_ARE_NOT_COLUMNS})) CROSS JOIN (${guard}) WHERE problem IS NULL`;
}
