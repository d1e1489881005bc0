import type { LogSourceId } from '../domain/log-sources.js';
import type { RecordCheck } from './record-shape.js';

/** Where one source's files sit in S3, as the AWS inventory found them. */
export interface AthenaLocation {
  /** `s3://bucket/prefix/`: the folder that holds the delivery layout (`AWSLogs/` for most sources). */
  s3Uri: string;
  accounts: string[];
  regions: string[];
  /** Organisation trails deliver under `AWSLogs/<organization id>/<account>/`. */
  organizationId?: string;
  /** The case window, both ends closed (the AWS table builder closes an open window before calling). */
  window: { from: string; to: string };
  /**
   * What `detect()` answered for a sample object of this location. Text formats whose columns a
   * header line names (flow logs, CloudFront) need it to map columns; absent, the default format
   * is assumed.
   */
  layout?: string;
  /**
   * The folders the inventory listed between the region (or account) and the date of the delivery
   * layout: VPC ids for Resolver query logs, web ACL names for WAF. Without them that level cannot
   * be projected, so the table reads every day below the level above it.
   */
  resourceFolders?: string[];
}

/**
 * One log source, all in one place: how to recognise its files, and how each engine reads them
 * into the table of the source's name with the same columns.
 */
export interface LogSourceModule {
  id: LogSourceId;
  /** The table's data columns, in order: the same in both engines (Athena's partition columns excluded). */
  columns: string[];
  /**
   * Recognises the source from a file's first decompressed bytes (never its name) and names the
   * layout (`records-object`, `json-lines`, ...) the reader must use; null when not this source.
   */
  detect(head: string): string | null;
  /**
   * The event's time as a timestamp, in SQL both engines accept: the window filter and the observed
   * span use it (`from_iso8601_timestamp(eventtime)` for CloudTrail).
   */
  timeExpression: string;
  /**
   * Whether one record fits the reader (the embedded engine sets aside those that do not, so a bad
   * record costs only itself): the parsed value for JSON layouts (`json-lines`, and each element of
   * `records-object`, `json-array`, `lookup-events`), the line's text for every other layout.
   * `index` is the record's place in the file (its line number for line layouts). Without it every
   * record that splits, decodes and parses is read.
   */
  checkRecord?(record: unknown, layout: string, index: number): RecordCheck;
  /** A DuckDB SELECT giving the table's columns from files of one layout (pure SQL text). */
  duckdbSelect(paths: string[], layout: string, compressed: boolean): string;
  /**
   * The column the embedded engine sorts each Parquet part by, when most hunts over the source
   * select on it: each row group's min/max then spans a few values, and a filter on it skips the
   * rest of the file (`eventname` for CloudTrail).
   */
  duckdbClusterBy?: string;
  /**
   * The Athena DDL for one S3 location, giving a relation named `table` with the same column names
   * and types as `duckdbSelect`, and partition projection derived from the window where the S3
   * layout allows it (an out-of-range projection silently returns nothing). It takes one of two forms:
   * - one `CREATE EXTERNAL TABLE table` whose columns are the source's (`externalTableSql`), which
   *   the AWS table builder drops before running it;
   * - `DROP TABLE table_raw`, `CREATE EXTERNAL TABLE table_raw`, `CREATE OR REPLACE VIEW table`,
   *   joined by ATHENA_STATEMENT_SEPARATOR (`externalTableWithViewSql`), when the columns are
   *   computed from what the SerDe reads. The builder, seeing the DROP first, runs the statements as
   *   they are.
   * Either way the builder then creates the view hunts read, of the source's name, over every
   * location's `table` (`<source>_<n>`): `columns` within the window, by `timeExpression`.
   */
  athenaCreateTable?(table: string, location: AthenaLocation): string;
}

/** The first line of a file's head, without its line break. */
export function firstLine(head: string): string {
  return head.split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
}

/** JSON lines whose first record names every one of `keys`: how JSON-lines sources recognise their records. */
export function jsonLinesNaming(head: string, keys: string[]): boolean {
  const line = firstLine(head);
  return line.startsWith('{') && keys.every((key) => new RegExp(`"${key}"\\s*:`).test(line));
}
