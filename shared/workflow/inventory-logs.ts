import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import { narrowInventory } from '../domain/case-scope.js';
import { assessCoverage } from '../domain/coverage.js';
import type { Inventory } from '../domain/inventory.js';
import { type AccountInventoryFailure, mergeInventories } from '../domain/inventory-merge.js';
import { exportBatchNumbers } from '../domain/log-exports.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFileIfPresent, writeCaseFile } from '../ports/evidence-store.js';
import { readInventoryWithFiles, writeInventory } from '../ports/inventory-files.js';
import { lambdaErrorMessage } from './lambda-error.js';

/** The accounts to inventory, one Map iteration each. */
export async function planInventory(context: CaseContext, adapters: CaseAdapters) {
  return { accounts: await adapters.inventory.accounts(context) };
}

export type AccountInventoryOutcome =
  | { account: string; status: 'SUCCEEDED'; durationMs: number }
  | { account: string; status: 'FAILED' };

/**
 * Files why an account could not be inventoried, and hands the workflow only `{ account, status }`:
 * three hundred accounts failing with stack traces would not fit in the state.
 */
export async function fileAccountFailure(
  context: CaseContext,
  account: string,
  failure: { Error?: string; Cause?: string },
  adapters: CaseAdapters,
): Promise<AccountInventoryOutcome> {
  const filed: AccountInventoryFailure = {
    account,
    error: failure.Error ?? 'Error',
    cause: lambdaErrorMessage(failure.Cause),
  };
  await writeCaseFile(
    adapters.store,
    caseFiles(context.caseId, context.run).accountInventoryFailure(account),
    filed,
  );
  return { account, status: 'FAILED' };
}

/**
 * One account's logs, kept in the case folder as `inventory/<account>.json` (and the files it lists
 * in `inventory/<account>.files.jsonl`) until they are merged.
 */
export async function inventoryAccount(
  context: CaseContext,
  account: string,
  adapters: CaseAdapters,
): Promise<AccountInventoryOutcome> {
  const started = performance.now();
  const inventory = await adapters.inventory.discover(context, account);
  await writeInventory(
    adapters.store,
    caseFiles(context.caseId, context.run).accountInventory(account),
    inventory,
  );
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
 * Merges the accounts' inventories into `inventory.json`, narrowed to the case's scope, with the
 * coverage of every source, and
 * hands the workflow only counts: a list of sources or groups grows with the organisation, the
 * state may not (256 KiB).
 */
export async function mergeInventory(
  context: CaseContext,
  outcomes: AccountInventoryOutcome[],
  adapters: CaseAdapters,
): Promise<InventoryStepResult> {
  const files = caseFiles(context.caseId, context.run);
  const parts: Inventory[] = [];
  const failures: AccountInventoryFailure[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'SUCCEEDED')
      parts.push(await readInventoryWithFiles(adapters.store, files.accountInventory(outcome.account)));
    else failures.push(await filedFailure(outcome.account, files, adapters));
  }
  // Adapters already look only where the scope points; this also catches what a shared location
  // (an organisation trail's bucket) holds beyond it, the same way on every engine.
  const merged = narrowInventory(
    mergeInventories(parts, failures, adapters.now().toISOString()),
    context.scope,
  );
  const inventory = { ...merged, coverage: assessCoverage(merged) };
  await writeInventory(adapters.store, files.inventory, inventory);
  return {
    exportBatches: exportBatchNumbers(inventory.exports?.length ?? 0),
    exportCount: inventory.exports?.length ?? 0,
    skippedCount: inventory.skipped.length,
    durationMs: outcomes.reduce((sum, o) => sum + (o.status === 'SUCCEEDED' ? o.durationMs : 0), 0),
  };
}

/** The failure FileAccountFailure filed; when not even that could be written, the account is still named. */
async function filedFailure(
  account: string,
  files: ReturnType<typeof caseFiles>,
  adapters: CaseAdapters,
): Promise<AccountInventoryFailure> {
  const filed = await readCaseFileIfPresent(adapters.store, files.accountInventoryFailure(account));
  return filed ?? { account, error: 'Error', cause: 'the inventory failed and its error could not be filed' };
}
