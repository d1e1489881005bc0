import { hostname } from 'node:os';
import { mergeAllowlists } from '../domain/allowlist.js';
import { type CaseContext, validateInvestigationRequest } from '../domain/case.js';
import { openedCaseRecord } from '../domain/case-files/case-record.js';
import type { CaseClaim } from '../domain/case-files/claim-file.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { parseRerunRequest } from '../domain/case-runs.js';
import { InvalidRequestError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import {
  createCaseFile,
  readCaseFile,
  readCaseFileIfPresent,
  writeCaseFile,
} from '../ports/evidence-store.js';
import { openRerun } from './open-rerun.js';

/** What the workflow hands OpenCase: the request, and the run (the Step Functions execution name). */
export interface OpenCaseInput {
  request: unknown;
  runId: string;
}

/**
 * Validates the request, claims the case folder for this run and writes `case.json` (RUNNING).
 * A folder claimed by another run, or holding files no run claimed, is refused: its files are
 * evidence, and mixing two runs would corrupt both. The same run asking again (a Step Functions retry
 * after a write that succeeded, or a resume that took the claim over) continues.
 */
export async function openCase(input: unknown, adapters: CaseAdapters): Promise<CaseContext> {
  const { request, runId } = parseInput(input);
  const rerun = parseRerunRequest((request as { rerun?: unknown } | null)?.rerun);
  if (rerun) return openRerun(request as Record<string, unknown>, rerun, runId, adapters);
  const now = adapters.now();
  const validated = validateInvestigationRequest(request, adapters.engineName, now);
  const layout = caseFolderLayout(validated.context.caseId);
  const files = caseFiles(validated.context.caseId);
  const store = adapters.store.forRun(runId);
  const claim: CaseClaim = {
    caseId: validated.context.caseId,
    runId,
    host: hostname(),
    pid: process.pid,
    claimedAt: now.toISOString(),
  };
  const unclaimed = (await store.list(layout.root)).length > 0 && !(await store.exists(layout.claim));
  if (unclaimed) {
    throw new InvalidRequestError(
      `${store.locate(layout.root)} already holds files that no casefile run claimed: choose another case id.`,
    );
  }
  if (!(await createCaseFile(store, files.claim, claim))) {
    const holder = await readCaseFile(store, files.claim);
    if (holder.runId !== runId)
      throw new CaseClaimedError(validated.context.caseId, store.locate(layout.root), holder);
    // Written again unchanged, so the claim a resume took over is this run's write like every other file.
    await writeCaseFile(store, files.claim, holder);
  }
  const previous = await readCaseFileIfPresent(store, files.caseRecord);
  const context: CaseContext = {
    ...validated.context,
    openedAt: previous?.timings.openedAt ?? validated.context.openedAt,
    runId,
  };
  for (const rule of validated.sigmaRules) {
    await store.put(layout.sigmaRule(rule.file), rule.text, 'application/yaml');
  }
  await writeCaseFile(store, files.allowlist, mergeAllowlists(adapters.allowlist ?? {}, validated.allowlist));
  await writeCaseFile(store, files.caseRecord, openedCaseRecord(context, request, store.locate(layout.root)));
  return context;
}

/** A second run asked for a case folder another run holds. */
export class CaseClaimedError extends InvalidRequestError {
  constructor(
    caseId: string,
    folder: string,
    readonly holder: CaseClaim,
  ) {
    super(
      `Case ${caseId} at ${folder} is held by run ${holder.runId} (process ${holder.pid} on ${holder.host}, ` +
        `since ${holder.claimedAt}): choose another case id, or resume that run if it was interrupted.`,
    );
  }
}

function parseInput(input: unknown): OpenCaseInput {
  const { request, runId } = (input ?? {}) as Partial<OpenCaseInput>;
  if (typeof runId !== 'string' || runId === '' || request === undefined) {
    throw new InvalidRequestError(
      'OpenCase takes { request, runId }: the request and the run that opens it.',
    );
  }
  return { request, runId };
}
