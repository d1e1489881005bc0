import { EvidenceStoreError } from '../../shared/errors.js';
import type { EvidenceStore, StoredObject } from '../../shared/ports/evidence-store.js';

/** An evidence store held in a Map, for unit tests of the steps: same keys, same errors. */
export class MemoryEvidenceStore implements EvidenceStore {
  readonly objects = new Map<string, Uint8Array>();

  locate(key: string): string {
    return `memory://${key}`;
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
  }

  async get(key: string): Promise<Uint8Array> {
    const body = this.objects.get(key);
    if (!body) throw new EvidenceStoreError(`${this.locate(key)} does not exist.`);
    return body;
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    return [...this.objects]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, body]) => ({ key, size: body.byteLength }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** A file's JSON as written, for assertions. */
  json(key: string): unknown {
    return JSON.parse(this.text(key));
  }

  text(key: string): string {
    const body = this.objects.get(key);
    if (!body) throw new Error(`${key} was not written`);
    return new TextDecoder().decode(body);
  }
}
