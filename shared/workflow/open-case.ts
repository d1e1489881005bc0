import { hostname } from 'node:os';
import { mergeAllowlists } from '../domain/allowlist.js';
import { type CaseContext, validateInvestigationRequest } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { InvalidRequestError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { getJson, jsonFileText, putJson } from '../ports/evidence-store.js';

/** `claim.json`: the run that holds a case folder. Created exclusively; only a resume replaces it. */
export interface CaseClaim {
  caseId: string;
  runId: string;
  /** Where the run's process lives, so a later start can tell a killed run from a live one. */
  host: string;
  pid: number;
  claimedAt: string;
  /** The interrupted run this one took the case over from, if any. */
  resumes?: string;
}

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
  const now = adapters.now();
  const validated = validateInvestigationRequest(request, adapters.engineName, now);
  const layout = caseFolderLayout(validated.context.caseId);
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
  if (!(await store.putIfAbsent(layout.claim, jsonFileText(claim), 'application/json'))) {
    const holder = await getJson<CaseClaim>(store, layout.claim);
    if (holder.runId !== runId)
      throw new CaseClaimedError(validated.context.caseId, store.locate(layout.root), holder);
    // Written again unchanged, so the claim a resume took over is this run's write like every other file.
    await store.put(layout.claim, jsonFileText(holder), 'application/json');
  }
  const previous = (await store.exists(layout.caseFile))
    ? await getJson<{ timings?: { openedAt?: string } }>(store, layout.caseFile)
    : null;
  const context: CaseContext = {
    ...validated.context,
    openedAt: previous?.timings?.openedAt ?? validated.context.openedAt,
    runId,
  };
  for (const rule of validated.sigmaRules) {
    await store.put(`${layout.sigmaFolder}${rule.file}`, rule.text, 'application/yaml');
  }
  await putJson(store, layout.allowlist, mergeAllowlists(adapters.allowlist ?? {}, validated.allowlist));
  await putJson(store, layout.caseFile, {
    caseId: context.caseId,
    status: 'RUNNING',
    runId,
    request,
    window: context.window,
    engine: context.engine,
    timings: { openedAt: context.openedAt },
    caseFolder: store.locate(layout.root),
  });
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
