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
  /** Embedded engine: the sources whose copy it split by the classes it was given, with a route's views each. */
  classed?: LogSourceId[];
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
  /**
   * `classing`, given only to a builder that `classesAsItBuilds`: the event classes to split the
   * CloudTrail copy into as it is written, and the routes to make views for.
   */
  build(
    context: CaseContext,
    inventory: Inventory,
    classing?: EventClassRouting | null,
  ): Promise<TablesResult>;
  /**
   * The embedded engine: its tables are the one pass, so the classes are known before they are built
   * (from the hunts that can run over what the inventory found), not after (Athena's copyOnce).
   */
  readonly classesAsItBuilds?: boolean;
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
