import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import type { LogGroupExport } from '../domain/log-exports.js';
import { InvalidRequestError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFile } from '../ports/evidence-store.js';
import type { ExportProgress } from '../ports/log-exporter.js';

/**
 * Starts one log group's export. The item in the workflow's state is only the group's name and
 * window; the full entry (with local files) is read back from `inventory.json`.
 */
export async function startLogExport(context: CaseContext, logGroup: string, adapters: CaseAdapters) {
  const inventory = await readCaseFile(adapters.store, caseFiles(context.caseId).inventory);
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
