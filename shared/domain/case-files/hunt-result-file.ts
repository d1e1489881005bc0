import { z } from 'zod';
import { severities } from '../hunt-definition.js';
import type { HuntResultRecord } from '../hunt-result.js';

const cell = z.string().nullable();

/** `hunts/<huntId>.json`, written by RunHunt, or by BuildReport for a hunt that failed. */
export const huntResultSchema: z.ZodType<HuntResultRecord> = z.strictObject({
  huntId: z.string(),
  title: z.string(),
  description: z.string(),
  severity: z.enum(severities),
  kind: z.enum(['event', 'behaviour', 'pivot']),
  mitre: z.array(z.string()),
  tactics: z.array(z.string()),
  triage: z.string(),
  reportColumns: z.array(z.string()).optional(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  engine: z.enum(['athena', 'duckdb']),
  query: z.string(),
  parameters: z.array(z.union([z.string(), z.number(), z.boolean()])),
  rowCount: z.number(),
  truncated: z.boolean(),
  rowsInCsv: z.number().optional(),
  columns: z.array(z.string()),
  sample: z.array(z.record(z.string(), cell)),
  resultsFile: z.string().nullable(),
  suppressedByAllowlist: z.strictObject({
    count: z.number(),
    sample: z.array(z.strictObject({ entry: z.string(), eventid: cell, actor: cell })),
  }),
  durationMs: z.number(),
  bytesScanned: z.number().nullable(),
  queryId: z.string().nullable(),
  eventClasses: z.array(z.string()).optional(),
  error: z.strictObject({ name: z.string(), message: z.string() }).nullable(),
});
