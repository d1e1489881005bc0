import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { DuckDbQueryEngine } from '../../shared/local/adapters/duckdb-query-engine.js';
import { openHuntTestEngine } from '../../shared/local/app/hunt-test-runner.js';

/** The engine a spec runs hunts on, and the folder the records it loads are written to. */
export interface HuntTestScratch {
  engine: DuckDbQueryEngine;
  dir: string;
}

/**
 * Opens the hunt-test engine and a scratch folder before the enclosing describe's tests (its own
 * `beforeAll` hooks run after, with both ready) and closes and removes them after.
 */
export function useHuntTestEngine(prefix: string): HuntTestScratch {
  const scratch = {} as HuntTestScratch;
  beforeAll(async () => {
    scratch.engine = await openHuntTestEngine();
    scratch.dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    scratch.engine.close();
    await rm(scratch.dir, { recursive: true, force: true });
  });
  return scratch;
}
