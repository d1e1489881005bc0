import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { CaseContext } from '../../domain/case.js';
import type { InventoriedFile, Inventory, SkippedInput, SourceLocation } from '../../domain/inventory.js';
import type { ExportOutcome, LogGroupExport } from '../../domain/log-exports.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import { InvalidRequestError } from '../../errors.js';
import type { LogInventory } from '../../ports/log-inventory.js';
import { classifyLogFile } from '../../sources/classify-log-file.js';
import { detectCloudWatchDump, dumpedLogGroup } from '../../sources/cloudwatch-logs-dump.js';
import { mapConcurrently } from '../../util/async.js';
import { readFileHead } from './read-file-head.js';

export const LOCAL_FOLDER = 'folder';

/**
 * The inventory of a folder of logs handed to a responder: every file classified by its content.
 * CloudWatch Logs data becomes a log group to export, as CloudWatch-only groups are in AWS.
 */
export class FolderInventory implements LogInventory {
  private readonly root: string;
  private readonly caseStoreRoot: string | null;

  /** `caseStoreRoot`: where case folders are written, to find what the export step wrote there. */
  constructor(root: string, options: { caseStoreRoot?: string } = {}) {
    this.root = resolve(root);
    this.caseStoreRoot = options.caseStoreRoot ? resolve(options.caseStoreRoot) : null;
  }

  /** A folder handed over is one body of evidence, whatever accounts its logs came from. */
  async accounts(_context: CaseContext): Promise<string[]> {
    return [LOCAL_FOLDER];
  }

  async discover(context: CaseContext): Promise<Inventory> {
    const root = await stat(this.root).catch(() => null);
    if (!root?.isDirectory())
      throw new InvalidRequestError(`The logs folder ${this.root} does not exist or is not a folder.`);
    const { sources, skipped, dumps } = await classifyFiles(await listFiles(this.root), this.root);
    const exports: LogGroupExport[] = [...dumps].map(([logGroup, files]) => ({
      logGroup,
      account: null,
      region: null,
      ...context.closedWindow,
      lostBefore: null,
      files,
    }));
    return {
      discoveredAt: new Date().toISOString(),
      sources: locations(sources, this.root),
      skipped,
      notes: [],
      exports,
    };
  }

  async discoverExported(_context: CaseContext, exports: ExportOutcome[]): Promise<Inventory> {
    const inventory: Inventory = {
      discoveredAt: new Date().toISOString(),
      sources: [],
      skipped: [],
      notes: [],
    };
    if (!this.caseStoreRoot) return inventory;
    for (const outcome of exports.filter((e) => e.status === 'COMPLETED' && e.destination)) {
      const folder = join(this.caseStoreRoot, ...(outcome.destination ?? '').split('/'));
      const { sources, skipped } = await classifyFiles(await listFiles(folder), folder);
      inventory.sources.push(...locations(sources, folder));
      inventory.skipped.push(...skipped.map((s) => ({ ...s, stage: 'export' as const })));
    }
    return inventory;
  }
}

/** Files sniffed at once: opening and gunzipping a head is I/O-bound, and a dump can hold 100,000 files. */
const SNIFF_CONCURRENCY = 32;

async function classifyFiles(paths: string[], root: string) {
  const heads = await mapConcurrently(paths, SNIFF_CONCURRENCY, async (path) => {
    const size = (await stat(path)).size;
    return readFileHead(path).then(
      (head) => ({ path, size, head, error: null }),
      (error: Error) => ({ path, size, head: null, error }),
    );
  });
  const sources = new Map<LogSourceId, InventoriedFile[]>();
  const dumps = new Map<string, string[]>();
  const skipped: SkippedInput[] = [];
  for (const { path, size, head, error } of heads) {
    try {
      if (!head) throw error;
      if (detectCloudWatchDump(head.text)) {
        const group = dumpedLogGroup(head.text) ?? groupFromPath(path, root);
        dumps.set(group, [...(dumps.get(group) ?? []), path]);
        continue;
      }
      const classification = classifyLogFile(head.text);
      if (classification.kind === 'not-a-log') {
        skipped.push({ input: path, reason: classification.reason, stage: 'inventory' });
        continue;
      }
      const list = sources.get(classification.source) ?? [];
      list.push({ path, size, layout: classification.layout, compressed: head.compressed });
      sources.set(classification.source, list);
    } catch (error) {
      skipped.push({ input: path, reason: (error as Error).message, stage: 'inventory' });
    }
  }
  return { sources, skipped, dumps };
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

function locations(files: Map<LogSourceId, InventoriedFile[]>, location: string): SourceLocation[] {
  return [...files].map(([source, list]) => ({
    source,
    location,
    files: list,
    details: { files: list.length, bytes: list.reduce((sum, f) => sum + f.size, 0) },
  }));
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
