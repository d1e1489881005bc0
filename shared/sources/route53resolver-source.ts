import { awsLogsService, externalTableSql, jsonLinesSerde } from './athena-table-ddl.js';
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

  detect(head) {
    return jsonLinesNaming(head, RECORD_KEYS) ? 'json-lines' : null;
  },

  checkRecord(record) {
    return checkJsonLinesRecord(route53resolverColumns, record);
  },

  duckdbSelect(paths, _layout, compressed) {
    return duckdbJsonLinesSelect(route53resolverColumns, paths, compressed);
  },

  /**
   * `AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/yyyy/MM/dd/`. VPC ids cannot be derived from
   * anything else the case knows: the day is projected only when the inventory listed the VPC
   * folders, otherwise the table reads every day of every VPC of each account.
   */
  athenaCreateTable(table, location) {
    return externalTableSql({
      table,
      columns: route53resolverColumns,
      storage: jsonLinesSerde,
      location,
      levels: [
        ...awsLogsService(location, 'vpcdnsquerylogs'),
        { partition: 'delivery_vpc', values: location.resourceFolders ?? [] },
        { partition: 'delivery_day', day: true },
      ],
    });
  },
};
