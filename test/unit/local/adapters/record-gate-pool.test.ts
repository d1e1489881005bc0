import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { InventoriedFile } from '../../../../shared/domain/inventory.js';
import {
  gateFiles,
  isolatingStops,
  WorkerStopped,
} from '../../../../shared/local/adapters/record-gate-pool.js';
import { writeOneRecordFiles } from '../../../support/delivery-files.js';

const record = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventVersion: '1.09',
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 's',
    eventName: 'n',
    ...fields,
  });

describe('checking files on worker threads', () => {
  it('finds what the check in this thread finds, file by file, and a missing file costs only itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-pool-'));
    const bodies = {
      'clean.json.gz': gzipSync(`{"Records":[${record()},${record()}]}`),
      'bad.json.gz': gzipSync(`{"Records":[${record()},${record({ userIdentity: 'x' })}]}`),
      'cut.json.gz': gzipSync(`{"Records":[${record()},${record()}]}`).subarray(0, 40),
    };
    const files: InventoriedFile[] = [];
    for (const [name, body] of Object.entries(bodies)) {
      await writeFile(join(dir, name), body);
      files.push({ path: join(dir, name), size: body.length, layout: 'records-object', compressed: true });
    }
    files.push({ path: join(dir, 'gone.json.gz'), size: 10, layout: 'records-object', compressed: true });
    const cleanPath = (file: InventoriedFile) => join(dir, 'clean', `${file.path.split('/').pop()}`);
    const summary = (outcomes: Awaited<ReturnType<typeof gateFiles>>) =>
      outcomes.map((o) =>
        o instanceof Error
          ? `error: ${o.message.includes('ENOENT')}`
          : `${o?.read} read, ${o?.quarantinedCount} set aside, damage ${o?.damage !== null}`,
      );
    const onWorkers = summary(await gateFiles('cloudtrail', files, cleanPath, 2, { minBytesForWorkers: 0 }));
    const inThread = summary(await gateFiles('cloudtrail', files, cleanPath, 1));
    expect(onWorkers).toEqual([
      '2 read, 0 set aside, damage false',
      '1 read, 1 set aside, damage false',
      expect.stringMatching(/set aside, damage true/),
      'error: true',
    ]);
    expect(onWorkers).toEqual(inThread);
  });

  it('a file that stops its worker costs only itself, not the files checked in the same chunk', async () => {
    const asked: string[][] = [];
    const ask = async (items: string[]) => {
      asked.push(items);
      return items.includes('bomb')
        ? new WorkerStopped('the check of this file stopped (exit 1)')
        : items.map((i) => `${i} read`);
    };
    const outcomes = await isolatingStops(['a', 'bomb', 'b'], ask);
    expect(outcomes.map((o) => (o instanceof WorkerStopped ? o.message : o))).toEqual([
      'a read',
      'the check of this file stopped (exit 1)',
      'b read',
    ]);
    expect(asked).toEqual([['a', 'bomb', 'b'], ['a'], ['bomb'], ['b']]);
  });
});

describe('checking files in this thread', () => {
  it('lets the event loop turn between files, so a case run by `casefile serve` never holds its requests', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-pool-'));
    const files = await writeOneRecordFiles(dir, 200, (i) => record({ eventName: `n${i}` }));
    let turns = 0;
    let counting = true;
    const count = () => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const outcomes = await gateFiles('cloudtrail', files, (f) => `${f.path}.clean`, 1, { packDir: dir });
    counting = false;
    expect(outcomes.every((o) => !(o instanceof Error) && o?.packed)).toBe(true);
    // Two files are checked at once, each after a turn of the loop: about one turn for every two
    // (half of that asked, so the count never rides on how the turns fall).
    expect(turns).toBeGreaterThanOrEqual(files.length / 4);
  });
});
