import { describe, expect, it } from 'vitest';
import { caseFiles } from '../../../shared/domain/case-files.js';
import type { InventoriedFile, Inventory } from '../../../shared/domain/inventory.js';
import { InvalidCaseFileError } from '../../../shared/errors.js';
import { readCaseFile } from '../../../shared/ports/evidence-store.js';
import { readInventoryWithFiles, writeInventory } from '../../../shared/ports/inventory-files.js';
import { ChunkingEvidenceStore } from '../../support/chunking-evidence-store.js';

const files = caseFiles('c1').inventory;
const trailFile = (i: number): InventoriedFile => ({
  path: `/evidence/logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/10/111122223333_CloudTrail_eu-west-1_${i}.json.gz`,
  size: 700 + (i % 50),
  layout: 'records-object',
  compressed: true,
});

const inventoryOf = (listed: InventoriedFile[]): Inventory => ({
  discoveredAt: '2025-03-11T00:00:00.000Z',
  sources: [
    { source: 'cloudtrail', location: '/evidence/logs', files: listed, accounts: ['111122223333'] },
    // A location that lists no files (an S3 prefix, as in AWS) stays as it is.
    { source: 'vpcflow', location: 's3://flow-logs/AWSLogs/' },
  ],
  skipped: [],
  notes: [],
});

describe("an inventory's files", () => {
  it('of 100,000 files go to inventory-files.jsonl as a stream, a short line each, and inventory.json only counts them', async () => {
    const store = new ChunkingEvidenceStore();
    const listed = Array.from({ length: 100_000 }, (_, i) => trailFile(i));

    await writeInventory(store, files, inventoryOf(listed));

    expect(store.streamedKeys).toEqual(['c1/inventory-files.jsonl']);
    expect(store.wholeWrites).toEqual(['c1/inventory.json']);
    expect(store.objects.get('c1/inventory.json')?.byteLength).toBeLessThan(2_000);
    expect((await readCaseFile(store, files)).sources.map((s) => s.listedFiles)).toEqual([
      100_000,
      undefined,
    ]);
    const lines = store.text('c1/inventory-files.jsonl').trimEnd().split('\n');
    expect(lines).toHaveLength(100_000);
    // The folder is written once, in inventory.json: each line keeps the path from it.
    expect(JSON.parse(lines[0] as string)).toEqual({
      location: 0,
      path: 'AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/10/111122223333_CloudTrail_eu-west-1_0.json.gz',
      size: 700,
      layout: 'records-object',
      compressed: true,
    });
    expect(lines.some((line) => line.includes('/evidence/logs'))).toBe(false);
  });

  it('read back are the files written, a path outside its location kept whole', async () => {
    const store = new ChunkingEvidenceStore();
    const outside = { ...trailFile(9), path: '/elsewhere/trail.json.gz' };
    const written = inventoryOf([trailFile(1), outside, trailFile(2)]);
    await writeInventory(store, files, written);

    const read = await readInventoryWithFiles(store, files);

    expect(read.sources[0]?.files).toEqual(written.sources[0]?.files);
    expect(read.sources[1]).toEqual(written.sources[1]);
    expect(read.sources[0]?.listedFiles).toBe(3);
  });

  it('writes no list when no location lists files', async () => {
    const store = new ChunkingEvidenceStore();
    await writeInventory(store, files, {
      ...inventoryOf([]),
      sources: [inventoryOf([]).sources[1] as never],
    });
    expect(store.streamedKeys).toEqual([]);
    expect((await readInventoryWithFiles(store, files)).sources).toHaveLength(1);
  });

  it('are refused when the list does not hold the files inventory.json counts, or names a location that lists none', async () => {
    const store = new ChunkingEvidenceStore();
    await writeInventory(store, files, inventoryOf([trailFile(1), trailFile(2)]));
    const list = store.text('c1/inventory-files.jsonl').split('\n');

    await store.put('c1/inventory-files.jsonl', `${list[0]}\n`);
    await expect(readInventoryWithFiles(store, files)).rejects.toThrow(
      'c1/inventory-files.jsonl lists 1 file(s) of /evidence/logs, c1/inventory.json counts 2.',
    );

    await store.put(
      'c1/inventory-files.jsonl',
      `${list[0]}\n${list[1]?.replace('"location":0', '"location":1')}\n`,
    );
    await expect(readInventoryWithFiles(store, files)).rejects.toBeInstanceOf(InvalidCaseFileError);
    await expect(readInventoryWithFiles(store, files)).rejects.toThrow(
      'c1/inventory-files.jsonl names location 1, which lists no files in c1/inventory.json.',
    );
  });
});
