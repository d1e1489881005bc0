import type { CaseContext } from '../domain/case.js';
import type { Inventory, SkippedInput } from '../domain/inventory.js';
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
}

export interface TablesResult {
  tables: BuiltTable[];
  /** Inputs found by the inventory that could not be loaded, with the reason. */
  skipped: SkippedInput[];
}

/**
 * Makes each found log source queryable under the same table name and columns: Athena DDL with
 * partition projection in AWS, a one-pass conversion to columnar files in the embedded engine.
 */
export interface TableBuilder {
  build(context: CaseContext, inventory: Inventory): Promise<TablesResult>;
}
