import type { CaseContext } from '../domain/case.js';
import type { BuiltTable } from '../domain/case-files/tables-file.js';
import type { FileRecordCount, Inventory, QuarantinedRecord, SkippedInput } from '../domain/inventory.js';

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
