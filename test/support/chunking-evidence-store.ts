import type { ObjectReading } from '../../shared/ports/evidence-store.js';
import { MemoryEvidenceStore } from './memory-evidence-store.js';

/**
 * A store that records how a writer hands it each object (whole, or as a stream and in which chunk
 * sizes) and, when given chunks, hands every body back in those chunks, counting those pulled.
 */
export class ChunkingEvidenceStore extends MemoryEvidenceStore {
  /** Keys written whole, with `put`. */
  readonly wholeWrites: string[] = [];
  /** The size of every chunk handed to `putStream`, with its key. */
  readonly streamedChunks: number[] = [];
  readonly streamedKeys: string[] = [];
  pulled = 0;

  constructor(private readonly readChunks: Uint8Array[] | null = null) {
    super();
  }

  override async put(key: string, body: string | Uint8Array): Promise<void> {
    this.wholeWrites.push(key);
    await super.put(key, body);
  }

  override async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    this.streamedKeys.push(key);
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) {
      this.streamedChunks.push(chunk.byteLength);
      chunks.push(chunk);
    }
    await super.put(key, Buffer.concat(chunks));
  }

  override async read(key: string): Promise<ObjectReading> {
    if (this.readChunks === null) return super.read(key);
    const store = this;
    const chunks = this.readChunks;
    return {
      body: (async function* () {
        for (const chunk of chunks) {
          store.pulled += 1;
          yield chunk;
        }
      })(),
      writtenBy: null,
    };
  }
}
