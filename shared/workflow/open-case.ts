import { mergeAllowlists } from '../domain/allowlist.js';
import { type CaseContext, validateInvestigationRequest } from '../domain/case.js';
import { openedCaseRecord } from '../domain/case-files/case-record.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { InvalidRequestError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { writeCaseFile } from '../ports/evidence-store.js';

/**
 * Validates the request and opens the case folder with `case.json` in status RUNNING. An existing
 * case is never written over: its files are evidence, and mixing two runs would corrupt both.
 */
export async function openCase(request: unknown, adapters: CaseAdapters): Promise<CaseContext> {
  const { context, allowlist, sigmaRules } = validateInvestigationRequest(
    request,
    adapters.engineName,
    adapters.now(),
  );
  const layout = caseFolderLayout(context.caseId);
  if (await adapters.store.exists(layout.caseFile)) {
    throw new InvalidRequestError(
      `Case ${context.caseId} already exists at ${adapters.store.locate(layout.root)}: choose another case id.`,
    );
  }
  for (const rule of sigmaRules) {
    await adapters.store.put(layout.sigmaRule(rule.file), rule.text, 'application/yaml');
  }
  const files = caseFiles(context.caseId);
  await writeCaseFile(adapters.store, files.allowlist, mergeAllowlists(adapters.allowlist ?? {}, allowlist));
  await writeCaseFile(
    adapters.store,
    files.caseRecord,
    openedCaseRecord(context, request, adapters.store.locate(layout.root)),
  );
  return context;
}
