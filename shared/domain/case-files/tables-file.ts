import { z } from 'zod';
import type { CoverageEntry } from '../coverage.js';
import type { HuntNotRun } from '../hunt-selection.js';
import type { SkippedInput } from '../inventory.js';
import type { ExportOutcome } from '../log-exports.js';
import { type LogSourceId, logSourceIds } from '../log-sources.js';
import { coverageEntrySchema, exportOutcomeSchema, skippedInputSchema } from './inventory-file.js';

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
  /** Records per hour (UTC, the hour's start), when the engine counted them while building. */
  recordsPerHour?: { hour: string; records: number }[];
}

/** `tables.json`: what CreateTables made queryable, what it could not, and the hunts it chose. */
export interface TablesRecord {
  tables: BuiltTable[];
  /** Inputs not loaded or exported, with the reason. */
  skipped: SkippedInput[];
  exports: ExportOutcome[];
  huntsToRun: string[];
  huntsNotRun: HuntNotRun[];
  /**
   * The inventory's coverage once the tables are built: a source only the exported logs revealed is
   * present here. `inventory.json` keeps what the inventory alone could tell.
   */
  coverage: CoverageEntry[];
  durationMs: number;
}

export const builtTableSchema: z.ZodType<BuiltTable> = z.object({
  source: z.enum(logSourceIds),
  table: z.string(),
  locations: z.array(z.string()),
  recordCount: z.number().optional(),
  firstEventTime: z.string().optional(),
  lastEventTime: z.string().optional(),
  recordsPerHour: z.array(z.object({ hour: z.string(), records: z.number() })).optional(),
});

export const huntNotRunSchema: z.ZodType<HuntNotRun> = z.object({ huntId: z.string(), reason: z.string() });

export const tablesSchema: z.ZodType<TablesRecord> = z.object({
  tables: z.array(builtTableSchema),
  skipped: z.array(skippedInputSchema),
  exports: z.array(exportOutcomeSchema),
  huntsToRun: z.array(z.string()),
  huntsNotRun: z.array(huntNotRunSchema),
  coverage: z.array(coverageEntrySchema),
  durationMs: z.number(),
});
