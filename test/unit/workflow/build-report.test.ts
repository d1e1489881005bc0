import { describe, expect, it } from 'vitest';
import { openedCaseRecord } from '../../../shared/domain/case-files/case-record.js';
import { caseFiles } from '../../../shared/domain/case-files.js';
import type { CoverageEntry } from '../../../shared/domain/coverage.js';
import { toCsv } from '../../../shared/domain/csv.js';
import type { HuntResultRecord } from '../../../shared/domain/hunt-result.js';
import { readCaseFile, writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { buildReport } from '../../../shared/workflow/build-report.js';
import {
  fakeCaseAdapters,
  queryResult,
  ScriptedQueryEngine,
  testContext,
} from '../../support/fake-case-adapters.js';

const files = caseFiles('case-1');
const eksaudit = (status: CoverageEntry['status']): CoverageEntry => ({
  source: 'eksaudit',
  title: 'EKS audit logs',
  status,
  detail: '',
  consequence: status === 'present' ? null : 'Kubernetes API calls cannot be investigated.',
});
const rootUsage: HuntResultRecord = {
  huntId: 'root-account-usage',
  title: 'Root user activity',
  description: 'Calls made as root.',
  severity: 'high',
  kind: 'event',
  mitre: ['T1078.004'],
  tactics: ['initial-access'],
  triage: 'Ask the account owner.',
  status: 'SUCCEEDED',
  engine: 'duckdb',
  query: 'SELECT 1',
  parameters: [],
  rowCount: 1,
  truncated: false,
  columns: ['event_time', 'event_name', 'actor', 'eventid'],
  sample: [{ event_time: '2024-05-01T10:00:00Z', event_name: 'ConsoleLogin', actor: 'root', eventid: 'e-1' }],
  resultsFile: 'hunts/root-account-usage.csv',
  suppressedByAllowlist: { count: 0, sample: [] },
  durationMs: 30,
  bytesScanned: null,
  queryId: null,
  error: null,
};

/** A case folder as the steps before BuildReport leave it. */
async function caseBeforeTheReport() {
  // The only query BuildReport makes: the embedded engine's version, for "how to reproduce".
  const engine = new ScriptedQueryEngine((sql) =>
    sql === 'SELECT version() AS version' ? queryResult([{ version: 'v1.5.6' }]) : new Error(sql),
  );
  const adapters = fakeCaseAdapters({ engine });
  await writeCaseFile(
    adapters.store,
    files.caseRecord,
    openedCaseRecord(testContext, {}, 'memory://case-1/'),
  );
  await writeCaseFile(adapters.store, files.inventory, {
    discoveredAt: '2024-05-02T08:00:01.000Z',
    sources: [],
    skipped: [{ input: 'notes.txt', reason: 'not a log this tool reads', stage: 'inventory' }],
    notes: [],
    coverage: [eksaudit('missing')],
  });
  await writeCaseFile(adapters.store, files.tables, {
    tables: [{ source: 'cloudtrail', table: 'cloudtrail', locations: ['/logs'], recordCount: 10 }],
    skipped: [{ input: 'broken.json.gz', reason: 'truncated gzip', stage: 'tables' }],
    exports: [],
    huntsToRun: ['root-account-usage', 's3-bulk-download', 'retired-hunt'],
    huntsNotRun: [{ huntId: 'vpcflow-port-scan', reason: 'no vpcflow logs' }],
    coverage: [eksaudit('present')],
    durationMs: 900,
  });
  await writeCaseFile(adapters.store, files.huntResult('root-account-usage'), rootUsage);
  await adapters.store.put(
    'case-1/hunts/root-account-usage.csv',
    toCsv(rootUsage.columns, rootUsage.sample),
    'text/csv; charset=utf-8',
  );
  return adapters;
}

describe('buildReport with an engine that fails every query', () => {
  it('still writes the report, naming no engine version', async () => {
    const adapters = await caseBeforeTheReport();
    const broken = fakeCaseAdapters({
      store: adapters.store,
      engine: new ScriptedQueryEngine(() => new Error('engine unavailable')),
    });
    await buildReport(
      { case: testContext, hunts: [{ huntId: 'root-account-usage', status: 'SUCCEEDED', rowCount: 1 }] },
      broken,
    );
    const html = adapters.store.text('case-1/report.html');
    expect(html).toContain('Root user activity');
    expect(html).not.toContain('DuckDB v');
  });
});

describe('buildReport', async () => {
  const adapters = await caseBeforeTheReport();
  const output = await buildReport(
    {
      case: testContext,
      hunts: [
        { huntId: 'root-account-usage', status: 'SUCCEEDED', severity: 'high', rowCount: 1 },
        {
          huntId: 's3-bulk-download',
          status: 'FAILED',
          error: 'QueryFailedError',
          cause: JSON.stringify({
            errorMessage: 'TABLE_NOT_FOUND: cloudtrail',
            errorType: 'QueryFailedError',
          }),
        },
        { huntId: 'retired-hunt', status: 'FAILED', error: 'States.Timeout' },
      ],
      timings: { createTablesMs: 900 },
    },
    adapters,
  );

  it('files a failed hunt with its library metadata, query and the error from the Step Functions cause', async () => {
    const failed = await readCaseFile(adapters.store, files.huntResult('s3-bulk-download'));
    expect(failed).toMatchObject({
      huntId: 's3-bulk-download',
      status: 'FAILED',
      severity: expect.any(String),
      query: expect.stringContaining('SELECT'),
      rowCount: 0,
      resultsFile: null,
      error: { name: 'QueryFailedError', message: 'TABLE_NOT_FOUND: cloudtrail' },
    });
    expect(failed.title).not.toBe('s3-bulk-download');
  });

  it('files a failed hunt the library no longer has under its id, saying no cause was recorded', async () => {
    expect(await readCaseFile(adapters.store, files.huntResult('retired-hunt'))).toMatchObject({
      title: 'retired-hunt',
      severity: 'info',
      query: '',
      error: { name: 'States.Timeout', message: 'no cause recorded' },
    });
  });

  it('summarises from the tables’ completed coverage and every skipped input', async () => {
    const summary = await readCaseFile(adapters.store, files.summary);
    expect(summary.hunts).toEqual({ run: 3, succeeded: 1, failed: 2, withFindings: 1, notRun: 1 });
    expect(summary.coverageGaps).toEqual([]);
    expect(summary.skipped.map((s) => s.input)).toEqual(['notes.txt', 'broken.json.gz']);
    expect(summary.failedHunts).toEqual([
      { huntId: 's3-bulk-download', error: 'QueryFailedError: TABLE_NOT_FOUND: cloudtrail' },
      { huntId: 'retired-hunt', error: 'States.Timeout: no cause recorded' },
    ]);
  });

  it('completes case.json with the outcome and timings, keeping what OpenCase wrote', async () => {
    const record = await readCaseFile(adapters.store, files.caseRecord);
    expect(record).toMatchObject({
      status: 'COMPLETED',
      caseFolder: 'memory://case-1/',
      hunts: { run: 3, failed: 2 },
      findingsBySeverity: { high: 1 },
      timings: {
        openedAt: testContext.openedAt,
        createTablesMs: 900,
        huntsMs: 30,
        completedAt: '2024-05-02T09:00:00.000Z',
      },
    });
    expect(record.skipped).toHaveLength(2);
    expect(output).toEqual({ status: 'COMPLETED', findings: 1, failedHunts: 2, skipped: 2 });
  });

  it('writes the report beside the summary, failed hunts included', () => {
    const report = adapters.store.text('case-1/report.md');
    // The error text is escaped as Markdown: `\_` shows as `_`.
    expect(report).toContain('- `s3-bulk-download`: QueryFailedError: TABLE\\_NOT\\_FOUND: cloudtrail');
    expect(report).toContain('### [HIGH] Root user activity');
  });

  it('writes report.html, the ATT&CK Navigator layer and the Timesketch timeline from the CSV rows', async () => {
    const html = adapters.store.text('case-1/report.html');
    expect(html).toContain('Root user activity');
    expect(html).toContain('DuckDB v1.5.6');
    expect(await readCaseFile(adapters.store, files.attackLayer)).toMatchObject({
      techniques: [{ techniqueID: 'T1078.004', tactic: 'initial-access' }],
    });
    const timeline = adapters.store.text('case-1/timeline.csv');
    expect(timeline).toContain('e-1');
    expect(timeline.trim().split('\r\n')).toHaveLength(2);
  });
});
