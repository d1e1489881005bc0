import { z } from 'zod';
import type { ScanCost, ScannedQuery } from '../scan-cost.js';

const query = {
  bytes: z.number().int().nonnegative(),
  billedBytes: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
};

export const scannedQuerySchema: z.ZodType<ScannedQuery> = z.strictObject({
  purpose: z.string(),
  queryId: z.string().nullable(),
  bytesScanned: z.number().int().nonnegative(),
});

/** `scan-cost.json`: the case's estimated and scanned bytes and their cost (see shared/domain/scan-cost.ts). */
export const scanCostSchema: z.ZodType<ScanCost> = z.strictObject({
  engine: z.enum(['athena', 'duckdb']),
  pricePerTbUsd: z.number().nonnegative(),
  estimated: z.strictObject(query).nullable(),
  scanned: z.strictObject({ ...query, queries: z.number().int().nonnegative() }).nullable(),
  queries: z.array(scannedQuerySchema),
  note: z.string().nullable(),
});
