/**
 * The embedded engine reads checked list files from packs of their records (record-pack.ts): what it
 * loads from them is what it loads from the files themselves, and a pack it refuses costs only the
 * file it refuses.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCaseContext } from '../../../../shared/domain/case.js';
import type { InventoriedFile, Inventory } from '../../../../shared/domain/inventory.js';
import { DuckDbQueryEngine } from '../../../../shared/local/adapters/duckdb-query-engine.js';
import { DuckDbTableBuilder } from '../../../../shared/local/adapters/duckdb-table-builder.js';
import { MAX_REFUSED_RECORDS } from '../../../../shared/local/adapters/engine-refusal.js';
import { FolderInventory } from '../../../../shared/local/adapters/folder-inventory.js';
import { gateFiles } from '../../../../shared/local/adapters/record-gate-pool.js';
import { cloudtrailSource } from '../../../../shared/sources/cloudtrail-source.js';

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
  it('a pack the engine refuses costs only the record it refuses, set aside with the engine’s reason, and reads every other record once', async () => {
    const { result, names } = await build([
      { name: 'a.json', body: `{"Records":[${record('A')}]}` },
      { name: 'b.json', body: `{"Records":[${record('B')},${refusedByTheEngine}]}` },
      { name: 'c.json', body: `[${record('C1')},\n${record('C2')}]\n`, layout: 'json-array' },
    ]);
    expect(names).toEqual(['A', 'B', 'C1', 'C2']);
    expect(result.skipped).toEqual([]);
    expect(result.quarantined?.map((q) => [q.file, q.position, q.reason])).toEqual([
      [
        join(work, 'b.json'),
        'record 2',
        expect.stringMatching(/^refused by the embedded engine: .*duplicate key "eventName"/),
      ],
    ]);
    expect(result.files?.map((f) => [f.file, f.read, f.quarantined])).toEqual([
      [join(work, 'a.json'), 1, 0],
      [join(work, 'b.json'), 1, 1],
      [join(work, 'c.json'), 2, 0],
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
    expect(names).toEqual(['A', 'B']);
    expect(result.quarantined?.map((q) => [q.file, q.position])).toEqual([
      [join(work, 'b.json'), 'record 2'],
    ]);
  });

  it('finds each record the engine refuses in a file the gate already rewrote, by its place in the file', async () => {
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    const body = `{"Records":[${record('Ok1')},${record('Deep', `,"requestParameters":${deep}`)},${refusedByTheEngine},${record('Ok2')},${record('Again', ',"eventName":"Twice"')}]}`;
    const { result, names } = await build([{ name: 'mixed.json', body }]);
    expect(names).toEqual(['Ok1', 'Ok2']);
    expect(result.quarantined?.map((q) => [q.position, q.reason.split(':')[0]])).toEqual([
      ['record 2', 'nested deeper than 128 levels'],
      ['record 3', 'refused by the embedded engine'],
      ['record 5', 'refused by the embedded engine'],
    ]);
    expect(result.files?.map((f) => [f.records, f.read, f.quarantined])).toEqual([[5, 2, 3]]);
    expect(result.skipped).toEqual([]);
  });

  it('finds the line the engine refuses in a file of JSON lines read in place, blank lines counted as it counts them', async () => {
    const body = `${record('L1')}\n\n${record('L3')}\n${refusedByTheEngine}\n\n${record('L6')}\n`;
    const { result, names } = await build([{ name: 'lines.jsonl', body, layout: 'json-lines' }]);
    expect(names).toEqual(['L1', 'L3', 'L6']);
    expect(result.quarantined?.map((q) => q.position)).toEqual(['line 4']);
  });

  it('sets aside the record holding the object the engine refuses, not its file, when that object is inside the record', async () => {
    const identity = `,"userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPLE","arn":"arn:aws:iam::123456789012:user/x","type":"Root"}`;
    const { result, names } = await build([
      { name: 'a.json', body: `{"Records":[${record('A')},${record('Twice', identity)},${record('C')}]}` },
    ]);
    expect(names).toEqual(['A', 'C']);
    expect(result.skipped).toEqual([]);
    expect(result.quarantined?.map((q) => [q.position, q.reason])).toEqual([
      ['record 2', expect.stringMatching(/^refused by the embedded engine: .*duplicate key "type"/)],
    ]);
    expect(result.files?.map((f) => [f.records, f.read, f.quarantined])).toEqual([[3, 2, 1]]);
  });

  it('sets aside a refused record whose start the engine quotes with its escapes decoded, not its file', async () => {
    const escaped = `{"eventVersion":"1.09","eventTime":"2024-05-01T1\\u0030:00:00Z","eventSource":"s","eventName":"Refused","eventName":"Twice"}`;
    const { result, names } = await build([
      { name: 'a.json', body: `{"Records":[${record('A')},${escaped}]}` },
    ]);
    expect(names).toEqual(['A']);
    expect(result.skipped).toEqual([]);
    expect(result.quarantined?.map((q) => q.position)).toEqual(['record 2']);
  });

  it('sets aside the same record when the tables are built again with the same builder, as a retried step does', async () => {
    const path = join(work, 'again.json');
    await writeFile(path, `{"Records":[${record('A')},${refusedByTheEngine},${record('C')},${record('D')}]}`);
    const file: InventoriedFile = { path, size: 1, layout: 'records-object', compressed: false };
    const inventory: Inventory = {
      discoveredAt: '2024-05-02T00:00:00Z',
      sources: [{ source: 'cloudtrail', location: work, files: [file] }],
      skipped: [],
      notes: [],
    };
    const context = openCaseContext({}, 'duckdb', new Date('2024-05-02T00:00:00Z'));
    const builder = new DuckDbTableBuilder(engine, join(work, 'tables'));
    for (const build of [1, 2]) {
      const result = await builder.build(context, inventory);
      const names = (await engine.run('SELECT eventname FROM cloudtrail ORDER BY eventname')).rows;
      expect(
        names.map((row) => row.eventname),
        `build ${build}`,
      ).toEqual(['A', 'C', 'D']);
      expect(
        result.quarantined?.map((q) => q.position),
        `build ${build}`,
      ).toEqual(['record 2']);
    }
  });

  it('sets aside the record the engine names, not the first, in a folder whose name holds “in line 1: ”', async () => {
    await mkdir(join(work, 'in line 1: copy'));
    const body = `${record('L1')}\n${record('L2')}\n${refusedByTheEngine}\n${record('L4')}\n`;
    const { result, names } = await build([
      { name: 'in line 1: copy/lines.jsonl', body, layout: 'json-lines' },
    ]);
    expect(names).toEqual(['L1', 'L2', 'L4']);
    expect(result.quarantined?.map((q) => q.position)).toEqual(['line 3']);
  });

  it('says how many records of a damaged file were read once the engine refused one of them', async () => {
    const { result, names } = await build([
      {
        name: 'padded.json',
        body: `{"Records":[${record('A')},${refusedByTheEngine},${record('C')}]}\0\0\0\0`,
      },
    ]);
    expect(names).toEqual(['A', 'C']);
    expect(result.files?.map((f) => [f.records, f.read, f.quarantined])).toEqual([[3, 2, 1]]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      "partly read: 5 bytes after the list's end are not JSON and were not read; the 2 records before it were read",
    ]);
  });

  it('finds the event the engine refuses in a cleaned copy of lookup-events output, where it quotes the event, not the lookup result', async () => {
    const event = (name: string, extra = '') => JSON.stringify(record(name, extra));
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    const results = [
      `{"EventId":"1","CloudTrailEvent":${event('Ok1')}}`,
      `{"EventId":"2","CloudTrailEvent":${event('Deep', `,"requestParameters":${deep}`)}}`,
      `{"EventId":"3","CloudTrailEvent":${event('Refused', ',"eventName":"Twice"')}}`,
      `{"EventId":"4","CloudTrailEvent":${event('Ok2')}}`,
    ];
    const { result, names } = await build([
      { name: 'lookup.json', body: `{"Events":[${results.join(',')}]}`, layout: 'lookup-events' },
    ]);
    expect(names).toEqual(['Ok1', 'Ok2']);
    expect(result.skipped).toEqual([]);
    expect(result.quarantined?.map((q) => [q.position, q.reason.split(':')[0]])).toEqual([
      ['record 2', '`CloudTrailEvent` nested deeper than 128 levels'],
      ['record 3', 'refused by the embedded engine'],
    ]);
  });

  it('skips a file whose refused records pass the bound, saying nothing of it was read', async () => {
    const refused = Array.from({ length: MAX_REFUSED_RECORDS + 1 }, () => refusedByTheEngine);
    const { result, names } = await build([
      { name: 'a.json', body: `{"Records":[${record('A')}]}` },
      { name: 'many.json', body: `{"Records":[${record('M')},${refused.join(',')}]}` },
    ]);
    expect(names).toEqual(['A']);
    expect(result.skipped.map((s) => [s.input, s.reason.split(':')[0]])).toEqual([
      [join(work, 'many.json'), 'unreadable'],
    ]);
    expect(result.files?.find((f) => f.file === join(work, 'many.json'))?.read).toBe(0);
  });

  it('loads every record of list files of any spacing, escaping or gzip framing as the files themselves read', async () => {
    const logs = join(work, 'logs');
    await mkdir(logs);
    const full = `{"Records":[${record('Multi1')},${record('Multi2')}]}`;
    const bodies: Record<string, string | Buffer> = {
      'pretty-crlf.json': JSON.stringify(
        { Records: [JSON.parse(record('P1')), JSON.parse(record('P2'))] },
        null,
        2,
      )
        .replaceAll('\n', '\r\n')
        .concat('\r\n'),
      'key-spacing.json': `{ "Records"\t:\r\n [ ${record('Spaced')} ] }  \n`,
      'brackets.json': `{"Records":[${record('B]', ',"userAgent":"[x]]"')},${record('B2', ',"requestParameters":{"a":"]}","b":["[",{"c":"}"}]}')}]}`,
      'escapes.json': `{"Records":[${record('E\\u005d\\u005b', ',"userAgent":"\\"]}\\u00e9","requestParameters":{"n":1.50e3,"big":12345678901234567890123}')}]}`,
      'records-in-a-string.json': `{"Records":[${record('S', ',"userAgent":"{\\"Records\\":[1]}"')}]}`,
      'array.json': `[${record('A1')},\n${record('A2')}]\n\n \t`,
      'multi-member.json.gz': Buffer.concat([gzipSync(full.slice(0, 40)), gzipSync(full.slice(40))]),
      'one.json.gz': gzipSync(`{"Records":[${record('G')}]}`),
    };
    for (const [name, body] of Object.entries(bodies)) await writeFile(join(logs, name), body);
    const context = openCaseContext({}, 'duckdb', new Date('2024-05-02T00:00:00Z'));
    const inventory = await new FolderInventory(logs).discover(context);
    const files = inventory.sources.flatMap((s) => s.files ?? []);
    const columns = cloudtrailSource.columns.map((c) => `"${c}"`).join(', ');
    const rows = async (sql: string) =>
      (await engine.run(`SELECT ${columns} FROM (${sql})`)).rows.map((row) => JSON.stringify(row)).sort();
    const fromTheFiles = (
      await Promise.all(
        files.map((f) => rows(cloudtrailSource.duckdbSelect([f.path], f.layout, f.compressed))),
      )
    )
      .flat()
      .sort();
    expect(files).toHaveLength(Object.keys(bodies).length);
    expect(fromTheFiles).toHaveLength(12);
    // The packs themselves (the conversion would read a refused pack's files instead).
    const packDir = join(work, 'packs');
    await mkdir(packDir);
    const gated = await gateFiles('cloudtrail', files, (f) => `${f.path}.clean`, 1, { packDir });
    const packs = new Set(
      gated.map((o) => (o instanceof Error || !o?.packed ? 'not packed' : o.readFrom.path)),
    );
    expect(packs.has('not packed')).toBe(false);
    expect(await rows(cloudtrailSource.duckdbSelect([...packs], 'json-array', false))).toEqual(fromTheFiles);
    const built = await new DuckDbTableBuilder(engine, join(work, 'tables')).build(context, inventory);
    expect(built.skipped).toEqual([]);
    expect(await rows('SELECT * FROM cloudtrail')).toEqual(fromTheFiles);
  });
});
