import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { assessCoverage } from '../domain/coverage.js';
import type { Inventory } from '../domain/inventory.js';
import { type AccountInventoryFailure, mergeInventories } from '../domain/inventory-merge.js';
import { exportBatchNumbers } from '../domain/log-exports.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { getJson, putJson } from '../ports/evidence-store.js';

/** The accounts to inventory, one Map iteration each. */
export async function planInventory(context: CaseContext, adapters: CaseAdapters) {
  return { accounts: await adapters.inventory.accounts(context) };
}

export type AccountInventoryOutcome =
  | { account: string; status: 'SUCCEEDED'; durationMs: number }
  | { account: string; status: 'FAILED'; error: string; cause: string };

/** One account's logs, kept in the case folder as `inventory/<account>.json` until they are merged. */
export async function inventoryAccount(
  context: CaseContext,
  account: string,
  adapters: CaseAdapters,
): Promise<AccountInventoryOutcome> {
  const started = performance.now();
  const inventory = await adapters.inventory.discover(context, account);
  await putJson(adapters.store, caseFolderLayout(context.caseId).accountInventory(account), inventory);
  return { account, status: 'SUCCEEDED', durationMs: Math.round(performance.now() - started) };
}

export interface InventoryStepResult {
  /** Batches of the groups to export (`inventory.json` lists them): a number each, however many groups. */
  exportBatches: number[];
  exportCount: number;
  skippedCount: number;
  durationMs: number;
}

/**
 * Merges the accounts' inventories into `inventory.json` with the coverage of every source, and
 * hands the workflow only counts: a list of sources or groups grows with the organisation, the
 * state may not (256 KiB).
 */
export async function mergeInventory(
  context: CaseContext,
  outcomes: AccountInventoryOutcome[],
  adapters: CaseAdapters,
): Promise<InventoryStepResult> {
  const layout = caseFolderLayout(context.caseId);
  const parts: Inventory[] = [];
  const failures: AccountInventoryFailure[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'SUCCEEDED')
      parts.push(await getJson<Inventory>(adapters.store, layout.accountInventory(outcome.account)));
    else failures.push(outcome);
  }
  const merged = mergeInventories(parts, failures, adapters.now().toISOString());
  const inventory = { ...merged, coverage: assessCoverage(merged) };
  await putJson(adapters.store, layout.inventory, inventory);
  return {
    exportBatches: exportBatchNumbers(inventory.exports?.length ?? 0),
    exportCount: inventory.exports?.length ?? 0,
    skippedCount: inventory.skipped.length,
    durationMs: outcomes.reduce((sum, o) => sum + (o.status === 'SUCCEEDED' ? o.durationMs : 0), 0),
  };
}
