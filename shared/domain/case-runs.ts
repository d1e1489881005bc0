import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidRequestError } from '../errors.js';
import { type ClosedTimeWindow, normaliseInstant, UNBOUNDED_TO } from './time-window.js';

/**
 * How far run n+1 reaches back before the end of run n. A CloudTrail log file delivered at some time
 * "can contain records written at any point before that time"
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html), and
 * CloudTrail delivers within minutes, not at once: a record of the last minutes of run n may land
 * only after run n read the logs. Fifteen minutes covers CloudTrail's stated delivery time; the hits
 * the overlap finds again are recognised by record id and not counted twice.
 */
export const RERUN_OVERLAP_MS = 15 * 60_000;

export const runTriggers = ['request', 'cli', 'schedule', 'guardduty'] as const;
export type RunTrigger = (typeof runTriggers)[number];

/** What a request for run n+1 of an existing case carries besides the case id. */
export interface RerunRequest {
  /** The run this request opens: 2 for the first re-run. */
  run: number;
  trigger: RunTrigger;
  /** The new end of the window; by default the moment the run opens (AWS) or the end of the logs (locally). */
  to?: string;
  /** The GuardDuty finding's `updatedAt` this run came from, for the record and for deduplication. */
  findingUpdatedAt?: string;
}

/** One run of a case, as `case.json` lists it. */
export const caseRunSchema = z.strictObject({
  run: z.number().int().min(1),
  runId: z.string(),
  trigger: z.enum(runTriggers),
  /** The window this run searched: from the end of the previous run less the overlap, to its own end. */
  window: z.strictObject({ from: z.string(), to: z.string() }),
  status: z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'INTERRUPTED']),
  openedAt: z.string(),
  /** Hits no earlier run had (same hunt and record id = same hit); absent for run 1, which had no earlier run. */
  newHits: z.number().int().min(0).optional(),
  findingUpdatedAt: z.string().optional(),
  /** The last record the run saw: where a run over an open-ended folder of logs ended. */
  lastEventTime: z.string().nullable().optional(),
});

export type CaseRun = z.infer<typeof caseRunSchema>;

/**
 * The Step Functions execution name of run n: the case id for run 1 (as before runs existed), the
 * case id and `.run-<n>` after it. A name is at most 80 characters
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html); a case id
 * too long for the suffix is cut and a hash of the whole id keeps two such cases apart.
 */
export function runExecutionName(caseId: string, run: number): string {
  if (!Number.isInteger(run) || run < 1) throw new InvalidRequestError(`Run ${run} is not a run number.`);
  if (run === 1) return caseId;
  const suffix = `.run-${run}`;
  if (caseId.length + suffix.length <= 80) return `${caseId}${suffix}`;
  const hash = createHash('sha256').update(caseId).digest('hex').slice(0, 8);
  return `${caseId.slice(0, 80 - suffix.length - hash.length - 1)}.${hash}${suffix}`;
}

/** Checks the `rerun` field of a request; undefined when the request opens a new case. */
export function parseRerunRequest(raw: unknown): RerunRequest | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidRequestError("'rerun' must be an object: { run, trigger, to?, findingUpdatedAt? }.");
  }
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !['run', 'trigger', 'to', 'findingUpdatedAt'].includes(k));
  if (unknown.length > 0)
    throw new InvalidRequestError(`'rerun' has unknown field(s): ${unknown.join(', ')}.`);
  if (!Number.isInteger(r.run) || (r.run as number) < 2 || (r.run as number) > 100_000) {
    throw new InvalidRequestError("'rerun.run' must be the number of the run to open, 2 or more.");
  }
  if (!runTriggers.includes(r.trigger as RunTrigger)) {
    throw new InvalidRequestError(`'rerun.trigger' must be one of ${runTriggers.join(', ')}.`);
  }
  const to = r.to === undefined ? undefined : normaliseInstant(stringField(r.to, 'rerun.to'), 'rerun.to');
  const updatedAt =
    r.findingUpdatedAt === undefined
      ? undefined
      : normaliseInstant(stringField(r.findingUpdatedAt, 'rerun.findingUpdatedAt'), 'rerun.findingUpdatedAt');
  return {
    run: r.run as number,
    trigger: r.trigger as RunTrigger,
    ...(to ? { to } : {}),
    ...(updatedAt ? { findingUpdatedAt: updatedAt } : {}),
  };
}

function stringField(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new InvalidRequestError(`'${name}' must be a string.`);
  return value;
}

/**
 * Where the previous run's search ended. A window closed on an open end (a folder of logs read
 * whole) ended at the last record that run saw; a run that saw none ended where it started.
 */
export function effectiveRunEnd(previous: CaseRun): string {
  if (previous.window.to !== UNBOUNDED_TO) return previous.window.to;
  return previous.lastEventTime ?? previous.window.from;
}

/**
 * The window of run n+1: from the end of run n less the overlap, to the new end (the request's, or
 * `openEnd`: the moment it opens in AWS, the end of the logs locally). An end before the start is refused.
 */
export function nextRunWindow(previous: CaseRun, to: string | undefined, openEnd: string): ClosedTimeWindow {
  const from = new Date(Date.parse(effectiveRunEnd(previous)) - RERUN_OVERLAP_MS).toISOString();
  const end = to ?? openEnd;
  if (end < from) {
    throw new InvalidRequestError(
      `Run ${previous.run + 1} would end (${end}) before it starts (${from}, the end of run ${previous.run} less the overlap).`,
    );
  }
  return { from, to: end };
}

/** The run number and execution name of the next run of a case, from the runs `case.json` lists. */
export function nextRun(caseId: string, runs: readonly CaseRun[]): { run: number; executionName: string } {
  const run = (runs.at(-1)?.run ?? 0) + 1;
  return { run, executionName: runExecutionName(caseId, run) };
}
