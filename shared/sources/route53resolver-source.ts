import { awsLogsService, jsonTextTableSql, WHOLE_LINE_REGEX } from './athena-table-ddl.js';
import {
  athenaExportedJsonTable,
  CLOUDWATCH_EXPORT_LAYOUT,
  checkExportedJsonLine,
  duckdbExportedJsonSelect,
  firstExportedMessage,
} from './cloudwatch-export.js';
import { jsonLinesNaming, type LogSourceModule } from './log-source-module.js';
import {
  checkJsonLinesRecord,
  column,
  duckdbJsonLinesSelect,
  field,
  type SourceColumn,
} from './source-columns.js';

/** A Route 53 Resolver query log record, under the Athena documentation's column names. */
export const route53resolverColumns: SourceColumn[] = [
  column('version', 'string'),
  column('account_id', 'string'),
  column('region', 'string'),
  column('vpc_id', 'string'),
  column('query_timestamp', 'string'),
  column('query_name', 'string'),
  column('query_type', 'string'),
  column('query_class', 'string'),
  column('rcode', 'string'),
  column('answers', {
    array: { struct: [field('Rdata', 'string'), field('Type', 'string'), field('Class', 'string')] },
  }),
  column('srcaddr', 'string'),
  column('srcport', 'int'),
  column('transport', 'string'),
  column('srcids', { struct: [field('instance', 'string'), field('resolver_endpoint', 'string')] }),
  column('firewall_rule_action', 'string'),
  column('firewall_rule_group_id', 'string'),
  column('firewall_domain_list_id', 'string'),
];

const RECORD_KEYS = ['query_timestamp', 'query_name', 'query_type', 'rcode'];

export const route53resolverSource: LogSourceModule = {
  id: 'route53resolver',
  columns: route53resolverColumns.map((c) => c.name),
  timeExpression: 'from_iso8601_timestamp(query_timestamp)',

  /** Delivered to S3 as JSON lines; a query logging configuration may log to CloudWatch Logs instead, whose export puts the time first. */
  detect(head) {
    if (jsonLinesNaming(head, RECORD_KEYS)) return 'json-lines';
    const message = firstExportedMessage(head);
    return message !== null && jsonLinesNaming(message, RECORD_KEYS) ? CLOUDWATCH_EXPORT_LAYOUT : null;
  },

  /** A JSON line, or in an export the JSON message behind the export's time. */
  checkRecord(record, layout) {
    if (layout === CLOUDWATCH_EXPORT_LAYOUT)
      return checkExportedJsonLine(record as string, (message) =>
        checkJsonLinesRecord(route53resolverColumns, message),
      );
    return checkJsonLinesRecord(route53resolverColumns, record);
  },

  duckdbSelect(paths, layout, compressed) {
    if (layout === CLOUDWATCH_EXPORT_LAYOUT)
      return duckdbExportedJsonSelect(
        route53resolverColumns,
        paths,
        compressed,
        'query_timestamp',
        'a Resolver query log record',
      );
    return duckdbJsonLinesSelect(route53resolverColumns, paths, compressed);
  },

  /**
   * `AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/yyyy/MM/dd/`. VPC ids cannot be derived from
   * anything else the case knows: the day is projected only when the inventory listed the VPC
   * folders, otherwise the table reads every day of every VPC of each account. Read as text and
   * parsed in the view (see `jsonTextTableSql` for why no JSON SerDe): the answers' keys are
   * capitalised (`Rdata`), and a truncated record costs only its line.
   */
  athenaCreateTable(table, location) {
    if (location.layout === CLOUDWATCH_EXPORT_LAYOUT)
      return athenaExportedJsonTable(table, location, route53resolverColumns, 'query_timestamp');
    return jsonTextTableSql(
      table,
      {
        location,
        levels: [
          ...awsLogsService(location, 'vpcdnsquerylogs'),
          { partition: 'delivery_vpc', values: location.resourceFolders ?? [] },
          { partition: 'delivery_day', day: true },
        ],
        regex: WHOLE_LINE_REGEX,
        lineColumns: ['message'],
      },
      { columns: route53resolverColumns, requiredKey: 'query_timestamp' },
    );
  },
};
