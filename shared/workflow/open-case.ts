import { type CaseContext, openCaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { putJson } from '../ports/evidence-store.js';
import type { CaseAdapters } from '../ports/case-adapters.js';

/** Validates the request and opens the case folder with `case.json` in status RUNNING. */
export async function openCase(request: unknown, adapters: CaseAdapters): Promise<CaseContext> {
  const context = openCaseContext(request, adapters.engineName, adapters.now());
  await putJson(adapters.store, caseFolderLayout(context.caseId).caseFile, {
    caseId: context.caseId,
    status: 'RUNNING',
    request,
    window: context.window,
    engine: context.engine,
    timings: { openedAt: context.openedAt },
    caseFolder: adapters.store.locate(caseFolderLayout(context.caseId).root),
  });
  return context;
}
