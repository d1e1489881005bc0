import { describe, expect, it } from 'vitest';
import { caseFiles } from '../../../shared/domain/case-files.js';
import { MAX_EXECUTION_PARAMETER_LENGTH, quotedParameter } from '../../../shared/domain/query-parameters.js';
import { QueryFailedError } from '../../../shared/errors.js';
import { readCaseFile, writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { runHunt } from '../../../shared/workflow/run-hunt.js';
import {
  fakeCaseAdapters,
  queryResult,
  ScriptedQueryEngine,
  testContext,
} from '../../support/fake-case-adapters.js';

const files = caseFiles('case-1');
const rootEvent = (eventid: string, actor: string) => ({
  event_time: '2024-05-01T10:00:00.000Z',
  event_name: 'ConsoleLogin',
  actor,
  source_ip: '203.0.113.7',
  account_id: '111122223333',
  region: 'us-east-1',
  eventid,
});

const emptyTables = {
  tables: [],
  skipped: [],
  exports: [],
  huntsToRun: [],
  huntsNotRun: [],
  coverage: [],
  durationMs: 1,
};

describe('runHunt', () => {
  it('files the rows as CSV and the record with the exact query, its parameters and a sample', async () => {
    const engine = new ScriptedQueryEngine(() =>
      queryResult([rootEvent('e-1', 'arn:aws:iam::111122223333:root')], {
        durationMs: 12,
        bytesScanned: 2048,
      }),
    );
    const adapters = fakeCaseAdapters({ engine });

    const outcome = await runHunt(testContext, 'root-account-usage', adapters);

    expect(outcome).toEqual({
      huntId: 'root-account-usage',
      status: 'SUCCEEDED',
      severity: 'high',
      rowCount: 1,
    });
    const record = await readCaseFile(adapters.store, files.huntResult('root-account-usage'));
    expect(record).toMatchObject({
      status: 'SUCCEEDED',
      engine: 'duckdb',
      query: engine.queries[0]?.sql,
      parameters: [],
      rowCount: 1,
      sample: [rootEvent('e-1', 'arn:aws:iam::111122223333:root')],
      resultsFile: 'hunts/root-account-usage.csv',
      durationMs: 12,
      bytesScanned: 2048,
      error: null,
    });
    expect(adapters.store.text('case-1/hunts/root-account-usage.csv').split('\r\n')[0]).toBe(
      'event_time,event_name,actor,source_ip,account_id,region,eventid',
    );
  });

  it('leaves allowlisted rows out of the CSV and the count, and counts them with the entry that matched', async () => {
    const engine = new ScriptedQueryEngine(() =>
      queryResult([
        rootEvent('e-1', 'arn:aws:iam::111122223333:root'),
        rootEvent('e-2', 'arn:aws:iam::999:root'),
      ]),
    );
    const adapters = fakeCaseAdapters({ engine });
    await writeCaseFile(adapters.store, files.allowlist, { principals: ['arn:aws:iam::999:*'] });

    const outcome = await runHunt(testContext, 'root-account-usage', adapters);

    expect(outcome.rowCount).toBe(1);
    const record = await readCaseFile(adapters.store, files.huntResult('root-account-usage'));
    expect(record.suppressedByAllowlist).toEqual({
      count: 1,
      sample: [{ entry: 'principal arn:aws:iam::999:*', eventid: 'e-2', actor: 'arn:aws:iam::999:root' }],
    });
    expect(adapters.store.text('case-1/hunts/root-account-usage.csv')).not.toContain('e-2');
  });

  it('runs a hunt on the engine of the route CreateTables gave it, and a hunt without one on the case engine', async () => {
    const answer = () => queryResult([rootEvent('e-1', 'arn:aws:iam::111122223333:root')]);
    const whole = new ScriptedQueryEngine(answer);
    const named = new ScriptedQueryEngine(answer);
    const flagged = new ScriptedQueryEngine(answer);
    const heavy = new ScriptedQueryEngine(() => new Error('no hunt takes this route'));
    const adapters = fakeCaseAdapters({
      engine: whole,
      routedEngine: (route) => ({ named, flagged, 'named-and-heavy': heavy, 'heavy-patterns': heavy })[route],
    });

    await runHunt(testContext, 'root-account-usage', adapters, 'flagged');
    await runHunt(testContext, 'iam-user-created', adapters, 'named');
    await runHunt(testContext, 'iam-access-key-created-for-another-user', adapters, null);

    expect(flagged.queries.map((q) => q.sql)).toHaveLength(1);
    expect(named.queries.map((q) => q.sql)).toHaveLength(1);
    expect(whole.queries.map((q) => q.sql)).toHaveLength(1);
    const toFlagged = await readCaseFile(adapters.store, files.huntResult('root-account-usage'));
    const toNamed = await readCaseFile(adapters.store, files.huntResult('iam-user-created'));
    const other = await readCaseFile(
      adapters.store,
      files.huntResult('iam-access-key-created-for-another-user'),
    );
    expect(flagged.queries[0]?.sql).toBe(toFlagged.query);
    expect(named.queries[0]?.sql).toBe(toNamed.query);
    expect(whole.queries[0]?.sql).toBe(other.query);
    expect(toFlagged.eventClasses).toEqual(['flagged', 'named_flagged']);
    expect(toNamed.eventClasses).toEqual(['named', 'named_flagged']);
    expect(other.eventClasses).toBeUndefined();
  });

  it('runs a hunt limited by a heavy pattern on the heavy-patterns route, which reads every class but other', async () => {
    const answer = () => queryResult([]);
    const heavyPatterns = new ScriptedQueryEngine(answer);
    const other = new ScriptedQueryEngine(() => new Error('no hunt takes this route'));
    const adapters = fakeCaseAdapters({
      engine: other,
      routedEngine: (route) => (route === 'heavy-patterns' ? heavyPatterns : other),
    });

    await runHunt(testContext, 'offensive-tool-user-agent', adapters, 'heavy-patterns');

    expect(heavyPatterns.queries).toHaveLength(1);
    const record = await readCaseFile(adapters.store, files.huntResult('offensive-tool-user-agent'));
    expect(record.eventClasses).toEqual(['named', 'named_heavy', 'named_flagged', 'flagged']);
  });

  it('reads the routing of a tables.json written before patterns were routed: no pattern, no heavy-pattern hunt', async () => {
    const adapters = fakeCaseAdapters({});
    const older = {
      ...emptyTables,
      namedEvents: {
        names: ['CreateUser'],
        heavyNames: [],
        hunts: ['iam-user-created'],
        heavyHunts: [],
        flaggedHunts: [],
      },
    };
    await adapters.store.put(files.tables.key, JSON.stringify(older), 'application/json');

    expect((await readCaseFile(adapters.store, files.tables)).namedEvents).toMatchObject({
      patterns: [],
      heavyPatterns: [],
      heavyPatternHunts: [],
    });
  });

  it('runs a hunt given no route on the case engine, and files no event classes for it', async () => {
    const whole = new ScriptedQueryEngine(() => queryResult([]));
    const named = new ScriptedQueryEngine(() => new Error('no query was expected here'));
    const adapters = fakeCaseAdapters({ engine: whole, routedEngine: () => named });

    await runHunt(testContext, 'root-account-usage', adapters);

    expect(whole.queries).toHaveLength(1);
    expect(named.queries).toHaveLength(0);
  });

  it('lets a failing query fail the step by its error name, and files nothing', async () => {
    const adapters = fakeCaseAdapters({
      engine: new ScriptedQueryEngine(() => new QueryFailedError('TABLE_NOT_FOUND: cloudtrail')),
    });

    await expect(runHunt(testContext, 'root-account-usage', adapters)).rejects.toMatchObject({
      name: 'QueryFailedError',
    });
    expect(await adapters.store.list('case-1/')).toEqual([]);
  });

  describe('a pivot over indicator lists longer than one query parameter', () => {
    // 80 access keys do not fit one Athena parameter: the hunt runs once per slice, and once for the address.
    const accessKeyIds = Array.from({ length: 80 }, (_, i) => `AKIA${String(i).padStart(16, '0')}`);
    const context = { ...testContext, iocs: { accessKeyIds, ips: ['203.0.113.7'] } };
    const event = (eventid: string, time: string, matched: string) => ({
      event_time: time,
      event_name: 'GetObject',
      actor: 'arn:aws:iam::111122223333:user/build',
      eventid,
      matched_ioc: matched,
    });

    it('merges the runs: one row per event, naming every indicator it matched, in time order', async () => {
      const engine = new ScriptedQueryEngine((_sql, { parameters = [] }) => {
        const [keys, , ips] = parameters as string[];
        if (keys?.includes('AKIA0000000000000003'))
          return queryResult([event('e-late', '2024-05-01T12:00:00Z', 'AKIA0000000000000003')], {
            durationMs: 10,
            bytesScanned: 100,
          });
        if (ips)
          return queryResult(
            [
              event('e-early', '2024-05-01T08:00:00Z', '203.0.113.7'),
              event('e-late', '2024-05-01T12:00:00Z', '203.0.113.7'),
            ],
            { durationMs: 20, bytesScanned: 300 },
          );
        return queryResult([], { durationMs: 1, bytesScanned: 0 });
      });
      const adapters = fakeCaseAdapters({ engine });

      const outcome = await runHunt(context, 'ioc-cloudtrail-activity', adapters);

      expect(engine.queries.length).toBeGreaterThanOrEqual(3);
      for (const { parameters } of engine.queries)
        for (const value of parameters ?? [])
          expect(quotedParameter(String(value)).length).toBeLessThanOrEqual(MAX_EXECUTION_PARAMETER_LENGTH);
      expect(outcome).toMatchObject({ status: 'SUCCEEDED', rowCount: 2 });
      const record = await readCaseFile(adapters.store, files.huntResult('ioc-cloudtrail-activity'));
      expect(record.sample.map((r) => [r.eventid, r.matched_ioc])).toEqual([
        ['e-early', '203.0.113.7'],
        ['e-late', '203.0.113.7, AKIA0000000000000003'],
      ]);
      expect(record.bytesScanned).toBe(400);
    });

    it('never applies the allowlist to an indicator’s own activity', async () => {
      const engine = new ScriptedQueryEngine(() =>
        queryResult([event('e-1', '2024-05-01T08:00:00Z', '203.0.113.7')]),
      );
      const adapters = fakeCaseAdapters({ engine });
      await writeCaseFile(adapters.store, files.allowlist, {
        principals: ['arn:aws:iam::111122223333:user/*'],
      });

      const outcome = await runHunt(
        { ...testContext, iocs: { ips: ['203.0.113.7'] } },
        'ioc-cloudtrail-activity',
        adapters,
      );

      expect(outcome.rowCount).toBe(1);
    });
  });
});
