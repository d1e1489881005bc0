import pkg from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  behaviourHuntColumns,
  type HuntDefinition,
  requiredLeadingColumns,
} from '../../../shared/domain/hunt-definition.js';
import { iocParameter, parseIocs } from '../../../shared/domain/iocs.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import type { DuckDbQueryEngine } from '../../../shared/local/adapters/duckdb-query-engine.js';
import {
  loadTestRecords,
  openHuntTestEngine,
  runHuntTests,
} from '../../../shared/local/app/hunt-test-runner.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

const { Parser } = pkg;

/** Raised as the library grows, so a hunt file that stops loading is noticed. */
const MINIMUM_HUNTS = 130;
/** Behaviour hunts list a sample of the events behind a row, never all of them. */
const MAXIMUM_EVENTIDS = 50;

const hunts = await loadHuntLibrary();
const byId = (list: HuntDefinition[]) => list.map((hunt) => [hunt.id, hunt] as const);

function firstPositiveTest(hunt: HuntDefinition) {
  const positive = hunt.tests.find((test) => test.expect === 'match');
  if (!positive) throw new Error(`${hunt.id} has no positive test`);
  return positive;
}

describe('hunt library', () => {
  it(`holds at least ${MINIMUM_HUNTS} hunts`, () => {
    expect(hunts.length).toBeGreaterThanOrEqual(MINIMUM_HUNTS);
  });

  it.each(byId(hunts))('%s is valid Athena (Trino) SQL', (_id, hunt) => {
    expect(() => new Parser().astify(hunt.sql, { database: 'trino' })).not.toThrow();
  });
});

/**
 * A failed call changed nothing, so a CloudTrail event hunt of medium severity or higher must show,
 * with a near miss, that it leaves its own calls out when they fail. The exceptions report something
 * other than a change, where a denied call is as telling as one that went through.
 */
const attemptsAreEvidence = new Set(['offensive-tool-user-agent']);
const failedCall = (record: Record<string, unknown>) =>
  Boolean(record.errorCode) || /"Failure"/.test(JSON.stringify(record.responseElements ?? null));

describe('denied calls are attempts, not changes', () => {
  const changeHunts = hunts.filter(
    (h) =>
      h.kind === 'event' &&
      h.sources.includes('cloudtrail') &&
      ['medium', 'high', 'critical'].includes(h.severity) &&
      !attemptsAreEvidence.has(h.id),
  );

  it.each(byId(changeHunts))('%s has a near miss made of failed calls', (_id, hunt) => {
    const nearMisses = hunt.tests.filter(
      (test) => test.expect === 'no-match' && (test.records ?? []).some(failedCall),
    );
    expect(nearMisses.map((test) => test.name)).not.toEqual([]);
  });
});

describe('hunt result columns', () => {
  const scratch = useHuntTestEngine('casefile-hunt-columns-');

  async function runOnPositiveTest(hunt: HuntDefinition) {
    const test = firstPositiveTest(hunt);
    const records = test.records ?? [];
    await loadTestRecords(scratch.engine, scratch.dir, records, test.source ?? hunt.sources[0], test.lines);
    const iocs = parseIocs(test.iocs);
    const parameters = (hunt.parameters ?? []).map((type) => iocParameter(iocs, type));
    const result = await scratch.engine.run(hunt.sql, { parameters });
    const knownIds = new Set(records.map((record) => record.eventID));
    return { result, knownIds, hasEventIds: knownIds.size > 0 && !knownIds.has(undefined) };
  }

  // CloudTrail rows carry `eventid` and `outcome`; other sources name their own record id column.
  it.each(byId(hunts.filter((h) => h.kind !== 'behaviour')))(
    '%s leads with the timeline columns',
    async (_id, hunt) => {
      const { result, knownIds, hasEventIds } = await runOnPositiveTest(hunt);
      const expected = requiredLeadingColumns(hunt.kind, hunt.sources);
      expect(result.columns.slice(0, expected.length)).toEqual([...expected]);
      expect(result.rowCount).toBeGreaterThan(0);
      if (hasEventIds) for (const row of result.rows) expect(knownIds).toContain(row.eventid);
    },
  );

  it.each(byId(hunts.filter((h) => h.kind === 'behaviour')))(
    '%s leads with the behaviour columns',
    async (_id, hunt) => {
      const { result, knownIds, hasEventIds } = await runOnPositiveTest(hunt);
      expect(result.columns.slice(0, behaviourHuntColumns.length)).toEqual([...behaviourHuntColumns]);
      expect(result.rowCount).toBeGreaterThan(0);
      for (const row of result.rows) {
        const ids = (row.eventids ?? '').split(',');
        expect(ids.length).toBeGreaterThan(0);
        expect(ids.length).toBeLessThanOrEqual(MAXIMUM_EVENTIDS);
        if (hasEventIds) for (const id of ids) expect(knownIds).toContain(id);
      }
    },
  );
});

describe('hunt inline tests', () => {
  let engine: DuckDbQueryEngine;
  beforeAll(async () => {
    engine = await openHuntTestEngine();
  });
  afterAll(() => engine.close());

  for (const hunt of hunts) {
    it(hunt.id, { timeout: 60_000 }, async () => {
      const failures = (await runHuntTests(hunt, engine)).filter((outcome) => !outcome.passed);
      expect(failures.map((f) => `${f.test}: ${f.detail}`)).toEqual([]);
    });
  }
});
