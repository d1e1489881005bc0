import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HuntDefinition, HuntTestCase } from '../hunts/hunt-definition.js';
import { selectCloudTrailRecords } from './duckdb-cloudtrail.js';
import { DuckDbQueryEngine } from './duckdb-query-engine.js';

export interface HuntTestOutcome {
  huntId: string;
  test: string;
  passed: boolean;
  detail: string;
}

/**
 * Runs a hunt's inline tests on the embedded engine: the test records go through the same reader
 * as real files, then the hunt's Athena SQL runs unchanged.
 */
export async function runHuntTests(hunt: HuntDefinition): Promise<HuntTestOutcome[]> {
  const outcomes: HuntTestOutcome[] = [];
  for (const test of hunt.tests) outcomes.push(await runOne(hunt, test));
  return outcomes;
}

async function runOne(hunt: HuntDefinition, test: HuntTestCase): Promise<HuntTestOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'casefile-hunt-test-'));
  const engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
  try {
    await loadTestRecords(engine, dir, test.records);
    const result = await engine.run(hunt.sql);
    const matched = result.rowCount > 0;
    const passed = matched === (test.expect === 'match');
    const detail = `${result.rowCount} row(s); expected ${test.expect === 'match' ? 'at least one' : 'none'}`;
    return { huntId: hunt.id, test: test.name, passed, detail };
  } catch (error) {
    return { huntId: hunt.id, test: test.name, passed: false, detail: (error as Error).message };
  } finally {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** An empty `cloudtrail` table still has every column, so a no-match test with no records is valid. */
export async function loadTestRecords(
  engine: DuckDbQueryEngine,
  dir: string,
  records: Record<string, unknown>[],
): Promise<void> {
  const file = join(dir, 'records.json');
  await writeFile(file, JSON.stringify({ Records: records }));
  await engine.execute(`CREATE OR REPLACE TABLE cloudtrail AS ${selectCloudTrailRecords([file], 'records-object', false)}`);
}
