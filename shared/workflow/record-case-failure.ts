import type { CaseContext } from '../domain/case.js';
import { failedCaseRecord } from '../domain/case-files/case-record.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFileIfPresent, writeCaseFile } from '../ports/evidence-store.js';

export interface CaseFailureInput {
  case: CaseContext;
  failure: { Error?: string; Cause?: string };
}

/** A step the case cannot go on without failed: the case says which, and why, in `case.json`. */
export async function recordCaseFailure(input: CaseFailureInput, adapters: CaseAdapters) {
  const file = caseFiles(input.case.caseId, input.case.run).caseRecord;
  const existing = await readCaseFileIfPresent(adapters.store, file);
  const failure = {
    error: input.failure.Error ?? 'Error',
    cause: input.failure.Cause ?? 'no cause recorded',
  };
  const caseFolder = adapters.store.locate(caseFolderLayout(input.case.caseId, input.case.run).root);
  await writeCaseFile(
    adapters.store,
    file,
    failedCaseRecord(existing, input.case, failure, adapters.now().toISOString(), caseFolder),
  );
  return { status: 'FAILED' };
}
