import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { InventoriedFile } from '../../../../shared/domain/inventory.js';
import { gateFiles } from '../../../../shared/local/adapters/record-gate-pool.js';
import { listInterior } from '../../../../shared/local/adapters/record-pack.js';
import { writeOneRecordFiles } from '../../../support/delivery-files.js';

const interior = (text: string, layout: string) => {
  const bytes = Buffer.from(text);
  const span = listInterior(bytes, layout, JSON.parse(text));
  return span && bytes.subarray(...span).toString();
};

describe('where a list file’s records lie', () => {
  it('is inside the brackets of a CloudTrail file’s one member, however it is spaced', () => {
    expect(interior('{"Records":[{"a":1},{"b":"]"}]}', 'records-object')).toBe('{"a":1},{"b":"]"}');
    expect(interior('{\n  "Records" : [\n {"a":"[x]"}\n ]\n}\n', 'records-object')).toBe('\n {"a":"[x]"}\n ');
    expect(interior('{"Rec\\u006frds":[{"a":1}]}', 'records-object')).toBe('{"a":1}');
  });

  it('is inside the top-level brackets of a JSON array file', () => {
    expect(interior(' [{"a":[1]},{"b":2}] ', 'json-array')).toBe('{"a":[1]},{"b":2}');
  });

  it('is not given for a file with another member beside the list, or another shape', () => {
    expect(interior('{"Records":[{"a":1}],"Next":"[x]"}', 'records-object')).toBeNull();
    expect(interior('{"Other":[{"a":1}]}', 'records-object')).toBeNull();
    expect(interior('{"Events":[{"CloudTrailEvent":"{}"}]}', 'lookup-events')).toBeNull();
  });
});

describe('packing checked files', () => {
  it.each([
    ['in this thread', 1],
    ['on worker threads', 2],
  ])(
    'appends each list file’s records, their own bytes, to one JSON array the engine reads (%s)',
    async (_, workers) => {
      const dir = await mkdtemp(join(tmpdir(), 'casefile-pack-'));
      const record = (name: string, extra = '') =>
        `{"eventVersion":"1.09","eventTime":"2024-05-01T10:00:00Z","eventSource":"s","eventName":"${name}"${extra}}`;
      // Numbers and escapes as delivered, which a parse and a new serialisation would change.
      const bodies = {
        'a.json.gz': gzipSync(
          `{"Records":[${record('A', ',"requestParameters":{"size":1.50,"id":12345678901234567890}')}]}`,
        ),
        'b.json': Buffer.from(
          `{"Records": [\n${record('B', ',"userAgent":"caf\\u00e9"')},\n${record('C')}\n]}`,
        ),
        'empty.json.gz': gzipSync('{"Records":[]}'),
      };
      const files: InventoriedFile[] = [];
      for (const [name, body] of Object.entries(bodies)) {
        await writeFile(join(dir, name), body);
        files.push({
          path: join(dir, name),
          size: body.length,
          layout: 'records-object',
          compressed: name.endsWith('.gz'),
        });
      }
      const outcomes = await gateFiles('cloudtrail', files, (f) => `${f.path}.clean`, workers, {
        packDir: dir,
        minBytesForWorkers: 0,
      });
      const [a, b, empty] = outcomes.map((o) => (o instanceof Error ? null : o));
      expect([a?.packed, b?.packed, empty?.packed]).toEqual([true, true, undefined]);
      expect(a?.readFrom.path).toBe(b?.readFrom.path);
      expect(a?.readFrom).toMatchObject({ layout: 'json-array', compressed: false });
      const pack = await readFile(a?.readFrom.path as string, 'utf8');
      expect(pack).toContain('"size":1.50,"id":12345678901234567890');
      expect(pack).toContain('"userAgent":"caf\\u00e9"');
      expect((JSON.parse(pack) as { eventName: string }[]).map((r) => r.eventName)).toEqual(['A', 'B', 'C']);
    },
  );

  it('packs a chunk of files at most in this thread too, so one statement never converts a whole source', async () => {
    // Below the worker threshold a source of 64 MB of gzip holds about 800 MB of JSON: as one pack it
    // was one statement, sorted whole, past the bound the conversion's batches keep to.
    const dir = await mkdtemp(join(tmpdir(), 'casefile-pack-'));
    const files = await writeOneRecordFiles(
      dir,
      200,
      (i) =>
        `{"eventVersion":"1.09","eventTime":"2024-05-01T10:00:00Z","eventSource":"s","eventName":"E${i}"}`,
    );
    const outcomes = await gateFiles('cloudtrail', files, (f) => `${f.path}.clean`, 1, { packDir: dir });
    const filesPerPack = new Map<string, number>();
    for (const outcome of outcomes) {
      const path = outcome instanceof Error || !outcome?.packed ? 'not packed' : outcome.readFrom.path;
      filesPerPack.set(path, (filesPerPack.get(path) ?? 0) + 1);
    }
    expect(filesPerPack.has('not packed')).toBe(false);
    expect(Math.max(...filesPerPack.values())).toBeLessThanOrEqual(64);
    const records = await Promise.all(
      [...filesPerPack.keys()].map(async (p) => JSON.parse(await readFile(p, 'utf8'))),
    );
    expect(records.flat()).toHaveLength(200);
  });
});
