import { z } from 'zod';
import type { CaseContext } from '../case.js';
import { type CaseRun, caseRunSchema } from '../case-runs.js';
import type { SkippedInput } from '../inventory.js';
import { skippedInputSchema } from './inventory-file.js';
import {
  type CaseSummary,
  caseScopeSchema,
  findingsBySeveritySchema,
  huntCountsSchema,
  observedSchema,
  timeWindowSchema,
} from './summary-file.js';

export const caseStatuses = ['RUNNING', 'COMPLETED', 'FAILED', 'INTERRUPTED'] as const;

export const caseRecordSchema = z.strictObject({
  caseId: z.string(),
  status: z.enum(caseStatuses),
  /** The run that holds the case's claim (see `claim.json`). */
  runId: z.string().optional(),
  /** The request as the trigger sent it, kept for the record. */
  request: z.unknown(),
  /** The window as asked for, open ends kept. */
  window: timeWindowSchema,
  /** The same window closed when the case opened: what every step searched. */
  closedWindow: z.strictObject({ from: z.string(), to: z.string() }),
  engine: z.enum(['athena', 'duckdb']),
  /** The accounts, regions and log sources the case looked at; null is every one found. */
  scope: caseScopeSchema.optional(),
  caseFolder: z.string(),
  /** `openedAt` and `completedAt` are instants; the steps' durations are milliseconds. */
  timings: z.object({ openedAt: z.string() }).catchall(z.union([z.string(), z.number()])),
  observed: observedSchema.optional(),
  hunts: huntCountsSchema.optional(),
  findingsBySeverity: findingsBySeveritySchema.optional(),
  skipped: z.array(skippedInputSchema).optional(),
  /**
   * `execution` is how the execution ended (FAILED, TIMED_OUT, ABORTED) when RecordFailedExecution,
   * not a Catch in the workflow, closed the case.
   */
  failure: z
    .strictObject({
      error: z.string(),
      cause: z.string(),
      execution: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']).optional(),
    })
    .optional(),
  failedAt: z.string().optional(),
  /** Why and when a run stopped before the end (status INTERRUPTED); a resume starts it again. */
  interruption: z.strictObject({ reason: z.string(), at: z.string() }).optional(),
  /**
   * The SHA-256 of `manifest.json`, written after it: the one field the manifest cannot cover, so
   * the manifest hashes `case.json` without it.
   */
  manifestSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /**
   * Every run of the case once it has been run again, oldest first; `status`, `runId` and
   * `closedWindow` above are the latest run's. A case run once has no list (see `runsOf`).
   */
  runs: z.array(caseRunSchema).optional(),
});

/** `case.json`: the request, where the case stands, and (once it ends) how it ended. */
export type CaseRecord = z.infer<typeof caseRecordSchema>;

/** OpenCase: the case as it starts. */
export function openedCaseRecord(context: CaseContext, request: unknown, caseFolder: string): CaseRecord {
  return {
    caseId: context.caseId,
    status: 'RUNNING',
    ...(context.runId ? { runId: context.runId } : {}),
    request,
    window: context.window,
    closedWindow: context.closedWindow,
    engine: context.engine,
    ...(context.scope ? { scope: context.scope } : {}),
    timings: { openedAt: context.openedAt },
    caseFolder,
  };
}

/** The runs of a case: the list once it has been run again, or its one run, read from the record. */
export function runsOf(record: CaseRecord): CaseRun[] {
  if (record.runs) return record.runs;
  return [
    {
      run: 1,
      runId: record.runId ?? record.caseId,
      trigger: 'request',
      window: record.closedWindow,
      status: record.status,
      openedAt: record.timings.openedAt,
      lastEventTime: record.observed?.lastEventTime ?? null,
      ...findingUpdatedAtOf(record.request),
    },
  ];
}

function findingUpdatedAtOf(request: unknown): { findingUpdatedAt?: string } {
  const updatedAt = (request as { findingUpdatedAt?: unknown } | null)?.findingUpdatedAt;
  return typeof updatedAt === 'string' ? { findingUpdatedAt: updatedAt } : {};
}

/** The number of the case's latest run: 1 until it is run again. */
export function latestRunOf(record: CaseRecord): number {
  return runsOf(record).at(-1)?.run ?? 1;
}

/** The record with its latest run's entry changed: a case run once has no list to change. */
export function withLatestRun(record: CaseRecord, change: Partial<CaseRun>): CaseRecord {
  if (!record.runs) return record;
  return {
    ...record,
    runs: record.runs.map((r, i, all) => (i === all.length - 1 ? { ...r, ...change } : r)),
  };
}

/** BuildReport: the case with its outcome, the steps' timings and every input it skipped. */
export function completedCaseRecord(
  opened: CaseRecord,
  summary: CaseSummary,
  skipped: SkippedInput[],
  timings: Record<string, string | number>,
  newHits?: number,
): CaseRecord {
  const latest = {
    status: 'COMPLETED' as const,
    lastEventTime: summary.observed.lastEventTime,
    ...(newHits === undefined ? {} : { newHits }),
  };
  return {
    ...withLatestRun(opened, latest),
    status: 'COMPLETED',
    observed: summary.observed,
    timings: { ...opened.timings, ...timings },
    hunts: summary.hunts,
    findingsBySeverity: summary.findingsBySeverity,
    skipped,
  };
}

/**
 * RecordCaseFailure: the step that failed and why. A case whose case.json was never written (OpenCase
 * itself failed to write it) still gets one, from the context the workflow carries.
 */
export function failedCaseRecord(
  existing: CaseRecord | null,
  context: CaseContext,
  failure: { error: string; cause: string },
  failedAt: string,
  caseFolder: string,
): CaseRecord {
  const base = existing ?? openedCaseRecord(context, null, caseFolder);
  return { ...withLatestRun(base, { status: 'FAILED' }), status: 'FAILED', failure, failedAt };
}
