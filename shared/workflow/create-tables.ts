import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { selectHunts } from '../domain/hunt-selection.js';
import type { Inventory } from '../domain/inventory.js';
import { loadHuntLibrary } from '../hunts/hunt-library.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { getJson, putJson } from '../ports/evidence-store.js';

export interface TablesStepResult {
  hunts: { huntId: string }[];
  tables: string[];
  durationMs: number;
}

/** Makes every found source queryable, records what could not be loaded, and picks the hunts to run. */
export async function createTables(context: CaseContext, adapters: CaseAdapters): Promise<TablesStepResult> {
  const started = performance.now();
  const layout = caseFolderLayout(context.caseId);
  const inventory = await getJson<Inventory>(adapters.store, layout.inventory);
  const built = await adapters.tables.build(context, inventory);
  const library = await loadHuntLibrary(adapters.huntLibraryDir);
  const selection = selectHunts(
    library,
    built.tables.map((t) => t.source),
    context.huntIds,
    context.iocs ?? {},
  );
  const durationMs = Math.round(performance.now() - started);
  await putJson(adapters.store, layout.tables, { ...built, huntsToRun: selection.run, huntsNotRun: selection.notRun, durationMs });
  return { hunts: selection.run.map((huntId) => ({ huntId })), tables: built.tables.map((t) => t.table), durationMs };
}
