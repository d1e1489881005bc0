import { Worker } from 'node:worker_threads';
import type { InventoriedFile } from '../../domain/inventory.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import { logSourceModule } from '../../sources/registry.js';
import { mapConcurrently } from '../../util/async.js';
import { type GatedFile, gateRecords } from './record-gate.js';

/** Below this many bytes a source's files are checked in this thread: starting workers costs more. */
const WORKER_THRESHOLD_BYTES = 64 * 1024 * 1024;

type Answer = { id: number; gated: GatedFile | null } | { id: number; error: string };

/**
 * Checks files on `workers` worker threads (the caller sizes them by the cores), since checking
 * records (gunzip, JSON.parse, the source's check) is CPU-bound and runs while DuckDB waits. Each
 * file's outcome, or the Error that made it unreadable, in the files' order.
 */
export async function gateFiles(
  source: LogSourceId,
  files: InventoriedFile[],
  cleanPathOf: (file: InventoriedFile) => string,
  workers: number,
  minBytesForWorkers = WORKER_THRESHOLD_BYTES,
): Promise<(GatedFile | null | Error)[]> {
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  if (workers <= 1 || bytes < minBytesForWorkers) {
    const module = logSourceModule(source);
    return mapConcurrently(files, 2, (file) =>
      gateRecords(file, module, cleanPathOf(file)).catch((error: Error) => error),
    );
  }
  const script = new URL('./record-gate-worker.mjs', import.meta.url);
  const pool = Array.from({ length: Math.min(workers, files.length) }, () => ({
    worker: new Worker(script),
  }));
  try {
    return await mapConcurrentlyOn(pool, files, async (slot, file, id) => {
      const outcome = await ask(slot.worker, { id, file, source, cleanPath: cleanPathOf(file) });
      if (outcome instanceof WorkerStopped) {
        // A file that brings a worker down (out of memory on a pathological record) costs only itself.
        void slot.worker.terminate();
        slot.worker = new Worker(script);
      }
      return outcome;
    });
  } finally {
    await Promise.all(pool.map((slot) => slot.worker.terminate()));
  }
}

class WorkerStopped extends Error {}

async function mapConcurrentlyOn<W, T, R>(
  pool: W[],
  items: T[],
  work: (worker: W, item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    pool.map(async (worker) => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(worker, items[index] as T, index);
      }
    }),
  );
  return results;
}

function ask(
  worker: Worker,
  request: { id: number; file: InventoriedFile; source: LogSourceId; cleanPath: string },
): Promise<GatedFile | null | Error> {
  return new Promise((resolve) => {
    const settle = (outcome: GatedFile | null | Error) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(outcome);
    };
    const onMessage = (answer: Answer) => {
      if (answer.id === request.id) settle('error' in answer ? new Error(answer.error) : answer.gated);
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
