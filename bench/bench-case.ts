import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summarySchema } from '../shared/domain/case-files/summary-file.js';

/** What the benchmark reports from the case it ran: the steps' timings and how the hunts went. */
export async function readCaseJson(caseFolder: string) {
  const caseFile = JSON.parse(await readFile(join(caseFolder, 'case.json'), 'utf8'));
  const summary = summarySchema.parse(JSON.parse(await readFile(join(caseFolder, 'summary.json'), 'utf8')));
  const timings = caseFile.timings as Record<string, number>;
  return {
    status: String(caseFile.status),
    timings: {
      inventoryMs: timings.inventoryMs ?? Number.NaN,
      tablesMs: timings.tablesMs ?? Number.NaN,
      huntsMs: timings.huntsMs ?? Number.NaN,
    },
    hunts: { ...summary.hunts, failedHunts: summary.failedHunts },
    huntsToRun: JSON.parse(await readFile(join(caseFolder, 'tables.json'), 'utf8')).huntsToRun as string[],
  };
}
