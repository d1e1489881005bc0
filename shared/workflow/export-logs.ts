import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import { type ExportOutcome, exportBatch, type LogGroupExport } from '../domain/log-exports.js';
import { InvalidRequestError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFile, writeCaseFile } from '../ports/evidence-store.js';
import type { ExportProgress } from '../ports/log-exporter.js';

/**
 * Starts one log group's export. The item in the workflow's state is only the group's name and
 * window; the full entry (with local files) is read back from `inventory.json`.
 */
export async function startLogExport(context: CaseContext, logGroup: string, adapters: CaseAdapters) {
  const inventory = await readCaseFile(adapters.store, caseFiles(context.caseId, context.run).inventory);
  const item = inventory.exports?.find((e) => e.logGroup === logGroup);
  if (!item) throw new InvalidRequestError(`Log group '${logGroup}' is not in the case's inventory.`);
  return adapters.exporter.start(context, item);
}

export async function checkLogExport(taskId: string, adapters: CaseAdapters): Promise<ExportProgress> {
  return adapters.exporter.progress(taskId);
}

/** What the workflow carries for each export: small, without file lists. */
export function exportStateItem(item: LogGroupExport) {
  const { logGroup, account, region, from, to, lostBefore } = item;
  return { logGroup, account, region, from, to, lostBefore };
}

/** One batch of the groups to export, read from `inventory.json`: the workflow carries only the batch number. */
export async function listExportBatch(context: CaseContext, batch: number, adapters: CaseAdapters) {
  const inventory = await readCaseFile(adapters.store, caseFiles(context.caseId, context.run).inventory);
  return { exports: exportBatch(inventory.exports ?? [], batch).map(exportStateItem) };
}

/** Files a batch's export outcomes in the case folder, and hands the workflow only their count. */
export async function recordExportBatch(
  context: CaseContext,
  batch: number,
  outcomes: ExportOutcome[],
  adapters: CaseAdapters,
) {
  await writeCaseFile(adapters.store, caseFiles(context.caseId, context.run).exportOutcomes(batch), outcomes);
  return { batch, exports: outcomes.length };
}

/** Every batch's export outcomes, in inventory order. */
export async function readExportOutcomes(
  context: CaseContext,
  batches: number[],
  adapters: CaseAdapters,
): Promise<ExportOutcome[]> {
  const files = caseFiles(context.caseId, context.run);
  const outcomes: ExportOutcome[] = [];
  for (const batch of batches) {
    outcomes.push(...(await readCaseFile(adapters.store, files.exportOutcomes(batch))));
  }
  return outcomes;
}
