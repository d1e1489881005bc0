import { hostname } from 'node:os';
import { type CaseContext, validateInvestigationRequest } from '../domain/case.js';
import { type CaseRecord, runsOf } from '../domain/case-files/case-record.js';
import type { CaseClaim } from '../domain/case-files/claim-file.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { type CaseRun, nextRunWindow, type RerunRequest } from '../domain/case-runs.js';
import { type Iocs, unionOfIocs } from '../domain/iocs.js';
import { UNBOUNDED_TO } from '../domain/time-window.js';
import { InvalidRequestError, RunStillGoingError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import {
  createCaseFile,
  readCaseFile,
  readCaseFileIfPresent,
  writeCaseFile,
} from '../ports/evidence-store.js';

/**
 * Opens run n+1 of a case: its window runs from the end of run n less the overlap to the new end,
 * with the case's own request (hunts, allowlist, Sigma rules) and the indicators it has gathered
 * plus any the re-run brings. Run n+1 claims `runs/<n+1>/claim.json` exclusively, then holds the
 * case folder's claim. The same run asking again (a Step Functions retry) continues.
 */
export async function openRerun(
  request: Record<string, unknown>,
  rerun: RerunRequest,
  runId: string,
  adapters: CaseAdapters,
): Promise<CaseContext> {
  const now = adapters.now();
  const caseId = validateInvestigationRequest({ caseId: request.caseId }, adapters.engineName, now).context
    .caseId;
  const files = caseFiles(caseId);
  const store = adapters.store.forRun(runId);
  const record = await readCaseFileIfPresent(store, files.caseRecord);
  if (!record) {
    throw new InvalidRequestError(
      `${store.locate(caseFolderLayout(caseId).root)} holds no case: there is nothing to run again.`,
    );
  }
  const runs = runsOf(record);
  const latest = runs.at(-1) as CaseRun;
  const caseRequest = mergedRequest(record, request.iocs);
  // Checked before anything is written: a bad indicator costs only this request.
  const { from: _from, to: _to, ...scope } = caseRequest;
  const { context } = validateInvestigationRequest(scope, adapters.engineName, now);
  if (latest.run === rerun.run && latest.runId === runId) return rerunContext(context, latest);
  if (latest.run === rerun.run && (await resumesLatest(store, caseId, record, runId))) {
    // `casefile investigate --resume` took the case over for this run: it runs again in its own window.
    const resumed: CaseRun = { ...latest, runId, status: 'RUNNING', openedAt: now.toISOString() };
    await claimRun(store, caseId, rerun.run, runId, now, latest.runId);
    await writeCaseFile(store, files.caseRecord, {
      ...withoutOutcome(record),
      status: 'RUNNING',
      runId,
      runs: [...runs.slice(0, -1), resumed],
    });
    return rerunContext(context, resumed);
  }
  if (record.status === 'RUNNING') throw new RunStillGoingError(caseId, latest.run, latest.runId);
  if (rerun.run !== latest.run + 1) {
    throw new InvalidRequestError(
      `Case ${caseId} has ${latest.run} run(s): the next is run ${latest.run + 1}, not run ${rerun.run}.`,
    );
  }
  // The window is checked before the run is claimed: a refused end leaves the run free for another request.
  const openEnd = adapters.engineName === 'athena' ? now.toISOString() : UNBOUNDED_TO;
  const window = nextRunWindow(latest, rerun.to, openEnd);
  await claimRun(store, caseId, rerun.run, runId, now);
  const run: CaseRun = {
    run: rerun.run,
    runId,
    trigger: rerun.trigger,
    window,
    status: 'RUNNING',
    openedAt: now.toISOString(),
    ...(rerun.findingUpdatedAt ? { findingUpdatedAt: rerun.findingUpdatedAt } : {}),
  };
  await writeCaseFile(store, files.caseRecord, {
    ...withoutOutcome(record),
    status: 'RUNNING',
    runId,
    request: caseRequest,
    runs: [...runs, run],
  });
  return rerunContext(context, run);
}

/** The case as it goes into a run: how the previous run ended is in its runs entry, not at the top. */
function withoutOutcome(record: CaseRecord): CaseRecord {
  const { failure: _f, failedAt: _fa, interruption: _i, manifestSha256: _m, ...kept } = record;
  return kept;
}

/** The latest run stopped, and `--resume` handed the case folder's claim to this run. */
async function resumesLatest(
  store: CaseAdapters['store'],
  caseId: string,
  record: CaseRecord,
  runId: string,
): Promise<boolean> {
  if (record.status !== 'INTERRUPTED' && record.status !== 'FAILED') return false;
  const claim = await readCaseFileIfPresent(store, caseFiles(caseId).claim);
  return claim?.runId === runId;
}

/**
 * Claims run n exclusively, then the case folder: two processes opening the same run get one run. A
 * resume (`resumes`: the run it takes over) replaces the run's claim instead.
 */
async function claimRun(
  store: CaseAdapters['store'],
  caseId: string,
  run: number,
  runId: string,
  now: Date,
  resumes?: string,
): Promise<void> {
  const claim: CaseClaim = {
    caseId,
    runId,
    host: hostname(),
    pid: process.pid,
    claimedAt: now.toISOString(),
    ...(resumes ? { resumes } : {}),
  };
  const runClaim = {
    key: `${caseFolderLayout(caseId, run).runRoot}claim.json`,
    schema: caseFiles(caseId).claim.schema,
  };
  if (resumes) await writeCaseFile(store, runClaim, claim);
  else if (!(await createCaseFile(store, runClaim, claim))) {
    const holder = await readCaseFile(store, runClaim);
    if (holder.runId !== runId) {
      throw new InvalidRequestError(`Run ${run} of case ${caseId} is already held by run ${holder.runId}.`);
    }
  }
  await writeCaseFile(store, caseFiles(caseId).claim, claim);
}

/** The case's request with the re-run's indicators added: later runs inherit them. */
function mergedRequest(record: CaseRecord, extraIocs: unknown): Record<string, unknown> {
  const original = (record.request ?? {}) as Record<string, unknown>;
  const iocs = unionOfIocs((original.iocs ?? {}) as Iocs, (extraIocs ?? {}) as Iocs);
  const { rerun: _rerun, ...rest } = original;
  return { ...rest, caseId: record.caseId, ...(Object.keys(iocs).length > 0 ? { iocs } : {}) };
}

/** The case's context searching this run's window; the steps put its files under `runs/<n>/`. */
function rerunContext(context: CaseContext, run: CaseRun): CaseContext {
  return {
    ...context,
    window: { from: run.window.from, to: run.window.to === UNBOUNDED_TO ? null : run.window.to },
    closedWindow: run.window,
    openedAt: run.openedAt,
    runId: run.runId,
    run: run.run,
  };
}
