import { accountServiceRegionDay, externalTableSql, regexSerde } from './athena-table-ddl.js';
import { firstLine, type LogSourceModule } from './log-source-module.js';
import { type ColumnType, column, duckdbType, type SourceColumn } from './source-columns.js';
import { duckdbLines, duckdbRejectLine, sqlList, sqlString } from './source-sql.js';

/**
 * One access log field and the pattern that captures it. A `-` (no value) leaves the group
 * unmatched, which is NULL in Athena's RegexSerDe and an empty match in DuckDB (made NULL there).
 */
interface AlbField {
  column: SourceColumn;
  pattern: string;
}

const QUOTED = '"(?:-|([^"]*))"';
const BARE = '(?:-|([^ ]+))';

const f = (name: string, pattern: string, type: ColumnType = 'string'): AlbField => ({
  column: column(name, type),
  pattern,
});

/**
 * The fields of an Application Load Balancer access log entry, in order, under the Athena
 * documentation's column names (`error_reason` is its `lambda_error_reason`: the field now holds
 * every error reason). A `null` pattern means the field shares the previous one's pattern.
 */
const albFields: (AlbField | { column: SourceColumn; pattern: null })[] = [
  f('type', '([^ ]+)'),
  f('time', '([^ ]+)'),
  f('elb', '([^ ]+)'),
  f('client_ip', '(?:-|([^ ]*):([0-9]+))'),
  { column: column('client_port', 'int'), pattern: null },
  f('target_ip', '(?:-|([^ ]*):([0-9]+))'),
  { column: column('target_port', 'int'), pattern: null },
  f('request_processing_time', '([-.0-9]+)', 'double'),
  f('target_processing_time', '([-.0-9]+)', 'double'),
  f('response_processing_time', '([-.0-9]+)', 'double'),
  f('elb_status_code', '(?:-|([0-9]+))', 'int'),
  f('target_status_code', BARE),
  f('received_bytes', '([-0-9]+)', 'bigint'),
  f('sent_bytes', '([-0-9]+)', 'bigint'),
  // A request the load balancer could not parse is logged as "- - - ".
  f('request_verb', '"(?:- - - |([^ ]*) (.*) ([^ ]*))"'),
  { column: column('request_url', 'string'), pattern: null },
  { column: column('request_proto', 'string'), pattern: null },
  // The user agent is the client's text: a quote inside it must not make the line unreadable.
  f('user_agent', '"(?:-|(.*?))"'),
  f('ssl_cipher', BARE),
  f('ssl_protocol', BARE),
  f('target_group_arn', BARE),
  f('trace_id', QUOTED),
  f('domain_name', QUOTED),
  f('chosen_cert_arn', QUOTED),
  f('matched_rule_priority', BARE),
  f('request_creation_time', BARE),
  f('actions_executed', QUOTED),
  f('redirect_url', QUOTED),
  f('error_reason', QUOTED),
  f('target_port_list', QUOTED),
  f('target_status_code_list', QUOTED),
];

/** Fields added to the format later; older entries end before them, newer ones add more after them. */
const OPTIONAL_TAIL = `(?: ${QUOTED} ${QUOTED})?(?: ${BARE})?(?: .*)?`;
const tailColumns = [
  column('classification', 'string'),
  column('classification_reason', 'string'),
  column('conn_trace_id', 'string'),
];

export const albColumns: SourceColumn[] = [...albFields.map((x) => x.column), ...tailColumns];

/**
 * One pattern for both engines (DuckDB's RE2 and Athena's Java): groups in column order, no
 * backslashes, no lookaround. Anchored: a line must be an access log entry as a whole.
 */
export const ALB_LINE_PATTERN = `^${albFields
  .filter((x): x is AlbField => x.pattern !== null)
  .map((x) => x.pattern)
  .join(' ')}${OPTIONAL_TAIL}$`;

const ALB_LINE_START = /^(http|https|h2|grpcs|ws|wss) \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z app\//;
const albLine = new RegExp(ALB_LINE_PATTERN);

export const albSource: LogSourceModule = {
  id: 'alb',
  columns: albColumns.map((c) => c.name),
  timeExpression: 'from_iso8601_timestamp("time")',

  /** An entry starts with the request type, the time and `app/<name>/<id>`, then parses as a whole. */
  detect(head) {
    const line = firstLine(head);
    return ALB_LINE_START.test(line) && albLine.test(line) ? 'alb-line' : null;
  },

  checkRecord(line) {
    return albLine.test(line as string) ? { nulled: [] } : { problem: 'not an ALB access log entry' };
  },

  /** The embedded engine sets aside lines that are no entry (`checkRecord`); one that reaches the reader fails it. */
  duckdbSelect(paths, _layout, compressed) {
    const pattern = sqlString(ALB_LINE_PATTERN);
    const names = sqlList(albColumns.map((c) => c.name));
    const parsed = `CASE WHEN regexp_matches(line, ${pattern}) THEN regexp_extract(line, ${pattern}, ${names}) ELSE ${duckdbRejectLine('not an ALB access log entry')} END`;
    const projection = albColumns.map((c) =>
      c.type === 'string'
        ? `nullif(p."${c.name}", '') AS "${c.name}"`
        : `TRY_CAST(nullif(p."${c.name}", '') AS ${duckdbType(c.type)}) AS "${c.name}"`,
    );
    return `SELECT ${projection.join(', ')} FROM (SELECT ${parsed} AS p FROM (${duckdbLines(paths, compressed)}))`;
  },

  /**
   * `AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/MM/dd/`. Network and Classic Load
   * Balancer logs share that folder; their lines do not match and read as rows of NULLs, which the
   * window filter on `time` drops.
   */
  athenaCreateTable(table, location) {
    return externalTableSql({
      table,
      columns: albColumns,
      storage: regexSerde(ALB_LINE_PATTERN),
      location,
      levels: accountServiceRegionDay(location, 'elasticloadbalancing'),
    });
  },
};
