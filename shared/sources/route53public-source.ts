import { externalTableSql, regexSerde } from './athena-table-ddl.js';
import { CLOUDWATCH_EXPORT_LAYOUT } from './cloudwatch-export.js';
import {
  checkHeaderedLine,
  duckdbHeaderedSelect,
  type HeaderedText,
  headeredLineRegex,
} from './delimited-text.js';
import { firstLine, type LogSourceModule } from './log-source-module.js';
import { column, type SourceColumn } from './source-columns.js';

/** A public hosted zone query log entry: the DNS queries Route 53 answered for a public domain. */
export const route53publicColumns: SourceColumn[] = [
  column('version', 'string'),
  column('query_timestamp', 'string'),
  column('hosted_zone_id', 'string'),
  column('query_name', 'string'),
  column('query_type', 'string'),
  column('rcode', 'string'),
  column('protocol', 'string'),
  column('edge_location', 'string'),
  column('resolver_ip', 'string'),
  column('edns_client_subnet', 'string'),
];

const ENTRY = String.raw`\d+\.\d+ \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z Z[A-Z0-9]+ \S+ [A-Z0-9]+ [A-Z0-9]+ (UDP|TCP) \S+ \S+ \S+`;
const PLAIN = new RegExp(`^${ENTRY}$`);
/** CloudWatch Logs export tasks put the ingestion time in front of each message. */
const EXPORTED = new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\S+Z ${ENTRY}$`);

export const route53publicSource: LogSourceModule = {
  id: 'route53public',
  columns: route53publicColumns.map((c) => c.name),
  timeExpression: 'from_iso8601_timestamp(query_timestamp)',

  /**
   * These logs go only to CloudWatch Logs (us-east-1), so a file of them is an export or a dump:
   * plain entries, or entries behind the export's ingestion time.
   */
  detect(head) {
    const line = firstLine(head);
    if (PLAIN.test(line)) return 'query-log';
    if (EXPORTED.test(line)) return CLOUDWATCH_EXPORT_LAYOUT;
    return null;
  },

  /** Space-separated fields in a fixed order, behind the export's ingestion time in that layout. */
  checkRecord(line, layout, index) {
    return checkHeaderedLine(entryText(layout), line as string, index);
  },

  duckdbSelect(paths, layout, compressed) {
    return duckdbHeaderedSelect(entryText(layout), paths, compressed);
  },

  /**
   * The folder an export task wrote (no delivery layout, see cloudwatch-export.ts), or a folder of
   * plain entries a responder copied to S3: either way the table reads the folder.
   */
  athenaCreateTable(table, location) {
    return externalTableSql({
      table,
      columns: route53publicColumns,
      storage: regexSerde(headeredLineRegex(entryText(location.layout ?? CLOUDWATCH_EXPORT_LAYOUT))),
      location,
      levels: [],
    });
  },
};

/** Space-separated fields in a fixed order, behind the export's ingestion time in that layout. */
function entryText(layout: string): HeaderedText {
  const fields = route53publicColumns.map((c) => c.key);
  return {
    fields: layout === CLOUDWATCH_EXPORT_LAYOUT ? ['ingestion_time', ...fields] : fields,
    columns: route53publicColumns,
    delimiter: ' ',
    headerLines: 0,
  };
}
