import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../../shared/local/adapters/duckdb-query-engine.js';
import { cloudtrailSource } from '../../../shared/sources/cloudtrail-source.js';
import { fixtureData } from '../../support/fixture-data.js';
import { withBuiltFolder } from '../../support/source-harness.js';

// Stratus Red Team detonation logs: DataDog/stratus-red-team, Apache-2.0.
const delivered = fixtureData('stratus-red-team/records_gz/aws.persistence.iam-create-admin-user.json.gz');
const records = JSON.parse(gunzipSync(readFileSync(delivered)).toString('utf8')).Records as Record<
  string,
  unknown
>[];

/** What `aws cloudtrail lookup-events` prints for the same events: each record as JSON text. */
function lookupEventsOutput(): string {
  const events = records.map((r) => ({
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly),
    EventTime: Date.parse(String(r.eventTime)) / 1000,
    EventSource: r.eventSource,
    Resources: [],
    CloudTrailEvent: JSON.stringify(r),
  }));
  return JSON.stringify({ Events: events, NextToken: 'eyJOZXh0VG9rZW4iOiBudWxsfQ==' }, null, 4);
}

describe('CloudTrail records in every shape a responder is handed', () => {
  const engines: DuckDbQueryEngine[] = [];
  afterAll(() => {
    for (const engine of engines) engine.close();
  });

  async function rows(path: string, layout: string, compressed: boolean) {
    const engine = await DuckDbQueryEngine.open({ threads: 1 });
    engines.push(engine);
    const select = cloudtrailSource.duckdbSelect([path], layout, compressed);
    return (await engine.run(`SELECT * FROM (${select}) ORDER BY eventid`)).rows;
  }

  it('recognises lookup-events output by its content', () => {
    expect(cloudtrailSource.detect(lookupEventsOutput().slice(0, 16_384))).toBe('lookup-events');
    expect(cloudtrailSource.detect('{"Events": [{"EventId": "1", "EventName": "x"}]}')).toBeNull();
  });

  it('reads lookup-events output into exactly the rows of the delivered file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-lookup-'));
    const lookup = join(dir, 'lookup-events.json');
    await writeFile(lookup, lookupEventsOutput());
    const fromDelivery = await rows(delivered, 'records-object', true);
    expect(fromDelivery).toHaveLength(records.length);
    expect(await rows(lookup, 'lookup-events', false)).toEqual(fromDelivery);
  });

  it('reads a bare array and one record per line into the same rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-shapes-'));
    await writeFile(join(dir, 'array.json'), JSON.stringify(records));
    await writeFile(join(dir, 'lines.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
    const fromDelivery = await rows(delivered, 'records-object', true);
    expect(await rows(join(dir, 'array.json'), 'json-array', false)).toEqual(fromDelivery);
    expect(await rows(join(dir, 'lines.jsonl'), 'json-lines', false)).toEqual(fromDelivery);
  });
});

describe('CloudTrail as the embedded engine stores it', () => {
  it('is sorted by event name in each Parquet part, so a hunt naming its API calls skips the other row groups', async () => {
    await withBuiltFolder(fixtureData('stratus-red-team/records_gz'), async (built) => {
      const [table] = built.tables.tables;
      const parts = join(table?.locations[0] ?? '', '*.parquet');
      const { rows } = await built.engine.run(
        `SELECT eventname, filename, file_row_number FROM read_parquet(?, filename = true, file_row_number = true) ORDER BY filename, file_row_number`,
        { parameters: [parts] },
      );
      expect(rows.length).toBeGreaterThan(100);
      const names = new Set(rows.map((r) => r.eventname));
      expect(names.size).toBeGreaterThan(10);
      const outOfOrder = rows.filter((r, i) => {
        const before = rows[i - 1];
        return (
          before !== undefined &&
          before.filename === r.filename &&
          (before.eventname ?? '') > (r.eventname ?? '')
        );
      });
      expect(outOfOrder).toEqual([]);
    });
  });
});
