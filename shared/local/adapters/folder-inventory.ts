import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { CaseContext } from '../../domain/case.js';
import { type CaseScope, describeScope, within } from '../../domain/case-scope.js';
import type { InventoriedFile, Inventory, SkippedInput, SourceLocation } from '../../domain/inventory.js';
import type { ExportOutcome, LogGroupExport } from '../../domain/log-exports.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import { InvalidRequestError } from '../../errors.js';
import type { LogInventory } from '../../ports/log-inventory.js';
import { isPartialWrite } from './file-evidence-store.js';
import { sniffFiles } from './file-sniff.js';
import { placeOutsideScope } from './log-file-place.js';

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
    const listing = await listFiles(this.root, this.caseStoreRoot ? [this.caseStoreRoot] : []);
    const classified = await classifyFiles(listing.files, this.root, context.scope);
    const { sources, dumps } = classified;
    const skipped = [...listing.skipped, ...classified.skipped];
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
      sources: locations(sources, this.root, classified.places),
      skipped,
      notes: scopeNotes(classified.outOfScope, classified.mixed, context.scope),
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
      const listing = await listFiles(folder, []);
      // A partial file is a write that a crash cut short: never part of the export.
      const files = listing.files.filter((path) => !isPartialWrite(basename(path)));
      const { sources, skipped, places } = await classifyFiles(files, folder, undefined);
      inventory.sources.push(...locations(sources, folder, places));
      inventory.skipped.push(
        ...[...listing.skipped, ...skipped].map((s) => ({ ...s, stage: 'export' as const })),
      );
    }
    return inventory;
  }
}

/**
 * Every file's source, or why it is skipped. With a scope, files of sources not asked for and files
 * whose delivery path or records name only other accounts or regions are skipped as out of scope.
 */
async function classifyFiles(paths: string[], root: string, scope: CaseScope | undefined) {
  const sources = new Map<LogSourceId, InventoriedFile[]>();
  const dumps = new Map<string, string[]>();
  const skipped: SkippedInput[] = [];
  const places = new Map<LogSourceId, { accounts: Set<string>; regions: Set<string> }>();
  let outOfScope = 0;
  const mixed: string[] = [];
  const add = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  // Each file is classified as its verdict comes, so only the verdicts' outcome is held, not 100,000 heads.
  await sniffFiles(paths, root, (path, verdict) => {
    if ('dump' in verdict) add(dumps, verdict.dump, path);
    else if ('skip' in verdict) skipped.push({ input: path, reason: verdict.skip, stage: 'inventory' });
    else {
      const why = within(scope?.sources ?? null, verdict.source)
        ? placeOutsideScope(verdict.place, scope)
        : { outside: `${verdict.source} is not among the sources asked for`, mixed: null };
      if (why.outside) {
        outOfScope += 1;
        skipped.push({ input: path, reason: `outside the case's scope: ${why.outside}`, stage: 'inventory' });
        return;
      }
      if (why.mixed) mixed.push(`${path}: ${why.mixed}`);
      const { size, layout, compressed } = verdict;
      add(sources, verdict.source, { path, size, layout, compressed });
      const seen = places.get(verdict.source) ?? { accounts: new Set(), regions: new Set() };
      for (const account of verdict.place.accounts) seen.accounts.add(account);
      for (const region of verdict.place.regions) seen.regions.add(region);
      places.set(verdict.source, seen);
    }
  });
  return { sources, skipped, dumps, places, outOfScope, mixed };
}

/** How many files the scope left out, in one line; files read whole despite naming other places, each. */
function scopeNotes(outOfScope: number, mixed: string[], scope: CaseScope | undefined): string[] {
  if (!scope) return [];
  return [
    ...(outOfScope > 0
      ? [
          `${outOfScope} file(s) left out as outside the case's scope (${describeScope(scope)}); skipped lists each.`,
        ]
      : []),
    ...mixed,
  ];
}

/** One location per source, naming the accounts and regions its files' paths or records name. */
function locations(
  files: Map<LogSourceId, InventoriedFile[]>,
  location: string,
  places: Map<LogSourceId, { accounts: Set<string>; regions: Set<string> }>,
): SourceLocation[] {
  return [...files].map(([source, list]) => {
    const place = places.get(source);
    return {
      source,
      location,
      files: list,
      ...(place && place.accounts.size > 0 ? { accounts: [...place.accounts].sort() } : {}),
      ...(place && place.regions.size > 0 ? { regions: [...place.regions].sort() } : {}),
      details: { files: list.length, bytes: list.reduce((sum, f) => sum + f.size, 0) },
    };
  });
}

/**
 * Every regular file under `root`, in a stable order. Symbolic links are followed after the plain
 * walk, while their target stays inside the folder, so a file is read once under its own path and a
 * link to it is listed as already read; loops end there too. Links leading out of the folder, broken
 * links, unreadable folders and the `excluded` folders (where this case is written) are listed as
 * skipped with the reason, and everything else is still read.
 */
async function listFiles(
  root: string,
  excluded: string[],
): Promise<{ files: string[]; skipped: SkippedInput[] }> {
  const realRoot = await realpath(root).catch(() => null);
  if (realRoot === null) return { files: [], skipped: [] };
  const realExcluded = new Set(await Promise.all(excluded.map((e) => realpath(e).catch(() => resolve(e)))));
  const files: string[] = [];
  const skipped: SkippedInput[] = [];
  const seen = new Set<string>();
  const links: string[] = [];
  const skip = (input: string, reason: string) => skipped.push({ input, reason, stage: 'inventory' });
  const visit = async (path: string, real: string, linked: boolean): Promise<void> => {
    if (seen.has(real)) {
      if (linked) skip(path, `a link to ${real}, which is already read`);
      return;
    }
    seen.add(real);
    const info = await stat(real).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      skip(path, `unreadable: ${info.code ?? info.message}`);
      return;
    }
    if (info.isFile()) {
      files.push(path);
      return;
    }
    if (!info.isDirectory()) {
      skip(path, 'not a regular file or folder');
      return;
    }
    if (realExcluded.has(real)) {
      skip(path, 'the folder this case is written to (--out): case folders are not evidence');
      return;
    }
    let entries: Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (error) {
      skip(path, `unreadable folder: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = join(path, entry.name);
      if (entry.isSymbolicLink()) links.push(child);
      else if (entry.isFile()) {
        // The listing already says it is a file: no stat for each of 100,000 delivery files. Its real
        // path is remembered only once links are followed (below): half a million strings otherwise.
        if (followingLinks) seen.add(join(real, entry.name));
        files.push(child);
      } else await visit(child, join(real, entry.name), false);
    }
  };
  let followingLinks = false;
  await visit(root, realRoot, false);
  if (links.length > 0) {
    // The plain walk followed no link: each file's real path is the root's real path and its own place.
    for (const file of files) seen.add(join(realRoot, relative(root, file)));
    followingLinks = true;
  }
  while (links.length > 0) {
    const link = links.shift() as string;
    const target = await realpath(link).catch(() => null);
    if (target === null) skip(link, 'broken symbolic link');
    else if (target !== realRoot && !target.startsWith(`${realRoot}${sep}`))
      skip(link, `symbolic link to ${target}, outside the logs folder`);
    else await visit(link, target, true);
  }
  files.sort();
  skipped.sort((a, b) => (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
  return { files, skipped };
}
