import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EvidenceStoreError } from '../../../../shared/errors.js';
import { FileEvidenceStore } from '../../../../shared/local/adapters/file-evidence-store.js';

const projectRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** A case file of about `mib` MiB: written by Node in many chunks, so a reader can meet it half-way. */
function caseJson(version: string, mib = 0): string {
  return JSON.stringify({ version, padding: 'x'.repeat(mib * 1024 * 1024) });
}

/** Every file under the folder, as paths relative to it (partial writes included: `readdir` sees all). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/**
 * Reads the key again and again until `writing` settles; returns what each read saw. A read of a key
 * that does not exist yet is no answer, as for the API, which answers 404 or RUNNING then.
 */
async function readWhile(store: FileEvidenceStore, key: string, writing: Promise<unknown>) {
  let settled = false;
  void writing.finally(() => {
    settled = true;
  });
  const seen: string[] = [];
  while (!settled) {
    if (!(await store.exists(key))) continue;
    seen.push(new TextDecoder().decode(await store.get(key)));
  }
  await writing;
  return seen;
}

/**
 * Runs one `put` or `putIfAbsent` of an 8 MiB body in another Node process, which may be limited to
 * 1 MiB per file or see a filesystem without hard links; answers 'written', 'exists' or the error code.
 */
async function writeInChildProcess(
  root: string,
  method: 'put' | 'putIfAbsent',
  key: string,
  limits: { fileSizeLimited?: boolean; noHardLinks?: boolean },
) {
  // Node's ESM view of a builtin follows its CommonJS object once synced: the store imports this `link`.
  const withoutHardLinks = `const { createRequire, syncBuiltinESMExports } = await import('node:module');
createRequire(import.meta.url)('node:fs').promises.link = async () => {
  throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
};
syncBuiltinESMExports();`;
  const script = `${limits.noHardLinks ? withoutHardLinks : ''}
const { FileEvidenceStore } = await import('./shared/local/adapters/file-evidence-store.ts');
const body = JSON.stringify({ padding: 'y'.repeat(8 * 1024 * 1024) });
await new FileEvidenceStore(${JSON.stringify(root)}).${method}(${JSON.stringify(key)}, body).then(
  (created) => process.stdout.write(created === false ? 'exists' : 'written'),
  (error) => process.stdout.write(error.code ?? error.cause?.code ?? error.message),
);`;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
  // RLIMIT_FSIZE: a write past the limit fails with EFBIG (Node ignores SIGXFSZ), as on a full disk.
  // POSIX sh counts `ulimit -f` in 512-byte blocks.
  const command = limits.fileSizeLimited ? ['sh', '-c', 'ulimit -f 2048 && exec "$@"', 'sh', ...node] : node;
  const [file, ...args] = command as [string, ...string[]];
  const { stdout } = await promisify(execFile)(file, args, { cwd: projectRoot });
  return stdout;
}

describe('the local case folder: every write lands whole', () => {
  it('a reader polling case.json while a large put replaces it reads the earlier file or the new one, never a part', async () => {
    const store = new FileEvidenceStore(await mkdtemp(join(tmpdir(), 'casefile-store-')));
    await store.put('c1/case.json', caseJson('v0'));
    const versions = ['v0'];
    for (const version of ['v1', 'v2', 'v3']) {
      const seen = await readWhile(store, 'c1/case.json', store.put('c1/case.json', caseJson(version, 8)));
      expect(seen.length).toBeGreaterThan(0);
      for (const text of seen) expect(versions.concat(version)).toContain(JSON.parse(text).version);
      versions.push(version);
    }
  });

  it.each(['put', 'putIfAbsent'] as const)(
    'a file %s creates is never seen empty or half-written',
    async (method) => {
      const store = new FileEvidenceStore(await mkdtemp(join(tmpdir(), 'casefile-store-')));
      for (const caseId of ['c1', 'c2', 'c3']) {
        const key = `${caseId}/case.json`;
        const seen = await readWhile(store, key, store[method](key, caseJson('v1', 8)));
        for (const text of seen) expect(JSON.parse(text).version).toBe('v1');
      }
    },
  );

  it('a put the disk refuses half-way leaves the earlier file as it was and no partial file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-store-'));
    await new FileEvidenceStore(root).put('c1/case.json', caseJson('v0'));
    expect(await writeInChildProcess(root, 'put', 'c1/case.json', { fileSizeLimited: true })).toBe('EFBIG');
    expect(await filesUnder(root)).toEqual(['c1/case.json']);
    expect(JSON.parse(await readFile(join(root, 'c1', 'case.json'), 'utf8')).version).toBe('v0');
  });

  it.each(['put', 'putIfAbsent'] as const)(
    'a new file whose %s the disk refuses half-way leaves nothing under its key',
    async (method) => {
      const root = await mkdtemp(join(tmpdir(), 'casefile-store-'));
      expect(await writeInChildProcess(root, method, 'c1/claim.json', { fileSizeLimited: true })).toBe(
        'EFBIG',
      );
      expect(await filesUnder(root)).toEqual([]);
      expect(await new FileEvidenceStore(root).exists('c1/claim.json')).toBe(false);
    },
  );

  it('a put whose last step fails (the key is a folder) leaves no partial file behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-store-'));
    await mkdir(join(root, 'c1', 'hunts', 'h1.json'), { recursive: true });
    await writeFile(join(root, 'c1', 'hunts', 'h1.json', 'inside'), 'x');
    const store = new FileEvidenceStore(root);
    await expect(store.put('c1/hunts/h1.json', '{}')).rejects.toThrow();
    expect(await filesUnder(join(root, 'c1', 'hunts'))).toEqual(['h1.json/inside']);
  });

  it('a streamed list lands whole: its earlier version stays until the last chunk, and a stream that fails leaves it and no partial file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-store-'));
    const store = new FileEvidenceStore(root);
    await store.put('c1/file-records.jsonl', '{"v":1}\n');
    const seen: string[] = [];
    async function* lines(fail: boolean) {
      for (let i = 0; i < 3; i++) {
        seen.push(await readFile(join(root, 'c1', 'file-records.jsonl'), 'utf8'));
        yield new TextEncoder().encode(`{"v":2,"i":${i}}\n`);
      }
      if (fail) throw new Error('the listing broke off');
    }
    await expect(store.putStream('c1/file-records.jsonl', lines(true))).rejects.toThrow('broke off');
    expect(seen).toEqual(['{"v":1}\n', '{"v":1}\n', '{"v":1}\n']);
    expect(await filesUnder(join(root, 'c1'))).toEqual(['file-records.jsonl']);
    expect(await readFile(join(root, 'c1', 'file-records.jsonl'), 'utf8')).toBe('{"v":1}\n');
    await store.putStream('c1/file-records.jsonl', lines(false));
    expect(await readFile(join(root, 'c1', 'file-records.jsonl'), 'utf8')).toBe(
      '{"v":2,"i":0}\n{"v":2,"i":1}\n{"v":2,"i":2}\n',
    );
    expect(await filesUnder(join(root, 'c1'))).toEqual(['file-records.jsonl']);
  });

  it('lets exactly one of many concurrent creators through, and keeps its file whole', async () => {
    const store = new FileEvidenceStore(await mkdtemp(join(tmpdir(), 'casefile-store-')));
    const claims = Array.from({ length: 8 }, (_, i) => caseJson(`run-${i}`, 1));
    const created = await Promise.all(claims.map((body) => store.putIfAbsent('c1/claim.json', body)));
    expect(created.filter(Boolean)).toHaveLength(1);
    const winner = claims[created.indexOf(true)];
    expect(new TextDecoder().decode(await store.get('c1/claim.json'))).toBe(winner);
    expect(await store.list('c1/')).toEqual([{ key: 'c1/claim.json', size: winner?.length }]);
  });

  it('creates exclusively on a filesystem without hard links (exFAT), and leaves no partial file there', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-store-'));
    const noHardLinks = { noHardLinks: true };
    expect(await writeInChildProcess(root, 'putIfAbsent', 'c1/claim.json', noHardLinks)).toBe('written');
    expect(await writeInChildProcess(root, 'putIfAbsent', 'c1/claim.json', noHardLinks)).toBe('exists');
    expect(await filesUnder(root)).toEqual(['c1/claim.json']);
    expect((await readFile(join(root, 'c1', 'claim.json'), 'utf8')).length).toBe(8 * 1024 * 1024 + 14);
  });

  it('lists no write in progress and no write a crash cut short, and refuses a key named like one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-store-'));
    const store = new FileEvidenceStore(root);
    await store.put('c1/case.json', caseJson('v1'));
    await writeFile(join(root, 'c1', '.casefile-partial-0123456789abcdef01234567'), '{"vers');
    await mkdir(join(root, 'c1', 'hunts', '.casefile-partial-89abcdef0123456789abcdef'), { recursive: true });
    await writeFile(join(root, 'c1', 'hunts', '.casefile-partial-89abcdef0123456789abcdef', 'h1.json'), '{}');
    // Near misses are ordinary files a run or a responder may have written.
    await store.put('c1/notes/.casefile-partial-draft', 'a');
    await store.put('c1/notes/.casefile-partial-0123456789abcdef0123456', 'b');
    expect((await store.list('c1/')).map((o) => o.key)).toEqual([
      'c1/case.json',
      'c1/notes/.casefile-partial-0123456789abcdef0123456',
      'c1/notes/.casefile-partial-draft',
    ]);
    await expect(store.put('c1/.casefile-partial-0123456789abcdef01234567', '{}')).rejects.toThrow(
      EvidenceStoreError,
    );
  });
});
