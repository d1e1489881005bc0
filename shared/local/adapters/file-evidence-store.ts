import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EvidenceStoreError } from '../../errors.js';
import type { EvidenceStore, ObjectReading, StoredObject } from '../../ports/evidence-store.js';

/**
 * Case folders on the local disk: `<root>/<caseId>/...`, the same keys as under `s3://.../cases/`.
 * A local run is one process (a resumed run rewrites every file), so the run that wrote each key is
 * remembered in memory, shared by every view `forRun` hands out.
 */
export class FileEvidenceStore implements EvidenceStore {
  private readonly root: string;

  constructor(
    root: string,
    private readonly runId: string | null = null,
    private readonly writers = new Map<string, string>(),
  ) {
    this.root = resolve(root);
  }

  forRun(runId: string): FileEvidenceStore {
    return new FileEvidenceStore(this.root, runId, this.writers);
  }

  locate(key: string): string {
    return this.pathOf(key);
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    this.noteWrite(key);
  }

  async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await pipeline(body, createWriteStream(path));
    this.noteWrite(key);
  }

  async putIfAbsent(key: string, body: string | Uint8Array): Promise<boolean> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    try {
      // O_CREAT | O_EXCL: the kernel lets exactly one of two concurrent creators through.
      await writeFile(path, body, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new EvidenceStoreError(`Cannot create ${path}: ${(error as Error).message}`, { cause: error });
    }
    this.noteWrite(key);
    return true;
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      throw this.readFailure(key, error);
    }
  }

  async read(key: string): Promise<ObjectReading> {
    const path = this.pathOf(key);
    const handle = await open(path, 'r').catch((error: unknown) => {
      throw this.readFailure(key, error);
    });
    return { body: handle.createReadStream(), writtenBy: this.writers.get(key) ?? null };
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.pathOf(key)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const dir = this.pathOf(prefix);
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    const objects: StoredObject[] = [];
    for (const entry of entries.filter((e) => e.isFile())) {
      const path = join(entry.parentPath, entry.name);
      objects.push({ key: relative(this.root, path).split(sep).join('/'), size: (await stat(path)).size });
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private noteWrite(key: string): void {
    if (this.runId) this.writers.set(key, this.runId);
    else this.writers.delete(key);
  }

  private readFailure(key: string, error: unknown): EvidenceStoreError {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return new EvidenceStoreError(
      missing
        ? `${this.pathOf(key)} does not exist.`
        : `Cannot read ${this.pathOf(key)}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  private pathOf(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..')) {
      throw new EvidenceStoreError(`Refusing a key outside the case store: '${key}'`);
    }
    return join(this.root, ...key.split('/').filter((part) => part !== ''));
  }
}
