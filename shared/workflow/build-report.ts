import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { type HuntOutcome, type HuntResultRecord, huntMetadata } from '../domain/hunt-result.js';
import type { HuntNotRun } from '../domain/hunt-selection.js';
import type { Inventory } from '../domain/inventory.js';
import { loadCaseHunts } from '../hunts/case-hunts.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { getJson, putJson } from '../ports/evidence-store.js';
import type { TablesResult } from '../ports/table-builder.js';
import { renderReport } from '../report/render-report.js';
import { summariseCase } from '../report/summarise-case.js';

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

  const results: HuntResultRecord[] = [];
  for (const outcome of input.hunts) {
    if (outcome.status === 'SUCCEEDED') {
      results.push(await getJson<HuntResultRecord>(adapters.store, layout.huntResult(outcome.huntId)));
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
    await putJson(adapters.store, layout.huntResult(outcome.huntId), failed);
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
    coverage: inventory.coverage ?? [],
    ...(tables.files ? { files: tables.files } : {}),
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
