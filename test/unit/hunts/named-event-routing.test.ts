import { describe, expect, it } from 'vitest';
import {
  EVENT_CLASS_COLUMN,
  type EventClassRouting,
  eventClassRouting,
  ROUTE_CLASSES,
  routeOf,
} from '../../../shared/domain/event-classes.js';
import type { HuntDefinition, HuntTestCase } from '../../../shared/domain/hunt-definition.js';
import { iocParameter, parseIocs } from '../../../shared/domain/iocs.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { huntScans } from '../../../shared/hunts/hunt-scan.js';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import { eventClassExpression } from '../../../shared/sources/cloudtrail-class-sql.js';
import {
  cloudtrailActivityViewSql,
  cloudtrailEventsViewSql,
} from '../../../shared/sources/cloudtrail-view.js';
import { sqlString } from '../../../shared/sources/source-sql.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

/**
 * In AWS a routed hunt reads a view of the copy holding only some of its classes
 * (shared/domain/event-classes.ts): the flagged rows (an error code, or a person's call) alone, or the
 * rows of the case's named events and patterns. A name or pattern left out of its scan's limit, or a
 * scan wrongly said to require a flagged row, would lose rows silently, so every routed hunt of the
 * library runs here on the full CloudTrail table and on the same table cut down to what its route
 * reads, the rows classed by the copy's own class expression (the CTAS's), and must return the same
 * rows: classed by the hunt's routing alone (the narrowest classes any case could have) and by the
 * routing of the whole library. Its baselines (`cloudtrail_activity`) read every event, as in Athena.
 */
const scanned = (hunt: HuntDefinition) => ({ huntId: hunt.id, scans: huntScans(hunt) });
const hunts = await loadHuntLibrary();
const routing = eventClassRouting(hunts.map(scanned));
const routed = hunts.filter((hunt) => routeOf(routing, hunt.id) !== null);
const flaggedOnly = hunts.filter((hunt) => routeOf(routing, hunt.id) === 'flagged');
/** The rows a hunt's route reads when the copy is classed by `by`. */
const routeCut = (hunt: HuntDefinition, by: EventClassRouting) => {
  const route = routeOf(by, hunt.id);
  if (!route) throw new Error(`${hunt.id} takes no route`);
  const classes = ROUTE_CLASSES[route].map(sqlString).join(', ');
  return `SELECT * EXCLUDE (${EVENT_CLASS_COLUMN}) FROM (SELECT *, ${eventClassExpression('eventname', by)} FROM every_event) WHERE ${EVENT_CLASS_COLUMN} IN (${classes})`;
};
const cloudtrailTests = (hunt: HuntDefinition) =>
  hunt.tests.filter((test) => (test.source ?? hunt.sources[0]) === 'cloudtrail' && !test.lines);
/** Every CloudTrail record of every hunt's tests: the events each hunt must tell apart from its own. */
const pool = hunts.flatMap((hunt) => cloudtrailTests(hunt).flatMap((test) => test.records ?? []));

describe('hunts routed to the named events', () => {
  const scratch = useHuntTestEngine('casefile-named-events-');

  /** Loads records as the hunt tests do, keeps them aside, and answers the hunt on a cut of them. */
  async function load(records: Record<string, unknown>[]) {
    await loadTestRecords(scratch.engine, scratch.dir, records, 'cloudtrail');
    await scratch.engine.execute('CREATE TABLE every_event AS SELECT * FROM "cloudtrail"');
    // A routed hunt's baselines read every event whatever its route (shared/aws/athena-one-pass-sql.ts).
    const whole = (name: string) => (name === 'cloudtrail' ? 'every_event' : `every_${name}`);
    await scratch.engine.execute(cloudtrailEventsViewSql(whole));
    await scratch.engine.execute(cloudtrailActivityViewSql('cloudtrail_activity', 'every_cloudtrail_events'));
  }
  async function rowsOn(hunt: HuntDefinition, test: HuntTestCase | undefined, cut: string | null) {
    await scratch.engine.execute(
      `CREATE OR REPLACE TABLE "cloudtrail" AS ${cut ?? 'SELECT * FROM every_event'}`,
    );
    const iocs = parseIocs(test?.iocs);
    const parameters = (hunt.parameters ?? []).map((type) => iocParameter(iocs, type));
    const result = await scratch.engine.run(hunt.sql, { parameters });
    const events = await scratch.engine.run('SELECT count(*) AS n FROM "cloudtrail"');
    return { rows: result.rows.map((row) => JSON.stringify(row)).sort(), events: Number(events.rows[0]?.n) };
  }

  it('covers the hunts that name their events or require flagged rows: most of the library', () => {
    expect(routed.length).toBeGreaterThanOrEqual(100);
    expect(pool.length).toBeGreaterThan(routed.length);
  });

  it('reads the flagged class alone for the hunts of failed calls and long-term credentials', () => {
    expect(flaggedOnly.map((hunt) => hunt.id)).toEqual(
      expect.arrayContaining([
        'access-denied-burst',
        'principal-new-source-address',
        'principal-new-user-agent',
        'root-account-usage',
      ]),
    );
  });

  for (const hunt of routed) {
    const classes = routeOf(routing, hunt.id) === 'flagged' ? 'the flagged rows' : 'its route’s classes';
    it(`${hunt.id} returns the same rows from ${classes} alone`, { timeout: 60_000 }, async () => {
      const own = eventClassRouting([scanned(hunt)]);
      for (const test of cloudtrailTests(hunt)) {
        await load(test.records ?? []);
        const full = await rowsOn(hunt, test, null);
        expect((await rowsOn(hunt, test, routeCut(hunt, own))).rows, test.name).toEqual(full.rows);
      }
      await load(pool);
      const withIocs = hunt.tests.find((test) => test.iocs) ?? cloudtrailTests(hunt)[0];
      const full = await rowsOn(hunt, withIocs, null);
      const alone = await rowsOn(hunt, withIocs, routeCut(hunt, own));
      const library = await rowsOn(hunt, withIocs, routeCut(hunt, routing));
      expect(alone.events, 'the cut leaves out the other hunts’ events').toBeLessThan(full.events);
      expect(alone.rows).toEqual(full.rows);
      expect(library.rows).toEqual(full.rows);
    });
  }
});
