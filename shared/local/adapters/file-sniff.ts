import { availableParallelism } from 'node:os';
import { extname, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InventoriedFile } from '../../domain/inventory.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import { classifyLogFile } from '../../sources/classify-log-file.js';
import { detectCloudWatchDump, dumpedLogGroup } from '../../sources/cloudwatch-logs-dump.js';
import { mapConcurrently } from '../../util/async.js';
import { type LogFilePlace, logFilePlace } from './log-file-place.js';
import { readFileHead } from './read-file-head.js';
import { askWorker, mapConcurrentlyOn, WorkerStopped } from './worker-requests.js';

/** What a file's head says it is: a CloudWatch Logs dump, a log file of a source, or neither. */
export type Sniffed =
  | { path: string; dump: string }
  | { path: string; file: InventoriedFile; source: LogSourceId; place: LogFilePlace }
  | { path: string; skip: string };

/**
 * From this many files on, heads are read on worker threads, one per core: a trail's folder holds a
 * file per region every few minutes, and 51,000 heads took 4 s on one thread. Below, starting the
 * workers costs more than it saves.
 */
const WORKER_MIN_FILES = 8_000;
const CHUNK_FILES = 500;

/** Every file's verdict, in the paths' order. */
export async function sniffFiles(
  paths: string[],
  root: string,
  { workerMinFiles = WORKER_MIN_FILES, chunkFiles = CHUNK_FILES } = {},
): Promise<Sniffed[]> {
  if (paths.length < workerMinFiles) return sniffInThread(paths, root);
  const chunks: { start: number; paths: string[] }[] = [];
  for (let start = 0; start < paths.length; start += chunkFiles)
    chunks.push({ start, paths: paths.slice(start, start + chunkFiles) });
  const verdicts = new Array<Sniffed>(paths.length);
  const script = new URL('./file-sniff-worker.mjs', import.meta.url);
  const pool = Array.from({ length: availableParallelism() }, () => new Worker(script));
  let nextId = 0;
  try {
    await mapConcurrentlyOn(pool, chunks, async (worker, chunk) => {
      const answer = await askWorker<
        { id: number; paths: string[]; root: string },
        { id: number; verdicts: Sniffed[] }
      >(worker, { id: nextId++, paths: chunk.paths, root });
      // A worker that stops leaves its chunk to this thread (and stays stopped).
      const found =
        answer instanceof WorkerStopped ? await sniffInThread(chunk.paths, root) : answer.verdicts;
      found.forEach((verdict, i) => {
        verdicts[chunk.start + i] = verdict;
      });
    });
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  return verdicts;
}

export function sniffInThread(paths: string[], root: string): Promise<Sniffed[]> {
  return mapConcurrently(paths, 4, (path) => sniff(path, root));
}

async function sniff(path: string, root: string): Promise<Sniffed> {
  try {
    const head = await readFileHead(path);
    if (detectCloudWatchDump(head.text))
      return { path, dump: dumpedLogGroup(head.text) ?? groupFromPath(path, root) };
    const classification = classifyLogFile(head.text);
    if (classification.kind === 'not-a-log')
      return { path, skip: head.damage ? `corrupt gzip: ${head.damage}` : classification.reason };
    const file = { path, size: head.size, layout: classification.layout, compressed: head.compressed };
    const place = logFilePlace(relative(root, path), classification.source, head.text);
    return { path, file, source: classification.source, place };
  } catch (error) {
    return { path, skip: (error as Error).message };
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
