import { createHash } from 'node:crypto';
import type { CaseContext } from '../domain/case.js';
import type { NewHit, NewHits } from '../domain/case-files/new-hits-file.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { fromCsv } from '../domain/csv.js';
import { type HuntResultRecord, rowRecordId } from '../domain/hunt-result.js';
import { type EvidenceStore, readCaseFileIfPresent, writeCaseFile } from '../ports/evidence-store.js';
import type { HuntRow } from '../report/case-timeline.js';

/**
 * A hit's identity within its hunt: the record id the row carries (found by column name, as the
 * timeline finds it), or, for a source without one (flow logs, DNS queries, a behaviour summary),
 * the row itself: a summary that grew since the last run is a new hit.
 */
export function hitKey(columns: string[], row: HuntRow): { key: string; recordId: string | null } {
  const recordId = rowRecordId(columns, row);
  if (recordId) return { key: `id:${recordId}`, recordId };
  const canonical = JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k] ?? null]),
  );
  return { key: `row:${createHash('sha256').update(canonical).digest('hex')}`, recordId: null };
}

/**
 * Run n (n >= 2) of a case: compares its hits with every earlier run's and writes
 * `runs/<n>/new-hits.json`. Earlier hits are run 1's hunt CSVs and each later run's new hits, so a
 * run reads one file per run, not every run's every CSV. A run that ended before writing its new
 * hits reported none: its hits count as new in the next run that reports.
 */
export async function recordNewHits(
  store: EvidenceStore,
  context: CaseContext & { run: number },
  results: HuntResultRecord[],
  rows: ReadonlyMap<string, HuntRow[]>,
): Promise<NewHits> {
  const seen = await firstRunHits(store, context.caseId);
  const comparedWith = [1];
  for (let run = 2; run < context.run; run++) {
    const earlier = await readCaseFileIfPresent(store, caseFiles(context.caseId, run).newHits);
    if (!earlier) continue;
    comparedWith.push(run);
    for (const [huntId, keys] of Object.entries(earlier.keys)) addAll(seen, huntId, keys);
  }
  const newHits: NewHit[] = [];
  const keys: Record<string, string[]> = {};
  let seenBefore = 0;
  for (const result of results) {
    const earlier = seen.get(result.huntId);
    const found = new Set<string>();
    const again = new Set<string>();
    for (const row of rows.get(result.huntId) ?? []) {
      const { key, recordId } = hitKey(result.columns, row);
      if (earlier?.has(key)) again.add(key);
      if (earlier?.has(key) || found.has(key)) continue;
      found.add(key);
      newHits.push({ huntId: result.huntId, title: result.title, severity: result.severity, recordId, row });
    }
    seenBefore += again.size;
    if (found.size > 0) keys[result.huntId] = [...found];
  }
  const file: NewHits = {
    caseId: context.caseId,
    run: context.run,
    window: context.closedWindow,
    comparedWith,
    newHits,
    seenBefore,
    keys,
  };
  await writeCaseFile(store, caseFiles(context.caseId, context.run).newHits, file);
  return file;
}

async function firstRunHits(store: EvidenceStore, caseId: string): Promise<Map<string, Set<string>>> {
  const layout = caseFolderLayout(caseId);
  const seen = new Map<string, Set<string>>();
  for (const object of await store.list(layout.huntsFolder)) {
    const name = object.key.slice(layout.huntsFolder.length);
    if (!name.endsWith('.csv') || name.includes('/')) continue;
    const { columns, rows } = fromCsv(new TextDecoder().decode(await store.get(object.key)));
    const huntId = name.slice(0, -'.csv'.length);
    addAll(
      seen,
      huntId,
      rows.map((row) => hitKey(columns, nullWhenEmpty(row)).key),
    );
  }
  return seen;
}

function nullWhenEmpty(row: Record<string, string>): HuntRow {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '' ? null : v]));
}

function addAll(seen: Map<string, Set<string>>, huntId: string, keys: string[]) {
  const set = seen.get(huntId) ?? new Set<string>();
  for (const key of keys) set.add(key);
  seen.set(huntId, set);
}
