import type { Worker } from 'node:worker_threads';

/** A worker ended (crashed, ran out of memory, exited) before it answered a request. */
export class WorkerStopped extends Error {}

/**
 * Posts `request` to `worker` and resolves with the answer of the same `id`, or with WorkerStopped
 * when the worker ends first. The worker answers `{ id, ...answer }`.
 */
export function askWorker<Q extends { id: number }, A extends { id: number }>(
  worker: Worker,
  request: Q,
): Promise<A | WorkerStopped> {
  return new Promise((resolve) => {
    const settle = (outcome: A | WorkerStopped) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(outcome);
    };
    const onMessage = (answer: A) => {
      if (answer.id === request.id) settle(answer);
    };
    const onError = (error: Error) => settle(new WorkerStopped(`stopped: ${error.message}`));
    const onExit = (code: number) => settle(new WorkerStopped(`stopped (exit ${code})`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(request);
  });
}

/** `work` on each item, each worker of `pool` taking the next item as it finishes one. */
export async function mapConcurrentlyOn<W, T>(
  pool: W[],
  items: T[],
  work: (worker: W, item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    pool.map(async (worker) => {
      while (next < items.length) await work(worker, items[next++] as T);
    }),
  );
}
