import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { getJson, putJson } from '../ports/evidence-store.js';

export interface CaseFailureInput {
  case: CaseContext;
  failure: { Error?: string; Cause?: string };
}

/** A step the case cannot go on without failed: the case says which, and why, in `case.json`. */
export async function recordCaseFailure(input: CaseFailureInput, adapters: CaseAdapters) {
  const layout = caseFolderLayout(input.case.caseId);
  const existing = (await adapters.store.exists(layout.caseFile))
    ? await getJson<Record<string, unknown>>(adapters.store, layout.caseFile)
    : {};
  await putJson(adapters.store, layout.caseFile, {
    ...existing,
    caseId: input.case.caseId,
    status: 'FAILED',
    failure: { error: input.failure.Error ?? 'Error', cause: input.failure.Cause ?? 'no cause recorded' },
    failedAt: adapters.now().toISOString(),
  });
  return { status: 'FAILED' };
}
