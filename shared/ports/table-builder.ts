import type { CaseContext } from '../domain/case.js';
import type { BuiltTable } from '../domain/case-files/tables-file.js';
import type { EventClassRouting } from '../domain/event-classes.js';
import type { FileRecordCount, Inventory, QuarantinedRecord, SkippedInput } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';

export interface TablesResult {
  tables: BuiltTable[];
  /** Inputs found by the inventory that could not be loaded, with the reason. */
  skipped: SkippedInput[];
  /** Embedded engine: per file read, the records read and set aside (Athena reads lazily and reports none). */
  files?: FileRecordCount[];
  /** Embedded engine: the records set aside, each with its file, position and reason. */
  quarantined?: QuarantinedRecord[];
  /** Athena: every statement run, with the bytes it scanned, for the case's bill. */
  statements?: ScannedStatement[];
}

/** A statement a table builder ran and what Athena scanned for it (DDL scans nothing, a CTAS its source). */
export interface ScannedStatement {
  purpose: string;
  queryId: string;
  bytesScanned: number;
}

/**
 * Makes each found log source queryable under the same table name and columns: Athena DDL with
 * partition projection in AWS, a one-pass conversion to columnar files in the embedded engine.
 */
export interface TableBuilder {
  build(context: CaseContext, inventory: Inventory): Promise<TablesResult>;
  /**
   * The one pass: each source's window copied once to columnar files in the case folder, its view
   * then reading the copy. Only where tables read the logs in place (Athena); the embedded engine's
   * tables are such a copy already. A copy split by event class puts the routed hunts' names in its
   * named classes and makes the views the routed hunts read.
   */
  copyOnce?(
    context: CaseContext,
    sources: LogSourceId[],
    routing: EventClassRouting,
  ): Promise<ScannedStatement[]>;
}
