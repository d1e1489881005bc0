/**
 * The embedded engine reads checked list files from packs of their records (record-pack.ts): what it
 * loads from them is what it loads from the files themselves, and a pack it refuses costs only the
 * file it refuses.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCaseContext } from '../../../../shared/domain/case.js';
import type { InventoriedFile, Inventory } from '../../../../shared/domain/inventory.js';
import { DuckDbQueryEngine } from '../../../../shared/local/adapters/duckdb-query-engine.js';
import { DuckDbTableBuilder } from '../../../../shared/local/adapters/duckdb-table-builder.js';

const record = (name: string, extra = '') =>
  `{"eventVersion":"1.09","eventTime":"2024-05-01T10:00:00Z","eventSource":"s","eventName":"${name}"${extra}}`;
/** JSON.parse takes the last of two equal keys, so the gate passes it; DuckDB refuses the record. */
const refusedByTheEngine = record('Refused', ',"eventName":"Twice"');

let work: string;
let engine: DuckDbQueryEngine;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'casefile-packed-'));
  engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
});

afterEach(async () => {
  engine.close();
  await rm(work, { recursive: true, force: true });
});

/** Writes `bodies` as CloudTrail delivery files the inventory sized as given, and builds their table. */
async function build(
  bodies: { name: string; body: string; inventorySize?: number; layout?: InventoriedFile['layout'] }[],
) {
  const files: InventoriedFile[] = [];
  for (const { name, body, inventorySize, layout } of bodies) {
    await writeFile(join(work, name), body);
    files.push({
      path: join(work, name),
      size: inventorySize ?? Buffer.byteLength(body),
      layout: layout ?? 'records-object',
      compressed: false,
    });
  }
  const inventory: Inventory = {
    discoveredAt: '2024-05-02T00:00:00Z',
    sources: [{ source: 'cloudtrail', location: work, files }],
    skipped: [],
    notes: [],
  };
  const context = openCaseContext({}, 'duckdb', new Date('2024-05-02T00:00:00Z'));
  const result = await new DuckDbTableBuilder(engine, join(work, 'tables')).build(context, inventory);
  const names = (await engine.run('SELECT eventname FROM cloudtrail ORDER BY eventname')).rows.map(
    (row) => row.eventname,
  );
  return { result, names };
}

describe('reading checked files from packs of their records', () => {
  it('a pack the engine refuses costs only the file it refuses, named in the reason, and reads the others once', async () => {
    const { result, names } = await build([
      { name: 'a.json', body: `{"Records":[${record('A')}]}` },
      { name: 'b.json', body: `{"Records":[${record('B')},${refusedByTheEngine}]}` },
      { name: 'c.json', body: `[${record('C1')},\n${record('C2')}]\n`, layout: 'json-array' },
    ]);
    expect(names).toEqual(['A', 'C1', 'C2']);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.input).toBe(join(work, 'b.json'));
    expect(result.skipped[0]?.reason).toContain(join(work, 'b.json'));
    expect(result.files?.map((f) => [f.file, f.read])).toEqual([
      [join(work, 'a.json'), 1],
      [join(work, 'b.json'), 2],
      [join(work, 'c.json'), 2],
    ]);
  });

  it('a pack the engine refuses in a later round reads again only that round’s files, once each', async () => {
    // Sized by the inventory at 600 MB each, every file is gated and converted in a round of its own.
    const { result, names } = await build([
      { name: 'a.json', body: `{"Records":[${record('A')}]}`, inventorySize: 600 * 1024 * 1024 },
      {
        name: 'b.json',
        body: `{"Records":[${record('B')},${refusedByTheEngine}]}`,
        inventorySize: 600 * 1024 * 1024,
      },
    ]);
    expect(names).toEqual(['A']);
    expect(result.skipped.map((s) => s.input)).toEqual([join(work, 'b.json')]);
  });
});
