/**
 * Every routed hunt of the library, over the records of every hunt's inline tests at once: the rows
 * its route's schema gives are the rows every event gives. A hunt's own tests run over every event
 * (shared/local/app/hunt-test-runner.ts), so a route too narrow for a hunt would pass them and still
 * lose its findings in a case; these records are the events each hunt was written to find, and
 * those of the hunts beside it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaseContext } from '../../../../shared/domain/case.js';
import {
  type EventClassRouting,
  eventClassRouting,
  routeOf,
} from '../../../../shared/domain/event-classes.js';
import type { HuntDefinition } from '../../../../shared/domain/hunt-definition.js';
import { iocParameter, parseIocs } from '../../../../shared/domain/iocs.js';
import { loadHuntLibrary } from '../../../../shared/hunts/hunt-library.js';
import { huntScans } from '../../../../shared/hunts/hunt-scan.js';
import { DuckDbQueryEngine } from '../../../../shared/local/adapters/duckdb-query-engine.js';
import { DuckDbTableBuilder, routedSchema } from '../../../../shared/local/adapters/duckdb-table-builder.js';
import { FolderInventory } from '../../../../shared/local/adapters/folder-inventory.js';

let work: string;
let engine: DuckDbQueryEngine;
let library: HuntDefinition[];
let routing: EventClassRouting;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'casefile-routed-hunt-tests-'));
  library = await loadHuntLibrary();
  routing = eventClassRouting(library.map((h) => ({ huntId: h.id, scans: huntScans(h) })));
  const logs = join(work, 'logs');
  await mkdir(logs, { recursive: true });
  let file = 0;
  for (const hunt of library) {
    for (const test of hunt.tests) {
      if ((test.source ?? hunt.sources[0]) !== 'cloudtrail' || !test.records?.length) continue;
      file += 1;
      await writeFile(join(logs, `test-${file}.json`), JSON.stringify({ Records: test.records }));
    }
  }
  engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1, maxConcurrentQueries: 4 });
  const context = openCaseContext({}, 'duckdb', new Date('2025-06-01T00:00:00Z'));
  const inventory = await new FolderInventory(logs).discover(context);
  const built = await new DuckDbTableBuilder(engine, join(work, 'tables')).build(context, inventory, routing);
  expect(built.classed).toEqual(['cloudtrail']);
}, 120_000);

afterAll(async () => {
  engine.close();
  await rm(work, { recursive: true, force: true });
});

describe('the routed hunts of the library, over the events their inline tests were written to find', () => {
  it('find in their route’s schema every row they find over every event', async () => {
    let routed = 0;
    let found = 0;
    for (const hunt of library) {
      const route = routeOf(routing, hunt.id);
      if (!route) continue;
      const iocs = parseIocs(hunt.tests.find((t) => t.iocs)?.iocs ?? {});
      const parameters = (hunt.parameters ?? []).map((type) => iocParameter(iocs, type));
      const everywhere = await engine.run(hunt.sql, { parameters, maxRows: 100_000 });
      const inRoute = await engine
        .inSchema(routedSchema(route))
        .run(hunt.sql, { parameters, maxRows: 100_000 });
      const sorted = (rows: typeof everywhere.rows) => rows.map((r) => JSON.stringify(r)).sort();
      expect(sorted(inRoute.rows), `${hunt.id} (${route})`).toEqual(sorted(everywhere.rows));
      routed += 1;
      if (everywhere.rowCount > 0) found += 1;
    }
    // Most routed hunts find their own test's events among all of them: the comparison is of found rows.
    expect(found).toBeGreaterThan(routed / 2);
  }, 300_000);

  it('find the same rows when routed and unrouted queries run side by side, each on its own connection', async () => {
    const hunts = library.filter((h) => routeOf(routing, h.id) && !h.parameters?.length);
    const runs = (hunt: HuntDefinition) => {
      const route = routeOf(routing, hunt.id);
      return [engine, ...(route ? [engine.inSchema(routedSchema(route))] : [])];
    };
    const rowsOf = (rows: Record<string, string | null>[]) => rows.map((r) => JSON.stringify(r)).sort();
    const alone: string[][] = [];
    for (const hunt of hunts)
      for (const on of runs(hunt)) alone.push(rowsOf((await on.run(hunt.sql, { maxRows: 100_000 })).rows));
    const together = await Promise.all(
      hunts.flatMap((hunt) =>
        runs(hunt).map(async (on) => rowsOf((await on.run(hunt.sql, { maxRows: 100_000 })).rows)),
      ),
    );
    expect(together).toEqual(alone);
  }, 300_000);
});
