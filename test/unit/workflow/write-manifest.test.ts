import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caseFiles } from '../../../shared/domain/case-files.js';
import type { Inventory } from '../../../shared/domain/inventory.js';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';
import type { CaseAdapters } from '../../../shared/ports/case-adapters.js';
import { writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { writeManifest } from '../../../shared/workflow/write-manifest.js';
import { writeCompletedCase } from '../../support/completed-case.js';

describe('the manifest of a case read from a folder of many small files', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'casefile-manifest-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('hashes every one of 300,000 inputs (a trail delivers a file per region every few minutes)', async () => {
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
    await writeCaseFile(store, caseFiles('c1').inventory, inventory);
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
      inputs: { file: string; size: number }[];
    };
    expect(manifest.inputs).toHaveLength(300_000);
    expect(manifest.inputs[0]).toMatchObject({ file: files[0]?.path, size: 12 });
  }, 60_000);
});
