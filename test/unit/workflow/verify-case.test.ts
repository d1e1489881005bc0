import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';
import type { CaseAdapters } from '../../../shared/ports/case-adapters.js';
import { verifyCase } from '../../../shared/workflow/verify-case.js';
import { writeManifest } from '../../../shared/workflow/write-manifest.js';

describe('verifying a case folder against its manifest', () => {
  let root: string;
  let store: FileEvidenceStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'casefile-verify-'));
    store = new FileEvidenceStore(root);
    await store.put('c1/case.json', '{"status":"COMPLETED"}');
    await store.put('c1/hunts/root-account-usage.csv', 'event_time\r\n');
    const adapters = { store, now: () => new Date('2024-05-01T00:00:00Z') } as unknown as CaseAdapters;
    await writeManifest({ caseId: 'c1' } as never, adapters);
  });

  it('finds an untouched case intact', async () => {
    expect(await verifyCase(store, 'c1')).toEqual({
      caseId: 'c1',
      verified: 2,
      altered: [],
      missing: [],
      added: [],
    });
  });

  it('names the files that were altered, removed or slipped in afterwards', async () => {
    await writeFile(join(root, 'c1', 'case.json'), '{"status":"COMPLETED","note":"edited"}');
    await rm(join(root, 'c1', 'hunts', 'root-account-usage.csv'));
    await store.put('c1/hunts/planted.csv', 'x');
    expect(await verifyCase(store, 'c1')).toEqual({
      caseId: 'c1',
      verified: 0,
      altered: ['case.json'],
      missing: ['hunts/root-account-usage.csv'],
      added: ['hunts/planted.csv'],
    });
  });
});
