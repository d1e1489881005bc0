import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InventoriedFile } from '../../domain/inventory.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import { logSourceModule } from '../../sources/registry.js';
import { mapConcurrently } from '../../util/async.js';
import { type GatedFile, gateRecords } from './record-gate.js';
import { RecordPack } from './record-pack.js';

/** Below this many bytes a source's files are checked in this thread: starting workers costs more. */
const WORKER_THRESHOLD_BYTES = 64 * 1024 * 1024;
/**
 * Files go to a worker in chunks of up to this many files and bytes: CloudTrail delivers a file per
 * region every few minutes, most of a few records, and with one message per file the workers sat
 * waiting on the round trips (20,000 files of 20 records: 7.5 s, under one core busy of two).
 */
const CHUNK_FILES = 64;
const CHUNK_BYTES = 4 * 1024 * 1024;

type Outcome = GatedFile | null | Error;
type Answer = { id: number; outcomes: ({ gated: GatedFile | null } | { error: string })[] };
interface Request {
  id: number;
  source: LogSourceId;
  files: { file: InventoriedFile; cleanPath: string }[];
  /** Where the chunk's list files are packed (record-pack.ts), or null. */
  pack: string | null;
}

/**
 * Checks files on `workers` worker threads (the caller sizes them by the cores), since checking
 * records (gunzip, JSON.parse, the source's check) is CPU-bound and runs while DuckDB waits. Each
 * file's outcome, or the Error that made it unreadable, in the files' order. With `packDir`, each
 * chunk's list files are packed into a file of their records there (gateRecords).
 */
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
  let nextId = 0;
  const packPath = (id: number) =>
    packDir === null ? null : join(packDir, `${source}-${String(id).padStart(6, '0')}.json`);
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const chunks = chunked(files.map((file, index) => ({ file, index })));
  const outcomes = new Array<Outcome>(files.length);
  if (workers <= 1 || bytes < minBytesForWorkers) {
    const module = logSourceModule(source);
    // A pack per chunk, as on the workers: a source under the threshold holds hundreds of MB of JSON,
    // more than one conversion statement may sort (conversionBatches).
    for (const chunk of chunks) {
      const path = packPath(nextId++);
      const pack = path === null ? null : new RecordPack(path);
      try {
        // Each append is one file's records in one call: files checked two at once never mix. A clean
        // list file is checked with synchronous calls alone: yielding first lets the event loop turn
        // between files, so a case run in a served process never holds its other requests.
        const gated = await mapConcurrently(chunk, 2, async ({ file }) => {
          await new Promise((resolve) => setImmediate(resolve));
          return gateRecords(file, module, cleanPathOf(file), pack).catch((error: Error) => error);
        });
        chunk.forEach(({ index }, i) => {
          outcomes[index] = gated[i] as Outcome;
        });
      } finally {
        pack?.close();
      }
    }
    return outcomes;
  }
  const script = new URL('./record-gate-worker.mjs', import.meta.url);
  const start = () => new Worker(script);
  const pool = Array.from({ length: Math.min(workers, chunks.length) }, () => ({ worker: start() }));
  try {
    await mapConcurrentlyOn(pool, chunks, async (slot, chunk) => {
      const ask = async (items: typeof chunk) => {
        const request = items.map(({ file }) => ({ file, cleanPath: cleanPathOf(file) }));
        const id = nextId++;
        const pack = packPath(id);
        const answer = await askWorker(slot.worker, { id, source, files: request, pack });
        if (answer instanceof WorkerStopped) {
          void slot.worker.terminate();
          slot.worker = start();
        }
        return answer;
      };
      const answers = await isolatingStops(chunk, ask);
      chunk.forEach(({ index }, i) => {
        outcomes[index] = answers[i] as Outcome;
      });
    });
  } finally {
    await Promise.all(pool.map((slot) => slot.worker.terminate()));
  }
  return outcomes;
}

export class WorkerStopped extends Error {}

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

async function mapConcurrentlyOn<W, T>(pool: W[], items: T[], work: (worker: W, item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    pool.map(async (worker) => {
      while (next < items.length) await work(worker, items[next++] as T);
    }),
  );
}

/** The outcome of each of the request's files, in order, or WorkerStopped when the worker ended first. */
function askWorker(worker: Worker, request: Request): Promise<Outcome[] | WorkerStopped> {
  return new Promise((resolve) => {
    const settle = (outcome: Outcome[] | WorkerStopped) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(outcome);
    };
    const onMessage = (answer: Answer) => {
      if (answer.id === request.id)
        settle(answer.outcomes.map((o) => ('error' in o ? new Error(o.error) : o.gated)));
    };
    const onError = (error: Error) =>
      settle(new WorkerStopped(`the check of this file stopped: ${error.message}`));
    const onExit = (code: number) =>
      settle(new WorkerStopped(`the check of this file stopped (exit ${code})`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(request);
  });
}
