import { z } from 'zod';
import { type CoverageEntry, coverageStatuses } from '../coverage.js';
import type { CoverageGap, InventoriedFile, Inventory, SkippedInput, SourceLocation } from '../inventory.js';
import type { ExportOutcome, LogGroupExport } from '../log-exports.js';
import { logSourceIds } from '../log-sources.js';
import type { CaseFile } from './case-file.js';
import type { CaseLines } from './case-lines.js';

const logSourceId = z.enum(logSourceIds);

export const skippedInputSchema: z.ZodType<SkippedInput> = z.strictObject({
  input: z.string(),
  reason: z.string(),
  stage: z.enum(['inventory', 'tables', 'export', 'hunts']),
});

export const coverageEntrySchema: z.ZodType<CoverageEntry> = z.strictObject({
  source: logSourceId,
  title: z.string(),
  status: z.enum(coverageStatuses),
  detail: z.string(),
  consequence: z.string().nullable(),
});

/**
 * One line of an inventory's file list (`inventory-files.jsonl`): a file of the location at index
 * `location` of the inventory's `sources`, its path from that location's folder (see `pathInLocation`).
 */
export interface ListedFile extends InventoriedFile {
  location: number;
}

export const listedFileSchema: z.ZodType<ListedFile> = z.strictObject({
  location: z.number().int().nonnegative(),
  path: z.string().min(1),
  size: z.number(),
  layout: z.string(),
  compressed: z.boolean(),
});

const sourceLocationSchema: z.ZodType<SourceLocation> = z.strictObject({
  source: logSourceId,
  location: z.string(),
  listedFiles: z.number().int().nonnegative().optional(),
  accounts: z.array(z.string()).optional(),
  regions: z.array(z.string()).optional(),
  organizationId: z.string().optional(),
  resourceFolders: z.array(z.string()).optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const logGroupExportSchema: z.ZodType<LogGroupExport> = z.strictObject({
  logGroup: z.string(),
  account: z.string().nullable(),
  region: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  lostBefore: z.string().nullable(),
  files: z.array(z.string()).optional(),
  source: logSourceId.optional(),
});

export const exportOutcomeSchema: z.ZodType<ExportOutcome> = z.strictObject({
  logGroup: z.string(),
  status: z.enum(['PENDING', 'RUNNING', 'PENDING_CANCEL', 'COMPLETED', 'FAILED', 'CANCELLED']),
  reason: z.string().nullable(),
  destination: z.string().nullable(),
});

const coverageGapSchema: z.ZodType<CoverageGap> = z.strictObject({
  source: logSourceId,
  reason: z.string(),
  status: z.enum(['missing', 'out-of-retention']).optional(),
});

/**
 * `inventory.json`, and each account's part of it before the merge (`inventory/<account>.json`). A
 * location's files are not in it but in the file list beside it (`listedFiles` says how many).
 */
export const inventorySchema: z.ZodType<Inventory> = z.strictObject({
  discoveredAt: z.string(),
  sources: z.array(sourceLocationSchema),
  skipped: z.array(skippedInputSchema),
  notes: z.array(z.string()),
  exports: z.array(logGroupExportSchema).optional(),
  coverage: z.array(coverageEntrySchema).optional(),
  gaps: z.array(coverageGapSchema).optional(),
});

/** An inventory document and the file list beside it, read and written together (inventory-files.ts). */
export interface InventoryCaseFile extends CaseFile<Inventory> {
  fileList: CaseLines<ListedFile>;
}
