import type { InventoryCaseFile, ListedFile } from '../domain/case-files/inventory-file.js';
import {
  type InventoriedFile,
  type Inventory,
  pathFromLocation,
  pathInLocation,
  type SourceLocation,
} from '../domain/inventory.js';
import { InvalidCaseFileError } from '../errors.js';
import {
  type EvidenceStore,
  readCaseFile,
  readCaseLines,
  writeCaseFile,
  writeCaseLines,
} from './evidence-store.js';

/**
 * Writes an inventory: the files its locations list go to its file list a line each, streamed, and
 * the document names how many each location has. The list is written first, so a document that
 * exists always has its list.
 */
export async function writeInventory(
  store: EvidenceStore,
  file: InventoryCaseFile,
  inventory: Inventory,
): Promise<void> {
  const listing = inventory.sources.some((location) => location.files);
  if (listing) await writeCaseLines(store, file.fileList, listedFiles(inventory.sources));
  await writeCaseFile(store, file, {
    ...inventory,
    sources: inventory.sources.map(({ files, listedFiles: _, ...location }) =>
      files ? { ...location, listedFiles: files.length } : location,
    ),
  });
}

function* listedFiles(sources: SourceLocation[]): Generator<ListedFile> {
  for (const [location, source] of sources.entries()) {
    for (const file of source.files ?? []) {
      yield { location, ...file, path: pathInLocation(source.location, file.path) };
    }
  }
}

/**
 * The inventory with each location's files, read from its file list line by line. A list that does
 * not hold the files its document counts is refused, as a document breaking its contract is.
 */
export async function readInventoryWithFiles(
  store: EvidenceStore,
  file: InventoryCaseFile,
): Promise<Inventory> {
  const inventory = await readCaseFile(store, file);
  const lists = new Map<SourceLocation, InventoriedFile[]>();
  for await (const { source, file: listed } of inventoriedFiles(store, file, inventory)) {
    const list = lists.get(source);
    if (list) list.push(listed);
    else lists.set(source, [listed]);
  }
  return {
    ...inventory,
    sources: inventory.sources.map((source) => {
      if (source.listedFiles === undefined) return source;
      const list = lists.get(source) ?? [];
      if (list.length !== source.listedFiles) {
        throw new InvalidCaseFileError(
          `${file.fileList.key} lists ${list.length} file(s) of ${source.location}, ${file.key} counts ${source.listedFiles}.`,
        );
      }
      return { ...source, files: list };
    }),
  };
}

/** The files an inventory lists, one at a time as its list is read, each with its location. */
export async function* inventoriedFiles(
  store: EvidenceStore,
  file: InventoryCaseFile,
  inventory: Inventory,
): AsyncGenerator<{ source: SourceLocation; file: InventoriedFile }> {
  if (!inventory.sources.some((l) => l.listedFiles !== undefined)) return;
  for await (const { location, ...listed } of readCaseLines(store, file.fileList)) {
    const source = inventory.sources[location];
    if (source?.listedFiles === undefined) {
      throw new InvalidCaseFileError(
        `${file.fileList.key} names location ${location}, which lists no files in ${file.key}.`,
      );
    }
    yield { source, file: { ...listed, path: pathFromLocation(source.location, listed.path) } };
  }
}
