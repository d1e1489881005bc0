import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { EvidenceStoreError } from '../../errors.js';
import type { EvidenceStore, ObjectReading, StoredObject } from '../../ports/evidence-store.js';

/**
 * The name a file has while it is written, beside its key's file. It is never a key (`pathOf` refuses
 * one, `list` leaves it out), so a write in progress, or one a crash cut short, is never evidence.
 */
const PARTIAL_WRITE = /^\.casefile-partial-[0-9a-f]{24}$/;
const partialWriteName = () => `.casefile-partial-${randomBytes(12).toString('hex')}`;

export function isPartialWrite(fileName: string): boolean {
  return PARTIAL_WRITE.test(fileName);
}

/** What link(2) answers on a filesystem without hard links (exFAT and FAT on Linux, macOS). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP']);

/**
 * Case folders on the local disk: `<root>/<caseId>/...`, the same keys as under `s3://.../cases/`.
 * A local run is one process (a resumed run rewrites every file), so the run that wrote each key is
 * remembered in memory, shared by every view `forRun` hands out.
 *
 * Every write lands whole: a reader (the API polling `case.json`, a responder opening the folder
 * while the case runs) sees the earlier file or the new one, never an empty or half-written one,
 * and a write that fails or is cut short leaves nothing under the key, as a PutObject in S3 does
 * (see `S3EvidenceStore.put`).
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

  put(key: string, body: string | Uint8Array): Promise<void> {
    return this.replace(key, body);
  }

  /** Lands whole as `put` does: the chunks go to the partial name, which is renamed once complete. */
  putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    return this.replace(key, body);
  }

  async putIfAbsent(key: string, body: string | Uint8Array): Promise<boolean> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeWhole(path, body, (partial) => linkExclusively(partial, path, body));
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
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.split('/').some(isPartialWrite)) objects.push({ key, size: (await stat(path)).size });
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

  private async replace(key: string, body: string | Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // rename(2) replaces the target in one step: a reader opens the old file or the new one.
    await writeWhole(path, body, (partial) => rename(partial, path));
    this.noteWrite(key);
  }

  private pathOf(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..')) {
      throw new EvidenceStoreError(`Refusing a key outside the case store: '${key}'`);
    }
    if (key.split('/').some(isPartialWrite)) {
      throw new EvidenceStoreError(`Refusing a key named like a write in progress: '${key}'`);
    }
    return join(this.root, ...key.split('/').filter((part) => part !== ''));
  }
}

/**
 * Writes the body under a partial name in the target's folder (one filesystem, so `publish` can link
 * or rename it there), flushed to disk first so that a power cut after `publish` cannot leave the
 * name on an empty file; the partial name is gone afterwards, whether `publish` ran or anything failed.
 */
async function writeWhole(
  path: string,
  body: string | Uint8Array | AsyncIterable<Uint8Array>,
  publish: (partial: string) => Promise<void>,
): Promise<void> {
  const partial = join(dirname(path), partialWriteName());
  try {
    await writeFile(partial, body, { flag: 'wx', flush: true });
    await publish(partial);
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * link(2) fails with EEXIST when the target exists: exactly one of two concurrent creators gets
 * through, and only once its whole file is written. A case folder on a USB stick formatted exFAT has
 * no hard links; there an O_CREAT | O_EXCL create still lets one creator through, though a reader
 * can meet the file before its bytes, and a write cut short leaves the file cut short.
 */
async function linkExclusively(partial: string, path: string, body: string | Uint8Array): Promise<void> {
  try {
    await link(partial, path);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await writeFile(path, body, { flag: 'wx', flush: true });
  }
}
