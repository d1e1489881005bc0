import type { Allowlist } from '../domain/allowlist.js';
import type { CaseContext, EngineName } from '../domain/case.js';
import type { EventRoute } from '../domain/event-classes.js';
import type { SourceLocation } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';
import type { EvidenceStore } from './evidence-store.js';
import type { LogExporter } from './log-exporter.js';
import type { LogInventory } from './log-inventory.js';
import type { QueryEngine } from './query-engine.js';
import type { TableBuilder } from './table-builder.js';

/** Everything a workflow step needs from the outside world; one composition point picks AWS or local. */
export interface CaseAdapters {
  engineName: EngineName;
  store: EvidenceStore;
  inventory: LogInventory;
  exporter: LogExporter;
  tables: TableBuilder;
  engine: QueryEngine;
  /**
   * The engine whose CloudTrail views hold only a route's classes of the case's copy, for the hunts
   * `tables.json` routes there (`namedEvents`): Athena's route database, the embedded engine's route
   * schema. Absent where every hunt reads every event.
   */
  routedEngine?: (route: EventRoute) => QueryEngine;
  /** The deployment's known-good actors; each case may add its own. */
  allowlist?: Allowlist;
  /**
   * Reads an inventoried log file as a stream, for the manifest's hashes. Local only: in AWS the
   * inventory names S3 locations, not files.
   */
  inputs?: { read(path: string): Promise<AsyncIterable<Uint8Array>> };
  /** A cap on the rows a hunt writes to its CSV (MAX_HUNT_ROWS); every row when absent. */
  maxHuntRows?: number;
  /** The deployment's cap on a case's Athena scan, in bytes (MAX_SCAN_BYTES_PER_CASE); none when absent. */
  scanBudgetBytes?: number;
  /** A source gets Athena's one-pass copy when at least this many hunts read it (ONE_PASS_MIN_HUNTS). */
  onePassMinHunts?: number;
  /** Athena's price per TB scanned, for the case's bill (ATHENA_PRICE_PER_TB_USD); $5 when absent. */
  pricePerTbUsd?: number;
  /**
   * Lists the objects the tables will read in the window (AWS: S3 ListObjectsV2), for the estimate
   * and the budget before hunts run. Absent where the inventory lists every file already (locally).
   */
  listWindow?: (locations: SourceLocation[], window: { from: string; to: string }) => Promise<ObjectListing>;
  /** Folder of hunt definition files; the library's own when absent. */
  huntLibraryDir?: string;
  now: () => Date;
}

/** Builds the adapters for one step; AWS scopes the query engine to the case's Glue database. */
export type CaseAdapterFactory = (context?: CaseContext) => CaseAdapters;

/**
 * What a listing for the Athena estimate found: the bytes each source's objects in the window hold,
 * summed as the pages came (see `windowSourceBytes`); `complete` false when it stopped early (`note`).
 */
export interface ObjectListing {
  sourceBytes: Partial<Record<LogSourceId, number>>;
  complete: boolean;
  requests: number;
  note?: string;
}
