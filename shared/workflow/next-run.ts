import { runsOf } from '../domain/case-files/case-record.js';
import { caseFiles } from '../domain/case-files.js';
import { type CaseRun, nextRun, type RerunRequest } from '../domain/case-runs.js';
import { hasIocs, type Iocs } from '../domain/iocs.js';
import { type EvidenceStore, readCaseFileIfPresent } from '../ports/evidence-store.js';

/** The request that opens the next run of a case, and the run's execution name. */
export interface NextRunRequest {
  caseId: string;
  rerun: RerunRequest;
  iocs?: Iocs;
}

export type NextRun =
  | { kind: 'next'; request: NextRunRequest; executionName: string }
  /** The latest run is still going: the next is not started (see RunStillGoingError). */
  | { kind: 'still-running'; running: CaseRun }
  | { kind: 'no-case' };

/**
 * What any trigger (the CLI, a schedule, a GuardDuty update) asks for to run a case again: read
 * from `case.json`, so the run number, and with it the execution name, follows the runs the case has.
 */
export async function planNextRun(
  store: EvidenceStore,
  caseId: string,
  rerun: Omit<RerunRequest, 'run'>,
  iocs?: Iocs,
): Promise<NextRun> {
  const record = await readCaseFileIfPresent(store, caseFiles(caseId).caseRecord);
  if (!record) return { kind: 'no-case' };
  const runs = runsOf(record);
  const latest = runs.at(-1) as CaseRun;
  if (record.status === 'RUNNING') return { kind: 'still-running', running: latest };
  const { run, executionName } = nextRun(caseId, runs);
  return {
    kind: 'next',
    request: { caseId, rerun: { ...rerun, run }, ...(iocs && hasIocs(iocs) ? { iocs } : {}) },
    executionName,
  };
}
