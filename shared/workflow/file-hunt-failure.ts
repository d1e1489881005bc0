import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import type { HuntDefinition } from '../domain/hunt-definition.js';
import { type HuntOutcome, type HuntResultRecord, huntMetadata } from '../domain/hunt-result.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { writeCaseFile } from '../ports/evidence-store.js';
import { loadCaseHunts } from './case-hunts.js';
import { lambdaErrorMessage } from './lambda-error.js';

/**
 * Files a hunt whose Task failed as `hunts/<id>.json` with its error, and hands the workflow only
 * `{ huntId, status }`: a hundred failed hunts with stack traces would not fit in the state.
 */
export async function fileHuntFailure(
  context: CaseContext,
  huntId: string,
  failure: { Error?: string; Cause?: string },
  adapters: CaseAdapters,
): Promise<HuntOutcome> {
  const hunt = (await loadCaseHunts(context.caseId, adapters)).hunts.find((h) => h.id === huntId);
  const failed = failedHuntRecord(context, huntId, hunt, {
    name: failure.Error ?? 'Error',
    message: lambdaErrorMessage(failure.Cause),
  });
  await writeCaseFile(adapters.store, caseFiles(context.caseId, context.run).huntResult(huntId), failed);
  return { huntId, status: 'FAILED' };
}

/** The record of a hunt that failed: its metadata when the library knows it, and the error. */
export function failedHuntRecord(
  context: CaseContext,
  huntId: string,
  hunt: HuntDefinition | undefined,
  error: { name: string; message: string },
): HuntResultRecord {
  return {
    ...(hunt
      ? huntMetadata(hunt)
      : {
          huntId,
          title: huntId,
          description: '',
          severity: 'info',
          kind: 'event',
          mitre: [],
          tactics: [],
          triage: '',
        }),
    status: 'FAILED',
    engine: context.engine,
    query: hunt?.sql ?? '',
    parameters: [],
    rowCount: 0,
    truncated: false,
    columns: [],
    sample: [],
    resultsFile: null,
    suppressedByAllowlist: { count: 0, sample: [] },
    durationMs: 0,
    bytesScanned: null,
    queryId: null,
    error,
  };
}
