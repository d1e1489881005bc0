import { withLatestRun } from '../domain/case-files/case-record.js';
import { caseFiles } from '../domain/case-files.js';
import { InvalidRequestError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFileIfPresent, writeCaseFile } from '../ports/evidence-store.js';

/** An execution that ended without the workflow closing its case. */
export interface FailedExecution {
  /** The case: the execution's input names it; run 1's execution is also named after it. */
  caseId: string;
  /** The execution's name: the run id (`<caseId>` for run 1, `<caseId>.run-<n>` after). */
  runId: string;
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  error: string | null;
  cause: string | null;
  startedAt: Date;
}

const EXECUTION_END = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);
/** A cause is kept whole up to this size; a longer one is cut, saying so. */
const MAX_CAUSE_CHARS = 8_192;
/** Lambda and Step Functions clocks may differ a little; a case opened well before the execution is another's. */
const CLOCK_SKEW_MS = 60_000;

/**
 * The detail of EventBridge's "Step Functions Execution Status Change" event, as documented in
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html (name, status, startDate in
 * epoch milliseconds; error and cause when the execution failed).
 */
export function parseExecutionStatusChange(event: unknown): FailedExecution {
  const detail = (event as { detail?: Record<string, unknown> } | null)?.detail;
  if (typeof detail !== 'object' || detail === null) {
    throw new InvalidRequestError('An execution status change event needs a detail.');
  }
  const { name, status, startDate, error, cause, input } = detail;
  if (typeof name !== 'string' || name === '') throw new InvalidRequestError('The event names no execution.');
  if (typeof status !== 'string' || !EXECUTION_END.has(status)) {
    throw new InvalidRequestError(`Execution status ${String(status)} is not an ending this rule handles.`);
  }
  if (typeof startDate !== 'number') throw new InvalidRequestError('The event has no startDate.');
  return {
    caseId: caseIdOfInput(input) ?? name,
    runId: name,
    status: status as FailedExecution['status'],
    error: typeof error === 'string' ? error : null,
    cause: typeof cause === 'string' ? cause : null,
    startedAt: new Date(startDate),
  };
}

/** The `caseId` of the execution's input (JSON text in the event), which a re-run's name cannot give back. */
function caseIdOfInput(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  try {
    const caseId = (JSON.parse(input) as { caseId?: unknown } | null)?.caseId;
    return typeof caseId === 'string' && caseId !== '' ? caseId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Marks a case FAILED when its execution ended where no Catch could record it (States.DataLimitExceeded,
 * States.Runtime, a timeout, a person stopping it). A case the workflow already closed keeps its own
 * account of the ending, and a case opened before this execution started belongs to another one.
 */
export async function recordFailedExecution(
  execution: FailedExecution,
  adapters: Pick<CaseAdapters, 'store' | 'now'>,
): Promise<{ recorded: boolean; reason: string }> {
  const file = caseFiles(execution.caseId).caseRecord;
  const caseRecord = await readCaseFileIfPresent(adapters.store, file);
  if (!caseRecord) {
    return { recorded: false, reason: 'the execution never opened its case folder' };
  }
  if (caseRecord.status !== 'RUNNING') {
    return { recorded: false, reason: `the case is already ${caseRecord.status}` };
  }
  const latestRun = caseRecord.runs?.at(-1);
  if (latestRun) {
    // A case run again: the run that is going must be this execution's.
    if (latestRun.runId !== execution.runId) {
      return { recorded: false, reason: `the case's latest run is ${latestRun.runId}` };
    }
  } else {
    const openedAt = Date.parse(caseRecord.timings.openedAt);
    if (Number.isFinite(openedAt) && openedAt < execution.startedAt.getTime() - CLOCK_SKEW_MS) {
      return { recorded: false, reason: 'the case was opened by an earlier execution' };
    }
  }
  const cause = execution.cause ?? `the execution ended ${execution.status}`;
  await writeCaseFile(adapters.store, file, {
    ...withLatestRun(caseRecord, { status: 'FAILED' }),
    status: 'FAILED',
    failure: {
      error: execution.error ?? `States.${execution.status === 'TIMED_OUT' ? 'Timeout' : execution.status}`,
      cause: cause.length > MAX_CAUSE_CHARS ? `${cause.slice(0, MAX_CAUSE_CHARS)}… (cut)` : cause,
      execution: execution.status,
    },
    failedAt: adapters.now().toISOString(),
  });
  return { recorded: true, reason: `the execution ended ${execution.status}` };
}
