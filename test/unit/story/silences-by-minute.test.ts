import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../../shared/local/adapters/duckdb-query-engine.js';
import { silencesSql } from '../../../shared/story/story-queries.js';

/** The definition the minute fold must keep: a window over every record, consecutive records paired. */
function silencesOverEveryRecord(perRegion: boolean): string {
  const partition = perRegion ? 'c.recipientaccountid, c.awsregion' : 'c.recipientaccountid';
  return `
  SELECT account_id, region, previous_time AS silence_from, event_time AS silence_to
  FROM (
    SELECT c.recipientaccountid AS account_id, ${perRegion ? 'c.awsregion' : "'*'"} AS region,
      c.eventtime AS event_time,
      lag(c.eventtime) OVER (PARTITION BY ${partition} ORDER BY c.eventtime) AS previous_time
    FROM cloudtrail c
  ) t
  WHERE previous_time IS NOT NULL
    AND date_diff('second', try(from_iso8601_timestamp(previous_time)), try(from_iso8601_timestamp(event_time))) > ?
  ORDER BY account_id, region, silence_from, silence_to`;
}

/** Records of three accounts and regions: bursts, pauses of every length, bad and missing times. */
function records(): string[] {
  let seed = 7;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const rows: string[] = [];
  for (const account of ['111122223333', '444455556666', '777788889999']) {
    for (const region of ['us-east-1', 'eu-west-1']) {
      let t = Date.parse('2024-05-01T00:00:00Z');
      for (let i = 0; i < 400; i++) {
        // Mostly seconds apart, sometimes minutes, now and then hours: every kind of gap.
        const r = random();
        t += r < 0.8 ? random() * 20_000 : r < 0.95 ? random() * 1_800_000 : random() * 14_400_000;
        const time = new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
        rows.push(`('${account}', '${region}', '${time}')`);
      }
      rows.push(`('${account}', '${region}', 'not a time')`, `('${account}', '${region}', NULL)`);
    }
  }
  return rows;
}

describe('silences folded into minutes (a case of 10 million events stays within memory)', () => {
  let engine: DuckDbQueryEngine;
  beforeAll(async () => {
    engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
    await engine.execute(
      'CREATE TABLE cloudtrail (recipientaccountid VARCHAR, awsregion VARCHAR, eventtime VARCHAR)',
    );
    await engine.execute(`INSERT INTO cloudtrail VALUES ${records().join(', ')}`);
  });
  afterAll(() => engine.close?.());

  for (const perRegion of [false, true]) {
    for (const seconds of [60, 600, 3600]) {
      it(`find exactly the silences a window over every record finds (${perRegion ? 'per region' : 'per account'}, over ${seconds} s)`, async () => {
        const parameters = [seconds];
        const expected = await engine.run(silencesOverEveryRecord(perRegion), {
          parameters,
          maxRows: 100_000,
        });
        const folded = await engine.run(silencesSql(perRegion), { parameters, maxRows: 100_000 });
        expect(expected.rows.length).toBeGreaterThan(3);
        expect(folded.rows).toEqual(expected.rows);
      });
    }
  }
});
