import { describe, expect, it } from 'vitest';
import {
  eventsViewOnCopySql,
  onePassCopySql,
  routedViewsSql,
  viewOnCopySql,
} from '../../../shared/aws/athena-one-pass-sql.js';
import { eventClassRouting, routesTaken } from '../../../shared/domain/event-classes.js';
import type { HuntDefinition } from '../../../shared/domain/hunt-definition.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { huntScans } from '../../../shared/hunts/hunt-scan.js';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import { cloudtrailColumnNames } from '../../../shared/sources/cloudtrail-schema.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

/**
 * The CloudTrail copy stores the event id in 16 bytes and the judgements of `cloudtrail_events`
 * (actor, by_aws_service, outcome) computed as it is written; its views must give hunts exactly what
 * the views over the logs as delivered give. Here the statements Athena runs (the CTAS's select, the
 * views over the copy) run on the embedded engine, in a schema named like the case database, over
 * every CloudTrail record of the library's hunt tests, and every row of every view must match.
 */
const DATABASE = 'casefile_case_1';
const hunts = await loadHuntLibrary();
const routing = eventClassRouting(hunts.map((hunt) => ({ huntId: hunt.id, scans: huntScans(hunt) })));
const cloudtrailRecords = (hunt: HuntDefinition) =>
  hunt.tests
    .filter((test) => (test.source ?? hunt.sources[0]) === 'cloudtrail' && !test.lines)
    .flatMap((test) => test.records ?? []);
const pool = hunts.flatMap(cloudtrailRecords);

/** A view's or table's rows as sorted JSON lines, for a comparison that ignores order. */
const rowsOf = async (scratch: ReturnType<typeof useHuntTestEngine>, from: string) =>
  (await scratch.engine.run(`SELECT * FROM ${from}`, { maxRows: 1_000_000 })).rows
    .map((row) => JSON.stringify(row))
    .sort();

describe('the views over the one-pass CloudTrail copy', () => {
  const scratch = useHuntTestEngine('casefile-copy-views-');

  it('give every record of the library’s CloudTrail tests back as the views over the logs do', async () => {
    expect(pool.length).toBeGreaterThan(500);
    await loadTestRecords(scratch.engine, scratch.dir, pool, 'cloudtrail');
    const run = (sql: string) => scratch.engine.execute(sql);
    await run(`CREATE SCHEMA "${DATABASE}"`);
    await run(`CREATE VIEW "${DATABASE}"."cloudtrail" AS SELECT * FROM main."cloudtrail"`);
    // The CTAS's own select (its table properties are Athena's), written to a table of the schema.
    const ctas = onePassCopySql({
      database: DATABASE,
      source: 'cloudtrail',
      copy: 'cloudtrail_copy',
      columns: cloudtrailColumnNames,
      location: 's3://case-bucket/cases/case-1/one-pass/cloudtrail/attempt-1/',
      namedEvents: routing,
    });
    await run(`CREATE TABLE "${DATABASE}"."cloudtrail_copy" AS ${ctas.slice(ctas.indexOf('\nSELECT ') + 1)}`);
    for (const route of routesTaken(routing)) {
      const [cloudtrail, events] = routedViewsSql(DATABASE, route, 'cloudtrail_copy', cloudtrailColumnNames);
      await run(`CREATE SCHEMA IF NOT EXISTS "${/"([^"]+)"\./.exec(cloudtrail ?? '')?.[1]}"`);
      await run(cloudtrail ?? '');
      await run(events ?? '');
    }
    await run(viewOnCopySql(DATABASE, 'cloudtrail', 'cloudtrail_copy', cloudtrailColumnNames));
    await run(eventsViewOnCopySql(DATABASE, 'cloudtrail_copy', cloudtrailColumnNames));

    const expected = await rowsOf(scratch, 'main."cloudtrail_events"');
    expect(expected.length).toBe(pool.length);
    expect(await rowsOf(scratch, `"${DATABASE}"."cloudtrail_events"`)).toEqual(expected);
    expect(await rowsOf(scratch, `"${DATABASE}"."cloudtrail"`)).toEqual(
      await rowsOf(scratch, 'main."cloudtrail"'),
    );
    // The routes' classes together hold every row once: their events views, joined, are the whole.
    const routed = await Promise.all(
      routesTaken(routing).map(async (route) => {
        const [, events] = routedViewsSql(DATABASE, route, 'cloudtrail_copy', cloudtrailColumnNames);
        const view = /VIEW ("[^"]+"\."cloudtrail_events")/.exec(events ?? '')?.[1] ?? '';
        return rowsOf(scratch, view);
      }),
    );
    for (const rows of routed) expect(expected).toEqual(expect.arrayContaining(rows));
  });
});
