import { describe, expect, it } from 'vitest';
import { type SummaryInput, summariseCase } from '../../../shared/report/summarise-case.js';
import { event, huntResult } from '../../support/hunt-results.js';

const input = (overrides: Partial<SummaryInput>): SummaryInput => ({
  caseId: 'case-1',
  engine: 'duckdb',
  window: { from: null, to: null },
  tables: [],
  results: [],
  huntsNotRun: [],
  skipped: [],
  coverage: [],
  ...overrides,
});

describe('summariseCase', () => {
  it('ranks findings by severity, then by rows, and counts them by severity', () => {
    const summary = summariseCase(
      input({
        results: [
          huntResult({ huntId: 'many-medium', severity: 'medium', rowCount: 40 }),
          huntResult({ huntId: 'one-critical', severity: 'critical', rowCount: 1 }),
          huntResult({ huntId: 'few-medium', severity: 'medium', rowCount: 2 }),
          huntResult({ huntId: 'nothing', severity: 'high', rowCount: 0 }),
        ],
      }),
    );

    expect(summary.findings.map((f) => f.huntId)).toEqual(['one-critical', 'many-medium', 'few-medium']);
    expect(summary.findingsBySeverity).toEqual({ info: 0, low: 0, medium: 2, high: 0, critical: 1 });
    expect(summary.hunts).toEqual({ run: 4, succeeded: 4, failed: 0, withFindings: 3, notRun: 0 });
  });

  it('keeps the indicators’ own activity apart from findings, and marks it ioc on the timeline', () => {
    const summary = summariseCase(
      input({
        results: [
          huntResult({
            huntId: 'ioc-cloudtrail-activity',
            kind: 'pivot',
            severity: 'high',
            rowCount: 1,
            sample: [event('2024-05-01T09:00:00Z', 'ListBuckets', 'intruder', 'e-1')],
          }),
        ],
      }),
    );

    expect(summary.findings).toEqual([]);
    expect(summary.iocActivity).toEqual([
      {
        huntId: 'ioc-cloudtrail-activity',
        title: 'ioc-cloudtrail-activity',
        rowCount: 1,
        resultsFile: 'hunts/ioc-cloudtrail-activity.csv',
      },
    ]);
    expect(summary.timeline).toMatchObject([{ severity: 'ioc', eventId: 'e-1', actor: 'intruder' }]);
  });

  it('folds repeats of one call by one actor within ten minutes into one timeline entry', () => {
    const sample = [
      event('2024-05-01T10:00:00Z', 'GetPasswordData', 'intruder', 'e-1'),
      event('2024-05-01T10:04:00Z', 'GetPasswordData', 'intruder', 'e-2'),
      event('2024-05-01T10:09:00Z', 'GetPasswordData', 'intruder', 'e-3'),
      event('2024-05-01T11:00:00Z', 'GetPasswordData', 'intruder', 'e-4'),
    ];
    const summary = summariseCase(
      input({ results: [huntResult({ huntId: 'ec2-password-data-requested', rowCount: 4, sample })] }),
    );

    expect(summary.timeline.map((t) => [t.time, t.repeats, t.lastTime])).toEqual([
      ['2024-05-01T10:00:00Z', 3, '2024-05-01T10:09:00Z'],
      ['2024-05-01T11:00:00Z', 1, '2024-05-01T11:00:00Z'],
    ]);
  });

  it('lists failed hunts with their error, and only the coverage that is not present', () => {
    const present = {
      source: 'cloudtrail',
      title: 'CloudTrail',
      status: 'present',
      detail: '',
      consequence: null,
    } as const;
    const missing = {
      ...present,
      source: 'vpcflow',
      title: 'VPC flow logs',
      status: 'missing',
      consequence: 'no network',
    } as const;
    const summary = summariseCase(
      input({
        results: [
          huntResult({
            huntId: 'broken',
            status: 'FAILED',
            error: { name: 'QueryFailedError', message: 'syntax' },
          }),
        ],
        coverage: [present, missing],
      }),
    );

    expect(summary.failedHunts).toEqual([{ huntId: 'broken', error: 'QueryFailedError: syntax' }]);
    expect(summary.hunts).toMatchObject({ run: 1, succeeded: 0, failed: 1 });
    expect(summary.coverageGaps).toEqual([missing]);
  });

  it('takes the observed span from the tables, and counts a tactic’s hunts whatever they found', () => {
    const summary = summariseCase(
      input({
        tables: [
          {
            source: 'cloudtrail',
            table: 'cloudtrail',
            locations: ['/a'],
            firstEventTime: '2024-05-01T02:00:00Z',
            lastEventTime: '2024-05-01T20:00:00Z',
          },
          {
            source: 'vpcflow',
            table: 'vpcflow',
            locations: ['/b'],
            firstEventTime: '2024-04-30T23:00:00Z',
            lastEventTime: '2024-05-01T05:00:00Z',
          },
        ],
        results: [
          huntResult({ huntId: 'found', tactics: ['persistence'], mitre: ['T1098'], rowCount: 1 }),
          huntResult({ huntId: 'quiet', tactics: ['persistence'], mitre: ['T1136'], rowCount: 0 }),
        ],
      }),
    );

    expect(summary.observed).toEqual({
      firstEventTime: '2024-04-30T23:00:00Z',
      lastEventTime: '2024-05-01T20:00:00Z',
    });
    expect(summary.attackCoverage).toEqual([
      { tactic: 'persistence', huntsRun: 2, huntsWithFindings: 1, techniques: ['T1098'] },
    ]);
  });
});
