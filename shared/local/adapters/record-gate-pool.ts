import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InventoriedFile } from '../../domain/inventory.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import { logSourceModule } from '../../sources/registry.js';
import { mapConcurrently } from '../../util/async.js';
import { type GatedFile, gateRecords } from './record-gate.js';
import { RecordPack } from './record-pack.js';
import { askWorker, mapConcurrentlyOn, WorkerStopped } from './worker-requests.js';

/** Below this many bytes a source's files are checked in this thread: starting workers costs more. */
export const WORKER_THRESHOLD_BYTES = 64 * 1024 * 1024;
/**
 * Files go to a worker in chunks of up to this many files and bytes, each chunk's list files into a
 * pack of their own: CloudTrail delivers a file per region every few minutes, most of a few records,
 * and with one message per file the workers sat waiting on the round trips (20,000 files of 20
 * records: 7.5 s, under one core busy of two). The engine reads a pack in one thread, so a pack is
 * kept to a chunk (520 MB of JSON as one pack took 7.6 s to convert; in packs of a chunk, batches of
 * 130 MB took 0.6 to 1 s each, about 3 s for as much).
 */
const CHUNK_FILES = 64;
const CHUNK_BYTES = 4 * 1024 * 1024;

export { WorkerStopped } from './worker-requests.js';

type Outcome = GatedFile | null | Error;
type Answer = { id: number; outcomes: ({ gated: GatedFile | null } | { error: string })[] };
interface Request {
  id: number;
  source: LogSourceId;
  files: { file: InventoriedFile; cleanPath: string }[];
  /** Where the chunk's list files are packed (record-pack.ts), or null. */
  pack: string | null;
}

export interface GateOptions {
  /** Where a file with records set aside is rewritten without them. */
  cleanPathOf: (file: InventoriedFile) => string;
  /** Where each chunk's list files are packed (gateRecords), or null to read every file itself. */
  packDir?: string | null;
}

/**
 * Checks a source's files, on `workers` worker threads when more than one (the caller sizes them by
 * the cores and the source: WORKER_THRESHOLD_BYTES), since checking records (gunzip, JSON.parse, the
 * source's check) is CPU-bound. The workers start with a call's first files and serve later calls
 * until `close`, after which a call starts them again.
 */
export class RecordGatePool {
  private pool: { worker: Worker }[] = [];
  private nextId = 0;
  private readonly script = new URL('./record-gate-worker.mjs', import.meta.url);

  constructor(
    private readonly source: LogSourceId,
    private readonly workers: number,
    private readonly options: GateOptions,
  ) {}

  /** Each file's outcome, or the Error that made it unreadable, in the files' order. */
  async check(files: InventoriedFile[]): Promise<Outcome[]> {
    const chunks = chunked(files.map((file, index) => ({ file, index })));
    const outcomes = new Array<Outcome>(files.length);
    const record = (chunk: (typeof chunks)[number], answers: Outcome[]) =>
      chunk.forEach(({ index }, i) => {
        outcomes[index] = answers[i] as Outcome;
      });
    if (this.workers <= 1) {
      const module = logSourceModule(this.source);
      for (const chunk of chunks) {
        const path = this.packPath(this.nextId++);
        const pack = path === null ? null : new RecordPack(path);
        try {
          // Each append is one file's records in one call: files checked two at once never mix. A clean
          // list file is checked with synchronous calls alone: yielding first lets the event loop turn
          // between files, so a case run in a served process never holds its other requests.
          record(
            chunk,
            await mapConcurrently(chunk, 2, async ({ file }) => {
              await new Promise((resolve) => setImmediate(resolve));
              return gateRecords(file, module, this.options.cleanPathOf(file), pack).catch(
                (error: Error) => error,
              );
            }),
          );
        } finally {
          pack?.close();
        }
      }
      return outcomes;
    }
    while (this.pool.length < Math.min(this.workers, chunks.length)) this.pool.push({ worker: this.start() });
    await mapConcurrentlyOn(this.pool, chunks, async (slot, chunk) => {
      const ask = async (items: typeof chunk) => {
        const id = this.nextId++;
        const request = items.map(({ file }) => ({ file, cleanPath: this.options.cleanPathOf(file) }));
        const answer = await askWorker<Request, Answer>(slot.worker, {
          id,
          source: this.source,
          files: request,
          pack: this.packPath(id),
        });
        if (!(answer instanceof WorkerStopped))
          return answer.outcomes.map((o) => ('error' in o ? new Error(o.error) : o.gated));
        void slot.worker.terminate();
        slot.worker = this.start();
        return new WorkerStopped(`the check of this file ${answer.message}`);
      };
      record(chunk, await isolatingStops(chunk, ask));
    });
    return outcomes;
  }

  async close(): Promise<void> {
    await Promise.all(this.pool.map((slot) => slot.worker.terminate()));
    this.pool = [];
  }

  private start(): Worker {
    return new Worker(this.script);
  }

  private packPath(id: number): string | null {
    const dir = this.options.packDir ?? null;
    return dir === null ? null : join(dir, `${this.source}-${String(id).padStart(6, '0')}.json`);
  }
}

/** The workers to check `files` on: none (this thread) below `minBytes` in all, else `workers`. */
export function gateWorkersFor(files: InventoriedFile[], workers: number, minBytes: number): number {
  return files.reduce((sum, f) => sum + f.size, 0) < minBytes ? 1 : workers;
}

/** One check of `files` on a pool of its own: in this thread below `minBytesForWorkers`. */
export async function gateFiles(
  source: LogSourceId,
  files: InventoriedFile[],
  cleanPathOf: (file: InventoriedFile) => string,
  workers: number,
  {
    minBytesForWorkers = WORKER_THRESHOLD_BYTES,
    packDir = null,
  }: { minBytesForWorkers?: number; packDir?: string | null } = {},
): Promise<Outcome[]> {
  const pool = new RecordGatePool(source, gateWorkersFor(files, workers, minBytesForWorkers), {
    cleanPathOf,
    packDir,
  });
  try {
    return await pool.check(files);
  } finally {
    await pool.close();
  }
}

/**
 * A chunk's outcomes from `ask`, which answers for all its items or says its worker stopped. A file
 * that brings a worker down costs only itself: when a chunk of several stops, its items are asked
 * again one by one, which finds which it was.
 */
export async function isolatingStops<T, R>(
  chunk: T[],
  ask: (items: T[]) => Promise<R[] | WorkerStopped>,
): Promise<(R | WorkerStopped)[]> {
  const answer = await ask(chunk);
  if (!(answer instanceof WorkerStopped)) return answer;
  if (chunk.length === 1) return [answer];
  const one: (R | WorkerStopped)[] = [];
  for (const item of chunk) {
    const alone = await ask([item]);
    one.push(alone instanceof WorkerStopped ? alone : (alone[0] as R));
  }
  return one;
}

/** Consecutive files in chunks of at most CHUNK_FILES files and CHUNK_BYTES (a larger file alone). */
function chunked<T extends { file: InventoriedFile }>(items: T[]): T[][] {
  const chunks: T[][] = [];
  let bytes = 0;
  for (const item of items) {
    const last = chunks.at(-1);
    if (last && last.length < CHUNK_FILES && bytes + item.file.size <= CHUNK_BYTES) {
      last.push(item);
      bytes += item.file.size;
    } else {
      chunks.push([item]);
      bytes = item.file.size;
    }
  }
  return chunks;
}
