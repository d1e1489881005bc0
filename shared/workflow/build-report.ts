import type { CaseContext } from '../domain/case.js';
import { completedCaseRecord } from '../domain/case-files/case-record.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { HuntOutcome, HuntResultRecord } from '../domain/hunt-result.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFile, readCaseFileIfPresent, writeCaseFile } from '../ports/evidence-store.js';
import { renderReport } from '../report/render-report.js';
import { summariseCase } from '../report/summarise-case.js';
import { readStoryFiles } from '../story/story-files.js';
import { loadCaseHunts } from './case-hunts.js';
import { failedHuntRecord } from './file-hunt-failure.js';
import { lambdaErrorMessage } from './lambda-error.js';

export interface BuildReportInput {
  case: CaseContext;
  hunts: HuntOutcome[];
  timings?: Record<string, number>;
}

/** Files failed hunts, writes `summary.json` and `report.md`, and marks the case COMPLETED. */
export async function buildReport(input: BuildReportInput, adapters: CaseAdapters) {
  const context = input.case;
  const files = caseFiles(context.caseId);
  const library = new Map((await loadCaseHunts(context.caseId, adapters)).hunts.map((h) => [h.id, h]));
  const tables = await readCaseFile(adapters.store, files.tables);
  const inventory = await readCaseFile(adapters.store, files.inventory);

  // Every hunt that ran, or failed, is filed in hunts/<id>.json (RunHunt or FileHuntFailure wrote it);
  // one that is not is filed here, with the error its outcome carries if it carries one.
  const results: HuntResultRecord[] = [];
  for (const outcome of input.hunts) {
    const file = files.huntResult(outcome.huntId);
    const filed = await readCaseFileIfPresent(adapters.store, file);
    if (filed) {
      results.push(filed);
    } else {
      const failed = failedHuntRecord(context, outcome.huntId, library.get(outcome.huntId), {
        name: outcome.error ?? 'Error',
        message: outcome.error
          ? lambdaErrorMessage(outcome.cause)
          : 'the hunt failed and its error could not be filed',
      });
      await writeCaseFile(adapters.store, file, failed);
      results.push(failed);
    }
  }

  const skipped = [...inventory.skipped, ...tables.skipped];
  const summary = summariseCase({
    caseId: context.caseId,
    engine: context.engine,
    window: context.window,
    tables: tables.tables,
    results,
    huntsNotRun: tables.huntsNotRun,
    skipped,
    coverage: tables.coverage,
    ...(tables.files ? { files: tables.files } : {}),
  });
  await writeCaseFile(adapters.store, files.summary, summary);
  const story = await readStoryFiles(adapters.store, caseFolderLayout(context.caseId));
  const report = renderReport(summary, results, story);
  await adapters.store.put(caseFolderLayout(context.caseId).report, report, 'text/markdown; charset=utf-8');

  const opened = await readCaseFile(adapters.store, files.caseRecord);
  await writeCaseFile(
    adapters.store,
    files.caseRecord,
    completedCaseRecord(opened, summary, skipped, {
      ...input.timings,
      huntsMs: results.reduce((sum, r) => sum + r.durationMs, 0),
      completedAt: adapters.now().toISOString(),
    }),
  );
  return {
    status: 'COMPLETED',
    findings: summary.findings.length,
    failedHunts: summary.hunts.failed,
    skipped: skipped.length,
  };
}
