import { awsLogsService, externalTableSql, jsonLinesSerde } from './athena-table-ddl.js';
import { jsonLinesNaming, type LogSourceModule } from './log-source-module.js';
import { checkJsonLinesRecord, duckdbJsonLinesSelect, field, type SourceColumn } from './source-columns.js';

/**
 * An AWS WAF log record, under the Athena documentation's column names. The request, the labels
 * and the web ACL's own count rules are typed for hunting; the deeply nested rule-group details,
 * which change with each managed rule set, are kept as JSON text.
 */
export const wafColumns: SourceColumn[] = [
  field('timestamp', 'bigint'),
  field('formatVersion', 'int'),
  field('webaclId'),
  field('terminatingRuleId'),
  field('terminatingRuleType'),
  field('action'),
  field('terminatingRuleMatchDetails', 'json'),
  field('httpSourceName'),
  field('httpSourceId'),
  field('ruleGroupList', 'json'),
  field('rateBasedRuleList', 'json'),
  field('nonTerminatingMatchingRules', {
    array: { struct: [field('ruleId', 'string'), field('action', 'string')] },
  }),
  field('requestHeadersInserted', 'json'),
  field('responseCodeSent'),
  field('httpRequest', {
    struct: [
      field('clientIp', 'string'),
      field('country', 'string'),
      field('headers', { array: { struct: [field('name', 'string'), field('value', 'string')] } }),
      field('uri', 'string'),
      field('args', 'string'),
      field('httpVersion', 'string'),
      field('httpMethod', 'string'),
      field('requestId', 'string'),
      field('fragment', 'string'),
      field('scheme', 'string'),
      field('host', 'string'),
    ],
  }),
  field('labels', { array: { struct: [field('name', 'string')] } }),
  field('captchaResponse', 'json'),
  field('challengeResponse', 'json'),
  field('ja3Fingerprint'),
  field('ja4Fingerprint'),
  field('oversizeFields', 'json'),
  field('requestBodySize', 'int'),
  field('requestBodySizeInspectedByWAF', 'int'),
];

/** A record names its web ACL, the rule that decided and the request; other JSON does not. */
const RECORD_KEYS = ['webaclId', 'terminatingRuleId', 'httpRequest'];

export const wafSource: LogSourceModule = {
  id: 'waf',
  columns: wafColumns.map((c) => c.name),
  timeExpression: 'from_unixtime("timestamp" / 1e3)',

  detect(head) {
    return jsonLinesNaming(head, RECORD_KEYS) ? 'json-lines' : null;
  },

  checkRecord(record) {
    return checkJsonLinesRecord(wafColumns, record);
  },

  duckdbSelect(paths, _layout, compressed) {
    return duckdbJsonLinesSelect(wafColumns, paths, compressed);
  },

  /**
   * `AWSLogs/<account>/WAFLogs/<region>/<web-acl-name>/yyyy/MM/dd/HH/mm/` (`cloudfront` as the
   * region for global web ACLs). The day is projected only when the inventory listed the web ACL
   * folders; hours and minutes are read under the day.
   */
  athenaCreateTable(table, location) {
    return externalTableSql({
      table,
      columns: wafColumns,
      storage: jsonLinesSerde,
      location,
      levels: [
        ...awsLogsService(location, 'WAFLogs'),
        { partition: 'delivery_region', values: location.regions },
        { partition: 'delivery_web_acl', values: location.resourceFolders ?? [] },
        { partition: 'delivery_day', day: true },
      ],
    });
  },
};
