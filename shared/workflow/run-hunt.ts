import { type Allowlist, allowlistMatcher } from '../domain/allowlist.js';
import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { toCsv } from '../domain/csv.js';
import {
  type HuntOutcome,
  type HuntResultRecord,
  huntMetadata,
  rowRecordId,
  SAMPLE_ROWS,
} from '../domain/hunt-result.js';
import { iocParameter } from '../domain/iocs.js';
import { findCaseHunt, loadCaseHunts } from '../hunts/case-hunts.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { getJson, putJson } from '../ports/evidence-store.js';

/**
 * Runs one hunt and files its result. A failing query throws (so the workflow's Retry and Catch
 * see the error by name); the Catch path records the failure in the report step.
 */
export async function runHunt(
  context: CaseContext,
  huntId: string,
  adapters: CaseAdapters,
): Promise<HuntOutcome> {
  const caseHunts = await loadCaseHunts(context.caseId, adapters);
  const hunt = findCaseHunt(caseHunts, huntId);
  const layout = caseFolderLayout(context.caseId);
  const parameters =
    caseHunts.sigmaParameters.get(hunt.id) ??
    (hunt.parameters ?? []).map((type) => iocParameter(context.iocs ?? {}, type));
  const result = await adapters.engine.run(hunt.sql, { parameters });

  const allowlist = (await adapters.store.exists(layout.allowlist))
    ? await getJson<Allowlist>(adapters.store, layout.allowlist)
    : {};
  const allowlisted = allowlistMatcher(allowlist, hunt.id);
  const kept: typeof result.rows = [];
  const suppressed: { row: Record<string, string | null>; entry: string }[] = [];
  for (const row of result.rows) {
    const entry = hunt.kind === 'pivot' ? null : allowlisted(row);
    if (entry) suppressed.push({ row, entry });
    else kept.push(row);
  }
  const rowCount = result.rowCount - suppressed.length;

  await adapters.store.put(layout.huntRows(hunt.id), toCsv(result.columns, kept), 'text/csv');
  const record: HuntResultRecord = {
    ...huntMetadata(hunt),
    status: 'SUCCEEDED',
    engine: context.engine,
    query: hunt.sql,
    parameters,
    rowCount,
    truncated: result.truncated,
    columns: result.columns,
    sample: kept.slice(0, SAMPLE_ROWS),
    resultsFile: `hunts/${hunt.id}.csv`,
    suppressedByAllowlist: {
      count: suppressed.length,
      sample: suppressed.slice(0, 5).map(({ row, entry }) => ({
        entry,
        eventid: rowRecordId(result.columns, row),
        actor: row.actor ?? null,
      })),
    },
    durationMs: result.stats.durationMs,
    bytesScanned: result.stats.bytesScanned ?? null,
    queryId: result.stats.queryId ?? null,
    error: null,
  };
  await putJson(adapters.store, layout.huntResult(hunt.id), record);
  return { huntId: hunt.id, status: 'SUCCEEDED', severity: hunt.severity, rowCount };
}
