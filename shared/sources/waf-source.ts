import { checkAccounts, externalTableSql, jsonLinesSerde } from './athena-table-ddl.js';
import type { LogSourceModule } from './log-source-module.js';
import {
  type ColumnType,
  column,
  duckdbJsonLinesSelect,
  field,
  type SourceColumn,
} from './source-columns.js';

const key = (deliveredKey: string, type: ColumnType = 'string'): SourceColumn =>
  column(deliveredKey.toLowerCase(), type, deliveredKey);

/**
 * An AWS WAF log record, under the Athena documentation's column names. The request, the labels
 * and the web ACL's own count rules are typed for hunting; the deeply nested rule-group details,
 * which change with each managed rule set, are kept as JSON text.
 */
export const wafColumns: SourceColumn[] = [
  key('timestamp', 'bigint'),
  key('formatVersion', 'int'),
  key('webaclId'),
  key('terminatingRuleId'),
  key('terminatingRuleType'),
  key('action'),
  key('terminatingRuleMatchDetails', 'json'),
  key('httpSourceName'),
  key('httpSourceId'),
  key('ruleGroupList', 'json'),
  key('rateBasedRuleList', 'json'),
  key('nonTerminatingMatchingRules', {
    array: { struct: [field('ruleId', 'string'), field('action', 'string')] },
  }),
  key('requestHeadersInserted', 'json'),
  key('responseCodeSent'),
  key('httpRequest', {
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
  key('labels', { array: { struct: [field('name', 'string')] } }),
  key('captchaResponse', 'json'),
  key('challengeResponse', 'json'),
  key('ja3Fingerprint'),
  key('ja4Fingerprint'),
  key('oversizeFields', 'json'),
  key('requestBodySize', 'int'),
  key('requestBodySizeInspectedByWAF', 'int'),
];

/** A record names its web ACL, the rule that decided and the request; other JSON does not. */
function looksLikeWafRecord(line: string): boolean {
  return (
    /"webaclId"\s*:/.test(line) && /"terminatingRuleId"\s*:/.test(line) && /"httpRequest"\s*:/.test(line)
  );
}

export const wafSource: LogSourceModule = {
  id: 'waf',
  columns: wafColumns.map((c) => c.name),
  timeExpression: 'from_unixtime("timestamp" / 1e3)',

  detect(head) {
    return head.startsWith('{') && looksLikeWafRecord(head.split('\n', 1)[0] ?? '') ? 'json-lines' : null;
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
        { literal: 'AWSLogs' },
        { partition: 'delivery_account', values: checkAccounts(location.accounts) },
        { literal: 'WAFLogs' },
        { partition: 'delivery_region', values: location.regions },
        { partition: 'delivery_web_acl', values: location.resourceFolders ?? [] },
        { partition: 'delivery_day', day: true },
      ],
    });
  },
};
