import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { toCsv } from '../domain/csv.js';
import { type HuntOutcome, type HuntResultRecord, huntMetadata, SAMPLE_ROWS } from '../domain/hunt-result.js';
import { findHunt } from '../hunts/hunt-library.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { putJson } from '../ports/evidence-store.js';

/**
 * Runs one hunt and files its result. A failing query throws (so the workflow's Retry and Catch
 * see the error by name); the Catch path records the failure through `recordHuntFailure`.
 */
export async function runHunt(context: CaseContext, huntId: string, adapters: CaseAdapters): Promise<HuntOutcome> {
  const hunt = await findHunt(huntId, adapters.huntLibraryDir);
  const layout = caseFolderLayout(context.caseId);
  const parameters: (string | number | boolean)[] = [];
  const result = await adapters.engine.run(hunt.sql, { parameters });
  const resultsFile = layout.huntRows(hunt.id);
  await adapters.store.put(resultsFile, toCsv(result.columns, result.rows), 'text/csv');
  const record: HuntResultRecord = {
    ...huntMetadata(hunt),
    status: 'SUCCEEDED',
    engine: context.engine,
    query: hunt.sql,
    parameters,
    rowCount: result.rowCount,
    truncated: result.truncated,
    columns: result.columns,
    sample: result.rows.slice(0, SAMPLE_ROWS),
    resultsFile: `hunts/${hunt.id}.csv`,
    durationMs: result.stats.durationMs,
    bytesScanned: result.stats.bytesScanned ?? null,
    queryId: result.stats.queryId ?? null,
    error: null,
  };
  await putJson(adapters.store, layout.huntResult(hunt.id), record);
  return { huntId: hunt.id, status: 'SUCCEEDED', severity: hunt.severity, rowCount: result.rowCount };
}
