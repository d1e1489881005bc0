import { describe, expect, it } from 'vitest';
import type { HuntResultRecord } from '../../../shared/domain/hunt-result.js';
import { code, renderReport, text } from '../../../shared/report/render-report.js';
import { summariseCase } from '../../../shared/report/summarise-case.js';

function result(overrides: Partial<HuntResultRecord>): HuntResultRecord {
  return {
    huntId: 'sigma-rule',
    title: 'A rule',
    description: 'Why.',
    severity: 'high',
    kind: 'event',
    mitre: ['T1078'],
    tactics: ['initial-access'],
    triage: 'Check.',
    status: 'SUCCEEDED',
    engine: 'duckdb',
    query: 'SELECT 1',
    parameters: [],
    rowCount: 0,
    truncated: false,
    columns: ['event_time', 'actor'],
    sample: [],
    resultsFile: 'hunts/sigma-rule.csv',
    suppressedByAllowlist: { count: 0, sample: [] },
    durationMs: 1,
    bytesScanned: null,
    queryId: null,
    error: null,
    ...overrides,
  };
}

function report(results: HuntResultRecord[]): string {
  const summary = summariseCase({
    caseId: 'c1',
    engine: 'duckdb',
    window: { from: null, to: null },
    tables: [],
    results,
    huntsNotRun: [],
    skipped: [],
    coverage: [],
  });
  return renderReport(summary, results);
}

describe('the report headline', () => {
  it('says when hunts matched but the allowlist suppressed every row, rather than "0 hunts found activity" alone', () => {
    const md = report([result({ suppressedByAllowlist: { count: 40, sample: [] } })]);
    expect(md).toContain('**0 hunts found activity**');
    expect(md).toContain('**1 more hunt(s) matched, all their rows (40) suppressed by the allowlist**');
  });

  it('says "N of M rows" when a configured cap cut the CSV short', () => {
    const md = report([result({ rowCount: 25_000, truncated: true, rowsInCsv: 10_000 })]);
    expect(md).toContain('10000 of 25000 row(s) in the CSV (a row cap was configured)');
  });
});

describe('text from Sigma rules and logs in the report', () => {
  it('cannot inject Markdown, HTML or line breaks', () => {
    const md = report([
      result({
        rowCount: 1,
        title: 'Evil <img src=x onerror=alert(1)> [link](http://x) # head',
        description: 'line one\rline two\ncontinued',
        sample: [{ event_time: '2024-05-01', actor: 'a|b\rc' }],
      }),
    ]);
    expect(md).toContain('### [HIGH] Evil \\<img src=x onerror=alert(1)\\> \\[link\\](http://x) \\# head');
    expect(md).toContain('**Why it matters.** line one line two continued');
    expect(md).toContain('| 2024-05-01 | a\\|b c |');
    expect(md).not.toMatch(/\r/);
  });

  it('escapes every character with a Markdown or HTML meaning', () => {
    expect(text('*_`[]<>|#!~&\\')).toBe('\\*\\_\\`\\[\\]\\<\\>\\|\\#\\!\\~\\&\\\\');
  });

  it('fences a code span with more backticks than the value holds', () => {
    expect(code('plain')).toBe('`plain`');
    expect(code('a`b``c')).toBe('``` a`b``c ```');
    expect(code('two\r\nlines')).toBe('`two lines`');
  });
});
