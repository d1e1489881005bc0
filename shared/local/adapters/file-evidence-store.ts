import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { EvidenceStoreError } from '../../errors.js';
import type { EvidenceStore, StoredObject } from '../../ports/evidence-store.js';

/** Case folders on the local disk: `<root>/<caseId>/...`, the same keys as under `s3://.../cases/`. */
export class FileEvidenceStore implements EvidenceStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  locate(key: string): string {
    return this.pathOf(key);
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      throw new EvidenceStoreError(`Cannot read ${this.pathOf(key)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
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

  private pathOf(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..')) {
      throw new EvidenceStoreError(`Refusing a key outside the case store: '${key}'`);
    }
    return join(this.root, ...key.split('/').filter((part) => part !== ''));
  }
}
