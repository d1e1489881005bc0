import { type NextRunOutcome, type RerunDeps, startNextRun } from '../api/case-reruns.js';
import { CASE_ID } from '../domain/case.js';
import { InvalidRequestError, TransientServiceError } from '../errors.js';

/**
 * A schedule's tick (EventBridge Scheduler invokes the function with the input the schedule holds,
 * `{ caseId }`): opens the case's next run from where the last one ended. A tick while the latest
 * run is still going starts nothing and says so (`skipped`, logged with the run that holds the case):
 * the next tick covers the time this one would have, since each run starts where the last one ended.
 */
export async function runScheduledCase(event: unknown, deps: RerunDeps): Promise<NextRunOutcome> {
  const caseId = (event as { caseId?: unknown } | null)?.caseId;
  if (typeof caseId !== 'string' || !CASE_ID.test(caseId)) {
    throw new InvalidRequestError('A scheduled run takes { caseId } with the id of an existing case.');
  }
  const outcome = await startNextRun(deps, caseId, { trigger: 'schedule' });
  // Throttled: thrown so that the asynchronous invocation is retried.
  if (outcome.kind === 'busy') {
    throw new TransientServiceError(`Step Functions is busy (${outcome.reason}); the tick will be retried.`);
  }
  return outcome;
}
