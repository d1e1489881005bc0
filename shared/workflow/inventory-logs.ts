import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { assessCoverage } from '../domain/coverage.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { putJson } from '../ports/evidence-store.js';
import { exportStateItem } from './export-logs.js';

export interface InventoryStepResult {
  sources: { source: string; location: string }[];
  exports: ReturnType<typeof exportStateItem>[];
  skippedCount: number;
  durationMs: number;
}

/** Finds the logs, writes `inventory.json`, and hands the workflow only a short list. */
export async function inventoryLogs(
  context: CaseContext,
  adapters: CaseAdapters,
): Promise<InventoryStepResult> {
  const started = performance.now();
  const discovered = await adapters.inventory.discover(context);
  const inventory = { ...discovered, coverage: assessCoverage(discovered) };
  await putJson(adapters.store, caseFolderLayout(context.caseId).inventory, inventory);
  return {
    sources: inventory.sources.map(({ source, location }) => ({ source, location })),
    exports: (inventory.exports ?? []).map(exportStateItem),
    skippedCount: inventory.skipped.length,
    durationMs: Math.round(performance.now() - started),
  };
}
