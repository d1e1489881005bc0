import type { CaseContext } from '../domain/case.js';
import { completedCaseRecord } from '../domain/case-files/case-record.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { type HuntOutcome, type HuntResultRecord, huntMetadata } from '../domain/hunt-result.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFile, writeCaseFile } from '../ports/evidence-store.js';
import { renderReport } from '../report/render-report.js';
import { summariseCase } from '../report/summarise-case.js';
import { readStoryFiles } from '../story/story-files.js';
import { loadCaseHunts } from './case-hunts.js';

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

  const results: HuntResultRecord[] = [];
  for (const outcome of input.hunts) {
    if (outcome.status === 'SUCCEEDED') {
      results.push(await readCaseFile(adapters.store, files.huntResult(outcome.huntId)));
      continue;
    }
    const hunt = library.get(outcome.huntId);
    const failed: HuntResultRecord = {
      ...(hunt
        ? huntMetadata(hunt)
        : {
            huntId: outcome.huntId,
            title: outcome.huntId,
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
      error: { name: outcome.error ?? 'Error', message: causeMessage(outcome.cause) },
    };
    await writeCaseFile(adapters.store, files.huntResult(outcome.huntId), failed);
    results.push(failed);
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

/** Step Functions passes a Lambda error's cause as JSON text holding errorMessage. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no cause recorded';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
