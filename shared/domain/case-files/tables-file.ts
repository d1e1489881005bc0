import { z } from 'zod';
import type { CoverageEntry } from '../coverage.js';
import type { EventClassRouting } from '../event-classes.js';
import type { HuntNotRun } from '../hunt-selection.js';
import type { FileRecordCount, SkippedInput } from '../inventory.js';
import type { ExportOutcome } from '../log-exports.js';
import { type LogSourceId, logSourceIds } from '../log-sources.js';
import type { ScannedQuery } from '../scan-cost.js';
import type { CaseFile } from './case-file.js';
import type { CaseLines } from './case-lines.js';
import { coverageEntrySchema, exportOutcomeSchema, skippedInputSchema } from './inventory-file.js';
import { scannedQuerySchema } from './scan-cost-file.js';

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
  /** Records per hour (UTC, the hour's start), when the engine counted them while building. */
  recordsPerHour?: { hour: string; records: number }[];
}

/** `tables.json`: what CreateTables made queryable, what it could not, and the hunts it chose. */
export interface TablesRecord {
  tables: BuiltTable[];
  /** Inputs not loaded or exported, with the reason. */
  skipped: SkippedInput[];
  /**
   * Embedded engine: how many files it read, each with the records read and set aside (records =
   * read + quarantined) on a line of `file-records.jsonl`.
   */
  filesRead?: number;
  exports: ExportOutcome[];
  huntsToRun: string[];
  huntsNotRun: HuntNotRun[];
  /**
   * The inventory's coverage once the tables are built: a source only the exported logs revealed is
   * present here. `inventory.json` keeps what the inventory alone could tell.
   */
  coverage: CoverageEntry[];
  /** Athena: the statements that built the tables and the one-pass copies, with the bytes each scanned. */
  statements?: ScannedQuery[];
  /**
   * Athena: the hunts that read only the named classes of the CloudTrail copy (shared/domain/event-classes.ts)
   * and those classes' event names; present only once that copy and its views exist.
   */
  namedEvents?: EventClassRouting;
  durationMs: number;
}

export const builtTableSchema: z.ZodType<BuiltTable> = z.strictObject({
  source: z.enum(logSourceIds),
  table: z.string(),
  locations: z.array(z.string()),
  recordCount: z.number().optional(),
  firstEventTime: z.string().optional(),
  lastEventTime: z.string().optional(),
  recordsWithoutTime: z.number().optional(),
  recordsPerHour: z.array(z.strictObject({ hour: z.string(), records: z.number() })).optional(),
});

export const fileRecordCountSchema: z.ZodType<FileRecordCount> = z.strictObject({
  file: z.string(),
  source: z.enum(logSourceIds),
  records: z.number(),
  read: z.number(),
  quarantined: z.number(),
  nulledValues: z.number(),
  damage: z.string().optional(),
});

export const huntNotRunSchema: z.ZodType<HuntNotRun> = z.strictObject({
  huntId: z.string(),
  reason: z.string(),
});

const rowPatternSchema = z.strictObject({
  column: z.string(),
  operator: z.enum(['LIKE', 'regexp_like']),
  pattern: z.string(),
});

export const tablesSchema: z.ZodType<TablesRecord> = z.strictObject({
  tables: z.array(builtTableSchema),
  skipped: z.array(skippedInputSchema),
  filesRead: z.number().int().nonnegative().optional(),
  // A tables.json written before file-records.jsonl held the files' counts here: read as it is, so
  // the API still answers for such a case.
  files: z.array(fileRecordCountSchema).optional(),
  exports: z.array(exportOutcomeSchema),
  huntsToRun: z.array(z.string()),
  huntsNotRun: z.array(huntNotRunSchema),
  coverage: z.array(coverageEntrySchema),
  statements: z.array(scannedQuerySchema).optional(),
  namedEvents: z
    .strictObject({
      names: z.array(z.string()),
      heavyNames: z.array(z.string()),
      // Absent from the tables.json of a case made before patterns were routed: none then.
      patterns: z.array(rowPatternSchema).default([]),
      heavyPatterns: z.array(rowPatternSchema).default([]),
      hunts: z.array(z.string()),
      heavyHunts: z.array(z.string()),
      heavyPatternHunts: z.array(z.string()).default([]),
      flaggedHunts: z.array(z.string()),
    })
    .optional(),
  durationMs: z.number(),
});

/** `tables.json` and, beside it, the records read from each file (`file-records.jsonl`). */
export interface TablesCaseFile extends CaseFile<TablesRecord> {
  fileRecords: CaseLines<FileRecordCount>;
}
