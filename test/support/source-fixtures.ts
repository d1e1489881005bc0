import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaseContext } from '../../shared/domain/case.js';
import type { Inventory } from '../../shared/domain/inventory.js';
import { DuckDbQueryEngine } from '../../shared/local/duckdb-query-engine.js';
import { DuckDbTableBuilder } from '../../shared/local/duckdb-table-builder.js';
import { FolderInventory } from '../../shared/local/folder-inventory.js';
import type { TablesResult } from '../../shared/ports/table-builder.js';
import { canonicalType } from './athena-ddl-columns.js';

export interface BuiltFolder {
  engine: DuckDbQueryEngine;
  inventory: Inventory;
  tables: TablesResult;
  close(): Promise<void>;
}

/** A folder of log files read the way a local case reads it: inventory by content, then tables. */
export async function buildFolder(
  dir: string,
  window: { from?: string; to?: string } = {},
): Promise<BuiltFolder> {
  const engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
  const work = await mkdtemp(join(tmpdir(), 'casefile-source-tables-'));
  const context = openCaseContext(window, 'duckdb', new Date('2024-06-01T00:00:00Z'));
  const inventory = await new FolderInventory(dir).discover(context);
  const tables = await new DuckDbTableBuilder(engine, work).build(context, inventory);
  return {
    engine,
    inventory,
    tables,
    async close() {
      engine.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** Where each input ended up skipped, by file name, with the stage and reason. */
export function skippedByName(built: BuiltFolder): Record<string, string> {
  const all = [...built.inventory.skipped, ...built.tables.skipped];
  return Object.fromEntries(all.map((s) => [s.input.split('/').at(-1), `${s.stage}: ${s.reason}`]));
}

/** The data columns of a `CREATE EXTERNAL TABLE`, in one canonical type spelling. */
export function externalTableColumns(ddl: string): { name: string; type: string }[] {
  const body = ddl.slice(ddl.indexOf('(\n') + 2, ddl.indexOf('\n)'));
  return body.split(',\n').map((line) => {
    const match = /^ {2}`(\w+)` (.+)$/.exec(line);
    return match
      ? { name: match[1] as string, type: canonicalType(match[2] as string) }
      : { name: `unparsed: ${line}`, type: '' };
  });
}

/** The input regex of a RegexSerDe table, as the Hive parser hands it to Java after unescaping. */
export function serdeRegex(ddl: string): RegExp {
  const literal = /'input\.regex'='((?:[^'\\]|\\.)*)'/.exec(ddl)?.[1];
  if (literal === undefined) throw new Error('no input.regex in the DDL');
  return new RegExp(literal.replace(/\\(.)/g, '$1'));
}
