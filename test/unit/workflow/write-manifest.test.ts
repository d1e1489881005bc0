import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caseFiles } from '../../../shared/domain/case-files.js';
import type { Inventory } from '../../../shared/domain/inventory.js';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';
import type { CaseAdapters } from '../../../shared/ports/case-adapters.js';
import { writeInventory } from '../../../shared/ports/inventory-files.js';
import { writeManifest } from '../../../shared/workflow/write-manifest.js';
import { writeCompletedCase } from '../../support/completed-case.js';

describe('the manifest of a case read from a folder of many small files', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'casefile-manifest-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('hashes every one of 300,000 inputs (a trail delivers a file per region every few minutes) into a list the manifest vouches for', async () => {
    const base = new FileEvidenceStore(root);
    const store = base.forRun('run-1');
    await writeCompletedCase(store, 'c1');
    const files = Array.from({ length: 300_000 }, (_, i) => ({
      path: `/logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/10/f${i}.json.gz`,
      size: 3,
      layout: 'records-object',
      compressed: true,
    }));
    const inventory: Inventory = {
      discoveredAt: '2025-03-11T00:00:00.000Z',
      sources: [{ source: 'cloudtrail', location: '/logs', files }],
      skipped: [],
      notes: [],
    };
    await writeInventory(store, caseFiles('c1').inventory, inventory);
    const adapters = {
      store: base,
      engine: {},
      inputs: {
        read: async function* (path: string) {
          yield new TextEncoder().encode(path.slice(-12));
        },
      },
      now: () => new Date('2025-03-11T00:00:00Z'),
    } as unknown as CaseAdapters;
    await writeManifest({ caseId: 'c1', runId: 'run-1', engine: 'duckdb' } as never, adapters);
    const manifest = JSON.parse(await readFile(join(root, 'c1', 'manifest.json'), 'utf8')) as {
      inputFiles: number;
      files: { file: string; sha256: string }[];
    };
    const listText = await readFile(join(root, 'c1', 'manifest-inputs.jsonl'), 'utf8');
    const lines = listText.trimEnd().split('\n');
    expect(manifest.inputFiles).toBe(300_000);
    expect(lines).toHaveLength(300_000);
    // In the inventory's order, each with what was read from it.
    const first = files[0]?.path as string;
    expect(JSON.parse(lines[0] as string)).toEqual({
      file: first,
      size: 12,
      sha256: createHash('sha256').update(first.slice(-12)).digest('hex'),
    });
    expect(JSON.parse(lines[299_999] as string)).toMatchObject({ file: files[299_999]?.path });
    expect(manifest.files.find((f) => f.file === 'manifest-inputs.jsonl')?.sha256).toBe(
      createHash('sha256').update(listText).digest('hex'),
    );
  }, 60_000);
});
