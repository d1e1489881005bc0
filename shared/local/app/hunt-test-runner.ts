import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HuntDefinition, HuntTestCase } from '../../domain/hunt-definition.js';
import { iocParameter, parseIocs } from '../../domain/iocs.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import { cloudtrailActivityViewSql, cloudtrailEventsViewSql } from '../../sources/cloudtrail-view.js';
import { logSourceModule } from '../../sources/registry.js';
import { DuckDbQueryEngine } from '../adapters/duckdb-query-engine.js';

export interface HuntTestOutcome {
  huntId: string;
  test: string;
  passed: boolean;
  detail: string;
}

/**
 * Runs a hunt's inline tests on the embedded engine: the test records are written as a delivered
 * file, recognised by the source's own detector, read by the same reader as real files, and then
 * the hunt's Athena SQL runs unchanged. One engine serves every test (opening one per test costs
 * more than the test); each test starts from no tables at all.
 */
export async function runHuntTests(
  hunt: HuntDefinition,
  engine: DuckDbQueryEngine,
): Promise<HuntTestOutcome[]> {
  const dir = await mkdtemp(join(tmpdir(), 'casefile-hunt-test-'));
  try {
    const outcomes: HuntTestOutcome[] = [];
    for (const test of hunt.tests) outcomes.push(await runOne(engine, dir, hunt, test));
    return outcomes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The engine the hunt tests share: small, single-threaded, so tests stay cheap beside each other. */
export function openHuntTestEngine(): Promise<DuckDbQueryEngine> {
  return DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
}

async function runOne(
  engine: DuckDbQueryEngine,
  dir: string,
  hunt: HuntDefinition,
  test: HuntTestCase,
): Promise<HuntTestOutcome> {
  try {
    const source = test.source ?? hunt.sources[0] ?? 'cloudtrail';
    await loadTestRecords(engine, dir, test.records ?? [], source, test.lines);
    const iocs = parseIocs(test.iocs);
    const parameters = (hunt.parameters ?? []).map((type) => iocParameter(iocs, type));
    const result = await engine.run(hunt.sql, { parameters });
    const matched = result.rowCount > 0;
    const passed = matched === (test.expect === 'match');
    const detail = `${result.rowCount} row(s); expected ${test.expect === 'match' ? 'at least one' : 'none'}`;
    return { huntId: hunt.id, test: test.name, passed, detail };
  } catch (error) {
    return { huntId: hunt.id, test: test.name, passed: false, detail: (error as Error).message };
  }
}

/**
 * Loads test records into the source's table, the only table left: a hunt that reads another
 * source's table finds none rather than an earlier test's rows. An empty CloudTrail `Records` list
 * still gives a table with every column, so a no-match test with no records is valid.
 */
export async function loadTestRecords(
  engine: DuckDbQueryEngine,
  dir: string,
  records: Record<string, unknown>[],
  source: LogSourceId = 'cloudtrail',
  lines?: string[],
): Promise<void> {
  const file = join(dir, `${source}-records`);
  const content = lines
    ? `${lines.join('\n')}\n`
    : source === 'cloudtrail'
      ? JSON.stringify({ Records: records })
      : `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
  await dropEveryTable(engine);
  await writeFile(file, content);
  const module = logSourceModule(source);
  const layout =
    module.detect(content) ?? (source === 'cloudtrail' && records.length === 0 ? 'records-object' : null);
  if (!layout) throw new Error(`The ${source} detector does not recognise this test's records as ${source}.`);
  await engine.execute(
    `CREATE OR REPLACE TABLE "${source}" AS ${module.duckdbSelect([file], layout, false)}`,
  );
  if (source === 'cloudtrail') {
    await engine.execute(cloudtrailEventsViewSql());
    await engine.execute(cloudtrailActivityViewSql('"cloudtrail_activity"', '"cloudtrail_events"'));
  }
}

async function dropEveryTable(engine: DuckDbQueryEngine): Promise<void> {
  const { rows } = await engine.run(
    "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_type = 'VIEW' DESC",
  );
  for (const { table_name: table, table_type: type } of rows) {
    const kind = type === 'VIEW' ? 'VIEW' : 'TABLE';
    await engine.execute(`DROP ${kind} "${String(table).replaceAll('"', '""')}"`);
  }
}
