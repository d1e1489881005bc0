import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import { assessCoverage } from '../domain/coverage.js';
import type { Inventory } from '../domain/inventory.js';
import { type AccountInventoryFailure, mergeInventories } from '../domain/inventory-merge.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFile, writeCaseFile } from '../ports/evidence-store.js';
import { exportStateItem } from './export-logs.js';

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
  await writeCaseFile(adapters.store, caseFiles(context.caseId).accountInventory(account), inventory);
  return { account, status: 'SUCCEEDED', durationMs: Math.round(performance.now() - started) };
}

export interface InventoryStepResult {
  sources: { source: string; location: string }[];
  exports: ReturnType<typeof exportStateItem>[];
  skippedCount: number;
  durationMs: number;
}

/**
 * Merges the accounts' inventories into `inventory.json` with the coverage of every source, and
 * hands the workflow only a short list.
 */
export async function mergeInventory(
  context: CaseContext,
  outcomes: AccountInventoryOutcome[],
  adapters: CaseAdapters,
): Promise<InventoryStepResult> {
  const files = caseFiles(context.caseId);
  const parts: Inventory[] = [];
  const failures: AccountInventoryFailure[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'SUCCEEDED')
      parts.push(await readCaseFile(adapters.store, files.accountInventory(outcome.account)));
    else failures.push(outcome);
  }
  const merged = mergeInventories(parts, failures, adapters.now().toISOString());
  const inventory = { ...merged, coverage: assessCoverage(merged) };
  await writeCaseFile(adapters.store, files.inventory, inventory);
  return {
    sources: inventory.sources.map(({ source, location }) => ({ source, location })),
    exports: (inventory.exports ?? []).map(exportStateItem),
    skippedCount: inventory.skipped.length,
    durationMs: outcomes.reduce((sum, o) => sum + (o.status === 'SUCCEEDED' ? o.durationMs : 0), 0),
  };
}
