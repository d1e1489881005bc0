/**
 * A large source is checked and converted in rounds, its list files' records packed per chunk of
 * files on the gate's worker threads: none of it may change what a case reads. The demo's logs,
 * with bad records and a cut-off file among them, are read once whole and once in many small rounds
 * on worker threads.
 */
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaseContext } from '../../../../shared/domain/case.js';
import { DuckDbQueryEngine } from '../../../../shared/local/adapters/duckdb-query-engine.js';
import {
  DuckDbTableBuilder,
  type ReadingOptions,
} from '../../../../shared/local/adapters/duckdb-table-builder.js';
import { FolderInventory } from '../../../../shared/local/adapters/folder-inventory.js';
import { generateDemoLogs } from '../../../../shared/local/demo/generate-demo-logs.js';

let work: string;
let logs: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'casefile-rounds-'));
  logs = join(work, 'logs');
  await generateDemoLogs(logs, { days: 1 });
  const files = (await readdir(logs, { recursive: true })).filter((f) => f.endsWith('.json.gz')).sort();
  // A record that is no JSON in one file, and another file cut off halfway.
  const bad = join(logs, files[1] as string);
  const text = gunzipSync(await readFile(bad)).toString();
  await writeFile(
    bad,
    gzipSync(text.replace('{"eventVersion"', '{"eventVersion" oops, "x": 1}, {"eventVersion"')),
  );
  const cut = join(logs, files[2] as string);
  const body = await readFile(cut);
  await writeFile(cut, body.subarray(0, Math.floor(body.length / 2)));
  await appendFile(
    join(logs, 'pretty.json'),
    JSON.stringify({ Records: JSON.parse(text).Records.slice(0, 3) }, null, 2),
  );
}, 120_000);

afterAll(() => rm(work, { recursive: true, force: true }));

interface Read {
  events: string[];
  counts: string[];
  quarantined: string[];
  skipped: string[];
}

async function readWith(name: string, reading: ReadingOptions): Promise<Read> {
  const engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
  try {
    const context = openCaseContext({}, 'duckdb', new Date('2025-06-01T00:00:00Z'));
    const inventory = await new FolderInventory(logs).discover(context);
    const tables = await new DuckDbTableBuilder(engine, join(work, name), reading).build(context, inventory);
    const { rows } = await engine.run('SELECT * FROM cloudtrail_events', { maxRows: 1_000_000 });
    const leftOver = (await readdir(join(work, name))).filter((f) => f === 'packs' || f === 'clean');
    expect(leftOver).toEqual([]);
    return {
      events: rows.map((row) => JSON.stringify(row)).sort(),
      counts: (tables.files ?? []).map((f) => `${f.file} ${f.records} ${f.read} ${f.quarantined}`).sort(),
      quarantined: (tables.quarantined ?? []).map((q) => `${q.file} ${q.position} ${q.reason}`).sort(),
      skipped: tables.skipped.map((s) => `${s.input} ${s.reason}`).sort(),
    };
  } finally {
    engine.close();
  }
}

describe('reading a source in rounds, with packs of checked records', () => {
  it('reads every record once, and sets aside and skips the same as one round in this thread', async () => {
    const whole = await readWith('whole', { gateWorkers: 1 });
    const rounds = await readWith('rounds', {
      roundJsonBytes: 300_000,
      gateWorkers: 2,
      workerThresholdBytes: 0,
    });
    expect(whole.events.length).toBeGreaterThan(1000);
    expect(whole.quarantined.length).toBe(1);
    expect(whole.skipped).toEqual([expect.stringMatching(/partly read|unreadable/)]);
    expect(rounds).toEqual(whole);
  }, 120_000);
});
