import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvestigationRequest } from '../../domain/case.js';
import { withLatestRun } from '../../domain/case-files/case-record.js';
import type { CaseClaim } from '../../domain/case-files/claim-file.js';
import { caseFiles } from '../../domain/case-files.js';
import { caseFolderLayout } from '../../domain/case-folder-layout.js';
import { CasefileError } from '../../errors.js';
import {
  type EvidenceStore,
  readCaseFile,
  readCaseFileIfPresent,
  writeCaseFile,
} from '../../ports/evidence-store.js';

/** A run stopped by a signal: its case is INTERRUPTED and can be resumed. */
export class InvestigationInterruptedError extends CasefileError {
  constructor(
    message: string,
    readonly caseFolder: string | null,
  ) {
    super(message);
    this.name = 'InvestigationInterruptedError';
  }
}

export function newLocalRunId(): string {
  return `local-${randomUUID()}`;
}

/** The run's scratch folder (the Parquet copy of the logs), named so a later start can find a killed run's. */
export function workDirOf(runId: string): string {
  return join(tmpdir(), `casefile-work-${runId}`);
}

/** Writes INTERRUPTED into `case.json` if the case is still this run's and still RUNNING. */
export async function markInterrupted(store: EvidenceStore, caseId: string, runId: string, reason: string) {
  const files = caseFiles(caseId);
  const claim = await readCaseFileIfPresent(store, files.claim);
  const caseRecord = await readCaseFileIfPresent(store, files.caseRecord);
  if (!claim || !caseRecord || claim.runId !== runId || caseRecord.status !== 'RUNNING') return;
  await writeCaseFile(store, files.caseRecord, {
    ...withLatestRun(caseRecord, { status: 'INTERRUPTED' }),
    status: 'INTERRUPTED',
    interruption: { reason, at: new Date().toISOString() },
  });
}

/**
 * A claim whose process is gone (killed with SIGKILL, or the machine restarted) is a run that will
 * never finish: its case is marked INTERRUPTED and its scratch folder removed. Returns the claim.
 */
export async function detectKilledRun(store: EvidenceStore, caseId: string): Promise<CaseClaim | null> {
  const claim = await readCaseFileIfPresent(store, caseFiles(caseId).claim);
  if (!claim) return null;
  if (claim.host === hostname() && !processIsAlive(claim.pid)) {
    await markInterrupted(
      store,
      caseId,
      claim.runId,
      `process ${claim.pid} of run ${claim.runId} ended without finishing`,
    );
    await rm(workDirOf(claim.runId), { recursive: true, force: true });
  }
  return claim;
}

/**
 * Hands an INTERRUPTED (or FAILED) case to a new run: the claim names the new run and the run it
 * resumes, and the request is the one the case was opened with.
 */
export async function takeOverInterruptedCase(
  store: EvidenceStore,
  caseId: string,
  runId: string,
): Promise<InvestigationRequest> {
  const files = caseFiles(caseId);
  const previous = await detectKilledRun(store, caseId);
  if (!previous || !(await store.exists(files.caseRecord.key))) {
    throw new CasefileError(
      `${store.locate(caseFolderLayout(caseId).root)} is not a case folder a casefile run opened: nothing to resume.`,
    );
  }
  const caseRecord = await readCaseFile(store, files.caseRecord);
  if (caseRecord.status !== 'INTERRUPTED' && caseRecord.status !== 'FAILED') {
    throw new CasefileError(
      caseRecord.status === 'RUNNING'
        ? `Case ${caseId} is still running (process ${previous.pid} on ${previous.host}); it can be resumed once it stops.`
        : `Case ${caseId} is ${caseRecord.status}: only an interrupted or failed case is resumed.`,
    );
  }
  await writeCaseFile(store, files.claim, {
    caseId,
    runId,
    host: hostname(),
    pid: process.pid,
    claimedAt: new Date().toISOString(),
    resumes: previous.runId,
  });
  const latest = caseRecord.runs?.at(-1);
  // An interrupted re-run is resumed as that run, in its window, not as the case's first run.
  if (latest && latest.run > 1) {
    return {
      caseId,
      rerun: {
        run: latest.run,
        trigger: latest.trigger,
        ...(latest.findingUpdatedAt ? { findingUpdatedAt: latest.findingUpdatedAt } : {}),
      },
    };
  }
  return { ...(caseRecord.request as InvestigationRequest), caseId };
}

/** Removes the scratch folders of runs whose process is gone (a SIGKILL leaves its Parquet copy). */
export async function removeOrphanedWorkDirs(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of entries.filter((e) => e.startsWith('casefile-work-'))) {
    const pid = Number(await readFile(join(tmpdir(), name, 'pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(pid) && !processIsAlive(pid))
      await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
