import { EvidenceStoreError } from '../../shared/errors.js';
import type { EvidenceStore, ObjectReading, StoredObject } from '../../shared/ports/evidence-store.js';

/**
 * An evidence store held in a Map, for unit tests of the steps: same keys, same errors, and each
 * write tagged with the run of the view (`forRun`) that made it, as the real stores do.
 */
export class MemoryEvidenceStore implements EvidenceStore {
  constructor(
    readonly objects = new Map<string, Uint8Array>(),
    private readonly writers = new Map<string, string>(),
    private readonly runId: string | null = null,
  ) {}

  forRun(runId: string): MemoryEvidenceStore {
    return new MemoryEvidenceStore(this.objects, this.writers, runId);
  }

  locate(key: string): string {
    return `memory://${key}`;
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
    if (this.runId) this.writers.set(key, this.runId);
    else this.writers.delete(key);
  }

  async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    await this.put(key, Buffer.concat(chunks));
  }

  async putIfAbsent(key: string, body: string | Uint8Array): Promise<boolean> {
    if (this.objects.has(key)) return false;
    await this.put(key, body);
    return true;
  }

  async get(key: string): Promise<Uint8Array> {
    const body = this.objects.get(key);
    if (!body) throw new EvidenceStoreError(`${this.locate(key)} does not exist.`);
    return body;
  }

  async read(key: string): Promise<ObjectReading> {
    const body = await this.get(key);
    return {
      body: (async function* () {
        yield body;
      })(),
      writtenBy: this.writers.get(key) ?? null,
    };
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
