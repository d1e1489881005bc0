import { awsLogsService, jsonTextTableSql, WHOLE_LINE_REGEX } from './athena-table-ddl.js';
import {
  athenaExportedJsonTable,
  CLOUDWATCH_EXPORT_LAYOUT,
  checkExportedJsonLine,
  duckdbExportedJsonSelect,
  firstExportedMessage,
} from './cloudwatch-export.js';
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

  /** Delivered to S3 (or Firehose) as JSON lines; a web ACL may log to a CloudWatch Logs group instead, whose export puts the time first. */
  detect(head) {
    if (jsonLinesNaming(head, RECORD_KEYS)) return 'json-lines';
    const message = firstExportedMessage(head);
    return message !== null && jsonLinesNaming(message, RECORD_KEYS) ? CLOUDWATCH_EXPORT_LAYOUT : null;
  },

  /** A JSON line, or in an export the JSON message behind the export's time. */
  checkRecord(record, layout) {
    if (layout === CLOUDWATCH_EXPORT_LAYOUT)
      return checkExportedJsonLine(record as string, (message) => checkJsonLinesRecord(wafColumns, message));
    return checkJsonLinesRecord(wafColumns, record);
  },

  duckdbSelect(paths, layout, compressed) {
    if (layout === CLOUDWATCH_EXPORT_LAYOUT)
      return duckdbExportedJsonSelect(wafColumns, paths, compressed, 'webaclId', 'a WAF log record');
    return duckdbJsonLinesSelect(wafColumns, paths, compressed);
  },

  /**
   * `AWSLogs/<account>/WAFLogs/<region>/<web-acl-name>/yyyy/MM/dd/HH/mm/` (`cloudfront` as the
   * region for global web ACLs). The day is projected only when the inventory listed the web ACL
   * folders; hours and minutes are read under the day. Read as text and parsed in the view (see
   * `jsonTextTableSql` for why no JSON SerDe): the records are camelCase, deeply nested JSON whose
   * rule-group details change with each managed rule set.
   */
  athenaCreateTable(table, location) {
    if (location.layout === CLOUDWATCH_EXPORT_LAYOUT)
      return athenaExportedJsonTable(table, location, wafColumns, 'webaclId');
    return jsonTextTableSql(
      table,
      {
        location,
        levels: [
          ...awsLogsService(location, 'WAFLogs'),
          { partition: 'delivery_region', values: location.regions },
          { partition: 'delivery_web_acl', values: location.resourceFolders ?? [] },
          { partition: 'delivery_day', day: true },
        ],
        regex: WHOLE_LINE_REGEX,
        lineColumns: ['message'],
      },
      { columns: wafColumns, requiredKey: 'webaclId' },
    );
  },
};
