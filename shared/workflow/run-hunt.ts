import { allowlistMatcher } from '../domain/allowlist.js';
import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { toCsv } from '../domain/csv.js';
import { type EventRoute, ROUTE_CLASSES } from '../domain/event-classes.js';
import {
  type HuntOutcome,
  type HuntResultRecord,
  huntMetadata,
  rowRecordId,
  SAMPLE_ROWS,
} from '../domain/hunt-result.js';
import { iocParameter, iocParameterSets } from '../domain/iocs.js';
import { totalOrder } from '../domain/row-order.js';
import { SIGMA_HUNT_PREFIX } from '../hunts/sigma/compile-sigma.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFileIfPresent, writeCaseFile } from '../ports/evidence-store.js';
import type { QueryEngine, QueryResult } from '../ports/query-engine.js';
import { findCaseHunt, loadCaseHunts } from './case-hunts.js';

/**
 * Runs one hunt and files its result. A failing query throws (so the workflow's Retry and Catch
 * see the error by name); the Catch path records the failure in the report step.
 */
export async function runHunt(
  context: CaseContext,
  huntId: string,
  adapters: CaseAdapters,
  route: EventRoute | null = null,
): Promise<HuntOutcome> {
  const caseHunts = await loadCaseHunts(context.caseId, adapters, {
    withSigma: huntId.startsWith(SIGMA_HUNT_PREFIX),
  });
  const hunt = findCaseHunt(caseHunts, huntId);
  const layout = caseFolderLayout(context.caseId, context.run);
  const iocTypes = hunt.parameters ?? [];
  const parameters =
    caseHunts.sigmaParameters.get(hunt.id) ?? iocTypes.map((type) => iocParameter(context.iocs ?? {}, type));
  // Every row, unless the deployment configured a cap; then the record and the report say N of M.
  const maxRows = adapters.maxHuntRows ?? Number.POSITIVE_INFINITY;
  const files = caseFiles(context.caseId, context.run);
  // The route CreateTables gave the hunt (tables.json's namedEvents): the views of its classes.
  const engine = route && adapters.routedEngine ? adapters.routedEngine(route) : adapters.engine;
  const result =
    hunt.kind === 'pivot'
      ? await runPivot(engine, hunt.sql, iocParameterSets(iocTypes, context.iocs ?? {}), maxRows)
      : await engine.run(hunt.sql, { parameters, maxRows });

  const allowlist = (await readCaseFileIfPresent(adapters.store, files.allowlist)) ?? {};
  const allowlisted = allowlistMatcher(allowlist, hunt.id);
  let kept: typeof result.rows = [];
  const suppressed: { row: Record<string, string | null>; entry: string }[] = [];
  for (const row of result.rows) {
    const entry = hunt.kind === 'pivot' ? null : allowlisted(row);
    if (entry) suppressed.push({ row, entry });
    else kept.push(row);
  }
  const rowCount = result.rowCount - suppressed.length;
  kept = totalOrder(hunt.sql, result.columns, kept);

  await adapters.store.put(layout.huntRows(hunt.id), toCsv(result.columns, kept), 'text/csv');
  const record: HuntResultRecord = {
    ...huntMetadata(hunt),
    status: 'SUCCEEDED',
    engine: context.engine,
    query: hunt.sql,
    parameters,
    rowCount,
    truncated: result.truncated,
    ...(result.truncated ? { rowsInCsv: kept.length } : {}),
    columns: result.columns,
    sample: kept.slice(0, SAMPLE_ROWS),
    resultsFile: layout.relativeToRun(layout.huntRows(hunt.id)),
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
    ...(route && adapters.routedEngine ? { eventClasses: ROUTE_CLASSES[route] } : {}),
    error: null,
  };
  await writeCaseFile(adapters.store, files.huntResult(hunt.id), record);
  return { huntId: hunt.id, status: 'SUCCEEDED', severity: hunt.severity, rowCount };
}

/**
 * A pivot over long IOC lists runs once per slice (see iocParameterSets); an event matched in two
 * runs is one row, and the rows keep the query's time order.
 */
async function runPivot(
  engine: QueryEngine,
  sql: string,
  sets: string[][],
  maxRows: number,
): Promise<QueryResult> {
  // One after another: the hunts' fan-out already uses the engine's concurrency.
  const all: QueryResult[] = [];
  for (const parameters of sets) all.push(await engine.run(sql, { parameters, maxRows }));
  const [first] = all;
  if (!first || all.length === 1) return first ?? engine.run(sql, { maxRows });
  const byEvent = new Map<string, Record<string, string | null>>();
  for (const row of all.flatMap((r) => r.rows)) {
    const { matched_ioc: matched, ...event } = row;
    const key = JSON.stringify(event);
    const earlier = byEvent.get(key);
    // The same event found by two lists (its key and its address) is one row naming both.
    const indicators = new Set([...(earlier?.matched_ioc ?? '').split(', '), ...(matched ?? '').split(', ')]);
    indicators.delete('');
    byEvent.set(
      key,
      matched === undefined ? row : { ...row, matched_ioc: [...indicators].sort().join(', ') },
    );
  }
  const rows = [...byEvent.values()].sort((a, b) => (a.event_time ?? '').localeCompare(b.event_time ?? ''));
  const scanned = all.map((r) => r.stats.bytesScanned).filter((b): b is number => b !== undefined);
  return {
    columns: first.columns,
    rows,
    rowCount: rows.length + all.reduce((sum, r) => sum + (r.rowCount - r.rows.length), 0),
    truncated: all.some((r) => r.truncated),
    stats: {
      durationMs: all.reduce((sum, r) => sum + r.stats.durationMs, 0),
      ...(scanned.length > 0 ? { bytesScanned: scanned.reduce((sum, b) => sum + b, 0) } : {}),
    },
  };
}
