import { externalTableSql, regexSerde } from './athena-table-ddl.js';
import {
  checkHeaderedLine,
  duckdbHeaderedSelect,
  type HeaderedText,
  headeredLineRegex,
} from './delimited-text.js';
import type { LogSourceModule } from './log-source-module.js';
import { type ColumnType, column, type SourceColumn } from './source-columns.js';

const w3c = (key: string, name: string, type: ColumnType = 'string'): SourceColumn => column(name, type, key);

/**
 * The fields of a CloudFront standard log, under the Athena documentation's column names; `key`
 * is the field's name in the `#Fields:` line. Text fields are URL-encoded as CloudFront writes them.
 */
export const cloudfrontColumns: SourceColumn[] = [
  w3c('date', 'date', 'date'),
  w3c('time', 'time'),
  w3c('x-edge-location', 'location'),
  w3c('sc-bytes', 'bytes', 'bigint'),
  w3c('c-ip', 'request_ip'),
  w3c('cs-method', 'method'),
  w3c('cs(Host)', 'host'),
  w3c('cs-uri-stem', 'uri'),
  w3c('sc-status', 'status', 'int'),
  w3c('cs(Referer)', 'referrer'),
  w3c('cs(User-Agent)', 'user_agent'),
  w3c('cs-uri-query', 'query_string'),
  w3c('cs(Cookie)', 'cookie'),
  w3c('x-edge-result-type', 'result_type'),
  w3c('x-edge-request-id', 'request_id'),
  w3c('x-host-header', 'host_header'),
  w3c('cs-protocol', 'request_protocol'),
  w3c('cs-bytes', 'request_bytes', 'bigint'),
  w3c('time-taken', 'time_taken', 'double'),
  w3c('x-forwarded-for', 'xforwarded_for'),
  w3c('ssl-protocol', 'ssl_protocol'),
  w3c('ssl-cipher', 'ssl_cipher'),
  w3c('x-edge-response-result-type', 'response_result_type'),
  w3c('cs-protocol-version', 'http_version'),
  w3c('fle-status', 'fle_status'),
  w3c('fle-encrypted-fields', 'fle_encrypted_fields', 'int'),
  w3c('c-port', 'c_port', 'int'),
  w3c('time-to-first-byte', 'time_to_first_byte', 'double'),
  w3c('x-edge-detailed-result-type', 'x_edge_detailed_result_type'),
  w3c('sc-content-type', 'sc_content_type'),
  w3c('sc-content-len', 'sc_content_len', 'bigint'),
  w3c('sc-range-start', 'sc_range_start', 'bigint'),
  w3c('sc-range-end', 'sc_range_end', 'bigint'),
];

/** The fields of a standard (legacy) log file, which every file of that kind names in this order. */
export const STANDARD_LOG_FIELDS = cloudfrontColumns.map((c) => c.key);

const W3C_HEADER = /^#Version: 1\.0\r?\n#Fields: ([^\r\n]+)/;
const LAYOUT = 'w3c:';

function headeredText(fields: string[]): HeaderedText {
  return { fields, columns: cloudfrontColumns, delimiter: '\t', headerLines: 2 };
}

function layoutText(layout: string): HeaderedText {
  if (!layout.startsWith(LAYOUT)) throw new Error(`Unknown CloudFront layout '${layout}'.`);
  return headeredText(layout.slice(LAYOUT.length).split(','));
}

export const cloudfrontSource: LogSourceModule = {
  id: 'cloudfront',
  columns: cloudfrontColumns.map((c) => c.name),
  timeExpression: `from_iso8601_timestamp(concat(CAST("date" AS varchar), 'T', "time", 'Z'))`,

  /** W3C extended format with CloudFront's own fields; the layout carries the `#Fields:` list. */
  detect(head) {
    const fields = W3C_HEADER.exec(head)?.[1]?.trim().split(' ');
    if (!fields?.includes('date') || !fields.includes('time')) return null;
    if (!fields.includes('x-edge-location') && !fields.includes('x-edge-request-id')) return null;
    return `${LAYOUT}${fields.join(',')}`;
  },

  checkRecord(line, layout, index) {
    return checkHeaderedLine(layoutText(layout), line as string, index);
  },

  duckdbSelect(paths, layout, compressed) {
    return duckdbHeaderedSelect(layoutText(layout), paths, compressed);
  },

  /**
   * Standard logs are flat files (`<prefix><distribution>.yyyy-MM-dd-HH.<id>.gz`) with no folder per
   * account, region or day: nothing to project, so the table reads every file under the prefix.
   */
  athenaCreateTable(table, location) {
    const fields = location.layout?.startsWith(LAYOUT)
      ? location.layout.slice(LAYOUT.length).split(',')
      : STANDARD_LOG_FIELDS;
    return externalTableSql({
      table,
      columns: cloudfrontColumns,
      storage: regexSerde(headeredLineRegex(headeredText(fields))),
      location,
      levels: [],
      properties: [['skip.header.line.count', '2']],
    });
  },
};
