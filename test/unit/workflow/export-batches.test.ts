import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseContext } from '../../../shared/domain/case.js';
import { caseFiles } from '../../../shared/domain/case-files.js';
import type { Inventory } from '../../../shared/domain/inventory.js';
import {
  EXPORT_BATCH_SIZE,
  type ExportOutcome,
  exportBatchNumbers,
} from '../../../shared/domain/log-exports.js';
import { InvalidRequestError } from '../../../shared/errors.js';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';
import type { CaseAdapters } from '../../../shared/ports/case-adapters.js';
import { readCaseFile, writeCaseFile } from '../../../shared/ports/evidence-store.js';
import {
  listExportBatch,
  readExportOutcomes,
  recordExportBatch,
} from '../../../shared/workflow/export-logs.js';
import { mergeInventory } from '../../../shared/workflow/inventory-logs.js';
import {
  parseExportBatchInput,
  parseExportBatchOutcomes,
  parseExportsInput,
} from '../../../shared/workflow/step-input.js';

const context = {
  caseId: 'c1',
  engine: 'athena',
  window: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' },
  closedWindow: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' },
} as CaseContext;

const group = (i: number) => ({
  logGroup: `/aws/lambda/fn-${i}`,
  account: '111122223333',
  region: 'eu-west-1',
  from: '2024-05-01T00:00:00.000Z',
  to: '2024-05-02T00:00:00.000Z',
  lostBefore: null,
});

async function caseWithGroups(count: number) {
  const store = new FileEvidenceStore(await mkdtemp(join(tmpdir(), 'casefile-batches-')));
  const adapters = { store, now: () => new Date('2024-05-03T00:00:00Z') } as unknown as CaseAdapters;
  const inventory: Inventory = {
    discoveredAt: '2024-05-03T00:00:00.000Z',
    sources: [],
    skipped: [],
    notes: [],
    exports: Array.from({ length: count }, (_, i) => group(i)),
  };
  await writeCaseFile(store, caseFiles('c1').accountInventory('111122223333'), inventory);
  return adapters;
}

describe('exports in batches', () => {
  it(`numbers one batch per ${EXPORT_BATCH_SIZE} groups, none when there is nothing to export`, () => {
    expect(exportBatchNumbers(0)).toEqual([]);
    expect(exportBatchNumbers(EXPORT_BATCH_SIZE)).toEqual([0]);
    expect(exportBatchNumbers(EXPORT_BATCH_SIZE + 1)).toEqual([0, 1]);
    expect(exportBatchNumbers(1_000)).toHaveLength(20);
  });

  it("hands the workflow batch numbers, never the groups: the merge's result does not grow with them", async () => {
    const adapters = await caseWithGroups(1_000);
    const result = await mergeInventory(
      context,
      [{ account: '111122223333', status: 'SUCCEEDED', durationMs: 5 }],
      adapters,
    );
    expect(result).toMatchObject({ exportCount: 1_000, exportBatches: exportBatchNumbers(1_000) });
    expect(JSON.stringify(result).length).toBeLessThan(1_000);
  });

  it('lists each batch from inventory.json in order, every group exactly once', async () => {
    const adapters = await caseWithGroups(120);
    await mergeInventory(
      context,
      [{ account: '111122223333', status: 'SUCCEEDED', durationMs: 5 }],
      adapters,
    );
    const listed = [];
    for (const batch of exportBatchNumbers(120))
      listed.push(...(await listExportBatch(context, batch, adapters)).exports);
    const merged = await readCaseFile(adapters.store, caseFiles('c1').inventory);
    expect(listed.map((e) => e.logGroup)).toEqual(merged.exports?.map((e) => e.logGroup));
    expect(new Set(listed.map((e) => e.logGroup)).size).toBe(120);
    expect(listed[0]).not.toHaveProperty('files');
  });

  it('files each batch’s outcomes and reads them all back, in batch order', async () => {
    const adapters = await caseWithGroups(0);
    const outcome = (i: number): ExportOutcome => ({
      logGroup: `/aws/lambda/fn-${i}`,
      status: i % 2 ? 'FAILED' : 'COMPLETED',
      reason: i % 2 ? 'AccessDenied' : null,
      destination: null,
    });
    expect(await recordExportBatch(context, 1, [outcome(2), outcome(3)], adapters)).toEqual({
      batch: 1,
      exports: 2,
    });
    await recordExportBatch(context, 0, [outcome(0), outcome(1)], adapters);
    expect(await readExportOutcomes(context, [0, 1], adapters)).toEqual([0, 1, 2, 3].map(outcome));
  });

  it('refuses batch numbers that are not small non-negative integers, and malformed outcomes', () => {
    for (const batch of [-1, 1.5, '0', null, 10_000]) {
      expect(() => parseExportBatchInput({ case: context, batch })).toThrow(InvalidRequestError);
    }
    expect(() => parseExportsInput({ case: context, exportBatches: [0, 'x'] })).toThrow(InvalidRequestError);
    expect(parseExportsInput({ case: context }).exportBatches).toEqual([]);
    expect(() => parseExportBatchOutcomes({ case: context, batch: 0, outcomes: [{ logGroup: 3 }] })).toThrow(
      /Malformed export outcome/,
    );
  });
});
