import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';
import type { CaseAdapters } from '../../../shared/ports/case-adapters.js';
import { verifyCase } from '../../../shared/workflow/verify-case.js';
import { writeManifest } from '../../../shared/workflow/write-manifest.js';
import { writeCompletedCase } from '../../support/completed-case.js';

describe('verifying a case folder against its manifest', () => {
  let root: string;
  let store: FileEvidenceStore;
  let manifestSha256: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'casefile-verify-'));
    const base = new FileEvidenceStore(root);
    store = base.forRun('run-1');
    await writeCompletedCase(store, 'c1');
    await store.put('c1/hunts/root-account-usage.csv', 'event_time\r\n');
    const adapters = {
      store: base,
      engine: {},
      now: () => new Date('2024-05-01T00:00:00Z'),
    } as unknown as CaseAdapters;
    ({ manifestSha256 } = await writeManifest(
      { caseId: 'c1', runId: 'run-1', engine: 'duckdb' } as never,
      adapters,
    ));
  });

  it('finds an untouched case intact, the manifest matching the hash case.json recorded', async () => {
    expect(await verifyCase(store, 'c1', manifestSha256)).toMatchObject({
      caseId: 'c1',
      verified: 2,
      altered: [],
      missing: [],
      added: [],
      manifestSha256,
      manifestProblems: [],
    });
  });

  it('verifies a case whose manifest lists its inputs itself, as manifests did before manifest-inputs.jsonl', async () => {
    const manifestPath = join(root, 'c1', 'manifest.json');
    const { inputFiles: _, ...manifest } = JSON.parse(await readFile(manifestPath, 'utf8'));
    const older = `${JSON.stringify({ ...manifest, inputs: [{ file: '/logs/a.json.gz', size: 3, sha256: 'a'.repeat(64) }] }, null, 2)}\n`;
    await writeFile(manifestPath, older);
    const olderSha256 = createHash('sha256').update(older).digest('hex');
    expect(await verifyCase(store, 'c1', olderSha256)).toMatchObject({
      verified: 2,
      altered: [],
      missing: [],
      added: [],
      manifestSha256: olderSha256,
    });
  });

  it('names the files that were altered, removed or slipped in afterwards', async () => {
    const caseJson = join(root, 'c1', 'case.json');
    await writeFile(caseJson, (await readFile(caseJson, 'utf8')).replace('"COMPLETED"', '"FAILED"'));
    await rm(join(root, 'c1', 'hunts', 'root-account-usage.csv'));
    await store.put('c1/hunts/planted.csv', 'x');
    expect(await verifyCase(store, 'c1')).toMatchObject({
      verified: 0,
      altered: ['case.json'],
      missing: ['hunts/root-account-usage.csv'],
      added: ['hunts/planted.csv'],
    });
  });

  it('detects a manifest edited to vouch for a changed file, by its hash in case.json and the one given', async () => {
    const manifestPath = join(root, 'c1', 'manifest.json');
    await writeFile(join(root, 'c1', 'hunts', 'root-account-usage.csv'), 'forged\r\n');
    const { createHash } = await import('node:crypto');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    for (const entry of manifest.files) {
      if (entry.file === 'hunts/root-account-usage.csv') {
        entry.sha256 = createHash('sha256').update('forged\r\n').digest('hex');
        entry.size = 8;
      }
    }
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const result = await verifyCase(store, 'c1', manifestSha256);
    expect(result.altered).toEqual([]);
    expect(result.manifestProblems).toEqual([
      expect.stringMatching(/not the [0-9a-f]{64} given: the manifest was edited/),
      expect.stringMatching(/but case.json recorded [0-9a-f]{64}: the manifest was edited/),
    ]);
  });

  it('says plainly that a case has no manifest or no folder, instead of a raw file error', async () => {
    await rm(join(root, 'c1', 'manifest.json'));
    await expect(verifyCase(store, 'c1')).rejects.toThrow(
      /manifest.json does not exist: the case never finished/,
    );
    await expect(verifyCase(store, 'nope')).rejects.toThrow(/There is no case folder at/);
    await writeFile(join(root, 'c1', 'manifest.json'), '{"files": "all of them"}');
    await expect(verifyCase(store, 'c1')).rejects.toThrow(/is not a casefile manifest/);
  });
});
