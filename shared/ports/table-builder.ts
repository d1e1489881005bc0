import type { CaseContext } from '../domain/case.js';
import type { FileRecordCount, Inventory, QuarantinedRecord, SkippedInput } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';

export interface BuiltTable {
  source: LogSourceId;
  /** The name hunts query (`cloudtrail`). */
  table: string;
  /** Where the data is read from (S3 prefixes, or the local columnar files). */
  locations: string[];
  /** Records loaded (embedded engine) — Athena reads lazily and reports none. */
  recordCount?: number;
  /** Earliest and latest event time seen, when known. */
  firstEventTime?: string;
  lastEventTime?: string;
  /** Records whose time (`timeExpression`) did not parse: loaded, outside any window. */
  recordsWithoutTime?: number;
}

export interface TablesResult {
  tables: BuiltTable[];
  /** Inputs found by the inventory that could not be loaded, with the reason. */
  skipped: SkippedInput[];
  /** Embedded engine: per file read, the records read and set aside (Athena reads lazily and reports none). */
  files?: FileRecordCount[];
  /** Embedded engine: the records set aside, each with its file, position and reason. */
  quarantined?: QuarantinedRecord[];
}

/**
 * Makes each found log source queryable under the same table name and columns: Athena DDL with
 * partition projection in AWS, a one-pass conversion to columnar files in the embedded engine.
 */
export interface TableBuilder {
  build(context: CaseContext, inventory: Inventory): Promise<TablesResult>;
}
