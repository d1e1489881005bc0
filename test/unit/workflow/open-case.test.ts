import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';
import type { CaseAdapters } from '../../../shared/ports/case-adapters.js';
import { openCase } from '../../../shared/workflow/open-case.js';
import { writeManifest } from '../../../shared/workflow/write-manifest.js';

describe('opening a case claims its folder for one run', () => {
  let root: string;
  let adapters: CaseAdapters;
  let clock: Date;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'casefile-open-'));
    clock = new Date('2024-05-01T00:00:00Z');
    adapters = {
      engineName: 'duckdb',
      store: new FileEvidenceStore(root),
      engine: {},
      now: () => clock,
    } as unknown as CaseAdapters;
  });

  it('refuses a second run with the same case id, naming the run that holds it', async () => {
    await openCase({ request: { caseId: 'IR-1' }, runId: 'run-a' }, adapters);
    await expect(openCase({ request: { caseId: 'IR-1' }, runId: 'run-b' }, adapters)).rejects.toThrow(
      /Case IR-1 at .* is held by run run-a \(process \d+ on .*\): choose another case id/,
    );
  });

  it('lets exactly one of two runs opening the same case at the same moment through', async () => {
    const outcomes = await Promise.allSettled(
      ['run-a', 'run-b', 'run-c'].map((runId) => openCase({ request: { caseId: 'IR-2' }, runId }, adapters)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(2);
  });

  it('continues the same run when Step Functions retries OpenCase after a write that succeeded', async () => {
    const first = await openCase({ request: { caseId: 'IR-3' }, runId: 'run-a' }, adapters);
    clock = new Date('2024-05-01T00:00:05Z');
    const retried = await openCase({ request: { caseId: 'IR-3' }, runId: 'run-a' }, adapters);
    expect(retried).toEqual(first);
    expect(retried.runId).toBe('run-a');
    const caseFile = JSON.parse(await readFile(join(root, 'IR-3', 'case.json'), 'utf8'));
    expect(caseFile).toMatchObject({
      status: 'RUNNING',
      runId: 'run-a',
      timings: { openedAt: '2024-05-01T00:00:00.000Z' },
    });
  });

  it('refuses a folder that already holds files no run claimed (left over or planted)', async () => {
    await mkdir(join(root, 'IR-4', 'hunts'), { recursive: true });
    await writeFile(join(root, 'IR-4', 'hunts', 'planted.csv'), 'x');
    await expect(openCase({ request: { caseId: 'IR-4' }, runId: 'run-a' }, adapters)).rejects.toThrow(
      /already holds files that no casefile run claimed/,
    );
  });

  it('rejects an input without the run that opens it', async () => {
    await expect(openCase({ caseId: 'IR-5' }, adapters)).rejects.toThrow(
      /OpenCase takes \{ request, runId \}/,
    );
  });
});

describe('the manifest lists what the run wrote', () => {
  it('never adopts a file another writer put in the folder during the run', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-adopt-'));
    const base = new FileEvidenceStore(root);
    const adapters = {
      engineName: 'duckdb',
      store: base,
      engine: {},
      now: () => new Date(),
    } as unknown as CaseAdapters;
    const context = await openCase({ request: { caseId: 'IR-6' }, runId: 'run-a' }, adapters);
    await base.forRun('run-a').put('IR-6/hunts/real.csv', 'a\r\n');
    await base.forRun('run-b').put('IR-6/hunts/other-run.csv', 'b\r\n');
    await writeFile(join(root, 'IR-6', 'hunts', 'planted.csv'), 'c\r\n');
    await writeManifest(context, adapters);
    const manifest = JSON.parse(await readFile(join(root, 'IR-6', 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { file: string }) => f.file)).toEqual([
      'allowlist.json',
      'case.json',
      'claim.json',
      'hunts/real.csv',
    ]);
    expect(manifest.notWrittenByThisRun).toEqual(['hunts/other-run.csv', 'hunts/planted.csv']);
    expect(manifest.runId).toBe('run-a');
  });

  it('lets go of each file it passes over (a re-run passes over every file of the earlier runs)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-release-'));
    const base = new FileEvidenceStore(root);
    const released: string[] = [];
    const store = new Proxy(base, {
      get(target, name, receiver) {
        if (name === 'forRun') return (runId: string) => watched(target.forRun(runId));
        return Reflect.get(target, name, receiver);
      },
    });
    // Every body the store hands out reports whether it was read to its end or let go of.
    const watched = (inner: ReturnType<FileEvidenceStore['forRun']>) =>
      new Proxy(inner, {
        get(target, name, receiver) {
          if (name !== 'read') return Reflect.get(target, name, receiver);
          return async (key: string) => {
            const reading = await target.read(key);
            const stream = reading.body as NodeJS.ReadableStream & { once(e: string, f: () => void): void };
            stream.once('close', () => released.push(key));
            return reading;
          };
        },
      });
    const adapters = {
      engineName: 'duckdb',
      store,
      engine: {},
      now: () => new Date(),
    } as unknown as CaseAdapters;
    const context = await openCase({ request: { caseId: 'IR-7' }, runId: 'run-a' }, adapters);
    await base.forRun('run-b').put('IR-7/hunts/earlier-run.csv', 'b\r\n');
    await writeManifest(context, adapters);
    // A file closes a moment after its stream is destroyed; one never let go of stays open until GC.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(released).toContain('IR-7/hunts/earlier-run.csv');
  });
});
