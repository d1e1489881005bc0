import { availableParallelism } from 'node:os';
import { extname, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LogSourceId } from '../../domain/log-sources.js';
import { classifyLogFile } from '../../sources/classify-log-file.js';
import { detectCloudWatchDump, dumpedLogGroup } from '../../sources/cloudwatch-logs-dump.js';
import { mapConcurrently } from '../../util/async.js';
import { type LogFilePlace, logFilePlace } from './log-file-place.js';
import { readFileHead } from './read-file-head.js';
import { askWorker, mapConcurrentlyOn, WorkerStopped } from './worker-requests.js';

/**
 * What a file's head says it is: a CloudWatch Logs dump, a log file of a source, or neither. The
 * path is not in it: a worker sends back verdicts alone, in its paths' order, and the inventory keeps
 * the path it already holds (a copy of each of half a million paths would cross the thread).
 */
export type Verdict =
  | { dump: string }
  | { source: LogSourceId; size: number; layout: string; compressed: boolean; place: LogFilePlace }
  | { skip: string };

/**
 * From this many files on, heads are read on worker threads, one per core: a trail's folder holds a
 * file per region every few minutes, and 51,000 heads took 4 s on one thread. Below, starting the
 * workers costs more than it saves.
 */
const WORKER_MIN_FILES = 8_000;
const CHUNK_FILES = 500;

/**
 * Every file's verdict, handed to `take` in the paths' order as soon as it and those before it are
 * known: only the chunks a worker finished ahead of an earlier one wait, never every verdict.
 */
export async function sniffFiles(
  paths: string[],
  root: string,
  take: (path: string, verdict: Verdict) => void,
  { workerMinFiles = WORKER_MIN_FILES, chunkFiles = CHUNK_FILES } = {},
): Promise<void> {
  if (paths.length < workerMinFiles) {
    for (const [i, verdict] of (await sniffInThread(paths, root)).entries())
      take(paths[i] as string, verdict);
    return;
  }
  const chunks: number[] = [];
  for (let start = 0; start < paths.length; start += chunkFiles) chunks.push(start);
  const done = new Map<number, Verdict[]>();
  let handed = 0;
  const handOver = () => {
    for (let found = done.get(handed); found; found = done.get(handed)) {
      done.delete(handed);
      for (const [i, verdict] of found.entries()) take(paths[handed + i] as string, verdict);
      handed += found.length;
    }
  };
  const script = new URL('./file-sniff-worker.mjs', import.meta.url);
  const pool = Array.from({ length: availableParallelism() }, () => new Worker(script));
  let nextId = 0;
  try {
    await mapConcurrentlyOn(pool, chunks, async (worker, start) => {
      const chunk = paths.slice(start, start + chunkFiles);
      const answer = await askWorker<
        { id: number; paths: string[]; root: string },
        { id: number; verdicts: Verdict[] }
      >(worker, { id: nextId++, paths: chunk, root });
      // A worker that stops leaves its chunk to this thread (and stays stopped).
      done.set(start, answer instanceof WorkerStopped ? await sniffInThread(chunk, root) : answer.verdicts);
      handOver();
    });
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}

export function sniffInThread(paths: string[], root: string): Promise<Verdict[]> {
  return mapConcurrently(paths, 4, (path) => sniff(path, root));
}

async function sniff(path: string, root: string): Promise<Verdict> {
  try {
    const head = await readFileHead(path);
    if (detectCloudWatchDump(head.text))
      return { dump: dumpedLogGroup(head.text) ?? groupFromPath(path, root) };
    const classification = classifyLogFile(head.text);
    if (classification.kind === 'not-a-log')
      return { skip: head.damage ? `corrupt gzip: ${head.damage}` : classification.reason };
    return {
      source: classification.source,
      size: head.size,
      layout: classification.layout,
      compressed: head.compressed,
      place: logFilePlace(relative(root, path), classification.source, head.text),
    };
  } catch (error) {
    return { skip: (error as Error).message };
  }
}

/**
 * CLI output (`aws logs filter-log-events`) does not name its log group, so the file's place in the
 * folder does: `eks/prod-cluster.json` is the group `eks/prod-cluster`.
 */
function groupFromPath(path: string, root: string): string {
  let name = relative(root, path).split(sep).join('/');
  while (['.gz', '.json', '.jsonl', '.txt'].includes(extname(name)))
    name = name.slice(0, -extname(name).length);
  return name;
}
