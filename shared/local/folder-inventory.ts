import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CaseContext } from '../domain/case.js';
import type { InventoriedFile, Inventory, SkippedInput, SourceLocation } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';
import type { LogInventory } from '../ports/log-inventory.js';
import { classifyLogFile } from '../sources/classify-log-file.js';
import { readFileHead } from './read-file-head.js';

/** The inventory of a folder of logs handed to a responder: every file classified by its content. */
export class FolderInventory implements LogInventory {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async discover(_context: CaseContext): Promise<Inventory> {
    const files = new Map<LogSourceId, InventoriedFile[]>();
    const skipped: SkippedInput[] = [];
    for (const path of await listFiles(this.root)) {
      const size = (await stat(path)).size;
      try {
        const head = await readFileHead(path);
        const classification = classifyLogFile(head.text);
        if (classification.kind === 'not-a-log') {
          skipped.push({ input: path, reason: classification.reason, stage: 'inventory' });
          continue;
        }
        const list = files.get(classification.source) ?? [];
        list.push({ path, size, layout: classification.layout, compressed: head.compressed });
        files.set(classification.source, list);
      } catch (error) {
        skipped.push({ input: path, reason: (error as Error).message, stage: 'inventory' });
      }
    }
    const sources: SourceLocation[] = [...files].map(([source, list]) => ({
      source,
      location: this.root,
      files: list,
      details: { files: list.length, bytes: list.reduce((sum, f) => sum + f.size, 0) },
    }));
    return { discoveredAt: new Date().toISOString(), sources, skipped, notes: [] };
  }
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
