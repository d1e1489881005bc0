import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { HuntOutcome, HuntResultRecord } from '../domain/hunt-result.js';
import type { HuntNotRun } from '../domain/hunt-selection.js';
import type { Inventory } from '../domain/inventory.js';
import { loadCaseHunts } from '../hunts/case-hunts.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { getJson, putJson } from '../ports/evidence-store.js';
import type { TablesResult } from '../ports/table-builder.js';
import { renderReport } from '../report/render-report.js';
import { summariseCase } from '../report/summarise-case.js';
import { failedHuntRecord } from './file-hunt-failure.js';

export interface BuildReportInput {
  case: CaseContext;
  hunts: HuntOutcome[];
  timings?: Record<string, number>;
}

/** Files failed hunts, writes `summary.json` and `report.md`, and marks the case COMPLETED. */
export async function buildReport(input: BuildReportInput, adapters: CaseAdapters) {
  const context = input.case;
  const layout = caseFolderLayout(context.caseId);
  const library = new Map((await loadCaseHunts(context.caseId, adapters)).hunts.map((h) => [h.id, h]));
  const tables = await getJson<TablesResult & { huntsNotRun: HuntNotRun[] }>(adapters.store, layout.tables);
  const inventory = await getJson<Inventory>(adapters.store, layout.inventory);

  // Every hunt that ran, or failed, is filed in hunts/<id>.json (RunHunt or FileHuntFailure wrote it).
  const results: HuntResultRecord[] = [];
  for (const outcome of input.hunts) {
    const filed = layout.huntResult(outcome.huntId);
    if (await adapters.store.exists(filed)) {
      results.push(await getJson<HuntResultRecord>(adapters.store, filed));
    } else {
      const failed = failedHuntRecord(context, outcome.huntId, library.get(outcome.huntId), {
        name: 'Error',
        message: 'the hunt failed and its error could not be filed',
      });
      await putJson(adapters.store, filed, failed);
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
    coverage: inventory.coverage ?? [],
  });
  await putJson(adapters.store, layout.summary, summary);
  await adapters.store.put(layout.report, renderReport(summary, results), 'text/markdown; charset=utf-8');

  const caseFile = await getJson<Record<string, unknown>>(adapters.store, layout.caseFile);
  const completedAt = adapters.now().toISOString();
  await putJson(adapters.store, layout.caseFile, {
    ...caseFile,
    status: 'COMPLETED',
    observed: summary.observed,
    timings: {
      ...(caseFile.timings as object),
      ...input.timings,
      huntsMs: results.reduce((sum, r) => sum + r.durationMs, 0),
      completedAt,
    },
    hunts: summary.hunts,
    findingsBySeverity: summary.findingsBySeverity,
    skipped,
  });
  return {
    status: 'COMPLETED',
    findings: summary.findings.length,
    failedHunts: summary.hunts.failed,
    skipped: skipped.length,
  };
}
