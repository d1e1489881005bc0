import { runsOf } from '../domain/case-files/case-record.js';
import { caseFiles } from '../domain/case-files.js';
import { type CaseRun, effectiveRunEnd, type RerunRequest } from '../domain/case-runs.js';
import { type Iocs, iocsNotIn } from '../domain/iocs.js';
import { type EvidenceStore, readCaseFileIfPresent } from '../ports/evidence-store.js';
import { planNextRun } from '../workflow/next-run.js';
import type { StartOutcome } from './start-outcome.js';

/** Starts a workflow execution: the AWS starter, or the local server's runner. */
export type StartRun = (request: Record<string, unknown>, executionName: string) => Promise<StartOutcome>;

export interface RerunDeps {
  store: EvidenceStore;
  start: StartRun;
}

export type NextRunOutcome =
  | (StartOutcome & { run?: number })
  /** Not started: the latest run is still going (a schedule that fires meanwhile skips its turn). */
  | { kind: 'skipped'; caseId: string; reason: 'still-running'; running: { run: number; runId: string } }
  | { kind: 'no-case'; caseId: string };

/** Opens the next run of a case for any trigger: read case.json, name the run, start it. */
export async function startNextRun(
  deps: RerunDeps,
  caseId: string,
  rerun: Omit<RerunRequest, 'run'>,
  iocs?: Iocs,
): Promise<NextRunOutcome> {
  const next = await planNextRun(deps.store, caseId, rerun, iocs);
  if (next.kind === 'no-case') return { kind: 'no-case', caseId };
  if (next.kind === 'still-running') {
    return {
      kind: 'skipped',
      caseId,
      reason: 'still-running',
      running: { run: next.running.run, runId: next.running.runId },
    };
  }
  const outcome = await deps.start(next.request as unknown as Record<string, unknown>, next.executionName);
  return outcome.kind === 'started' ? { ...outcome, run: next.request.rerun.run } : outcome;
}

/** A GuardDuty finding as it arrived again: its case, its version, its window end and indicators. */
export interface FindingUpdate {
  caseId: string;
  updatedAt: string;
  to: string;
  iocs: Iocs;
}

export type FindingUpdateOutcome =
  | NextRunOutcome
  /** This version (or a later one) of the finding already has its run: nothing is started. */
  | { kind: 'already-seen'; caseId: string; updatedAt: string; run: number }
  /** Run 1 was started and has not written case.json yet: the update waits for it. */
  | { kind: 'not-opened-yet'; caseId: string };

/**
 * A finding GuardDuty published again for a case that exists. The same `updatedAt` (or an older
 * one, delivered out of order) changes nothing; a later one opens the next run, to the finding's new
 * end, with any new indicators added to the case's. Which `updatedAt` each run came from is in
 * case.json's runs, so a finding delivered twice is recognised by what the case recorded.
 */
export async function extendCaseFromFinding(
  deps: RerunDeps,
  update: FindingUpdate,
): Promise<FindingUpdateOutcome> {
  const record = await readCaseFileIfPresent(deps.store, caseFiles(update.caseId).caseRecord);
  if (!record) return { kind: 'not-opened-yet', caseId: update.caseId };
  const runs = runsOf(record);
  const seen = latestFindingRun(runs);
  if (seen && Date.parse(seen.findingUpdatedAt) >= Date.parse(update.updatedAt)) {
    return { kind: 'already-seen', caseId: update.caseId, updatedAt: update.updatedAt, run: seen.run };
  }
  const latest = runs.at(-1) as CaseRun;
  // The finding's end may lie before where the last run ended (a short burst seen again): the run then ends now.
  const to = Date.parse(update.to) > Date.parse(effectiveRunEnd(latest)) ? update.to : undefined;
  return startNextRun(
    deps,
    update.caseId,
    { trigger: 'guardduty', findingUpdatedAt: update.updatedAt, ...(to ? { to } : {}) },
    iocsNotIn(((record.request ?? {}) as { iocs?: Iocs }).iocs ?? {}, update.iocs),
  );
}

function latestFindingRun(runs: CaseRun[]): (CaseRun & { findingUpdatedAt: string }) | undefined {
  return runs
    .filter((r): r is CaseRun & { findingUpdatedAt: string } => r.findingUpdatedAt !== undefined)
    .sort((a, b) => Date.parse(a.findingUpdatedAt) - Date.parse(b.findingUpdatedAt))
    .at(-1);
}
