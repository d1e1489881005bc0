import { describe, expect, it } from 'vitest';
import type { HuntResultRecord } from '../../../shared/domain/hunt-result.js';
import { code, text as markdownText } from '../../../shared/report/markdown.js';
import { renderReport } from '../../../shared/report/render-report.js';
import { summariseCase } from '../../../shared/report/summarise-case.js';
import { event, huntResult } from '../../support/hunt-results.js';

const cloudtrail = {
  source: 'cloudtrail' as const,
  table: 'cloudtrail',
  locations: ['/logs'],
  recordCount: 120,
};

function report(results: HuntResultRecord[], extra: Partial<Parameters<typeof summariseCase>[0]> = {}) {
  const summary = summariseCase({
    caseId: 'case-1',
    engine: 'duckdb',
    window: { from: '2024-05-01T00:00:00.000Z', to: null },
    tables: [cloudtrail],
    results,
    huntsNotRun: [],
    skipped: [],
    coverage: [],
    ...extra,
  });
  return renderReport(summary, results);
}

describe('renderReport', () => {
  it("states the case's scope beside the window and before the hunts it left out", () => {
    const text = report([], {
      scope: { accounts: ['111122223333'], regions: ['eu-west-1'], sources: ['cloudtrail'] },
      huntsNotRun: [
        { huntId: 'flow-scan', reason: "reads vpcflow, outside the case's sources (cloudtrail)" },
      ],
    });
    expect(text).toContain(
      '- Scope: accounts 111122223333; regions eu-west-1; sources cloudtrail (to reproduce: `casefile investigate --accounts 111122223333 --regions eu-west-1 --sources cloudtrail`)\n',
    );
    expect(text).toMatch(
      /## Hunts not run \(1\)\n\nThis case was narrowed to accounts 111122223333; regions eu-west-1; sources cloudtrail: .*\n\n- 1 hunt\(s\): reads vpcflow, outside the case's sources \(cloudtrail\)/,
    );
    expect(report([])).not.toContain('Scope:');
  });

  it('opens with what happened, then the counts, the window and what was read', () => {
    const text = report([huntResult({ huntId: 'root-account-usage', severity: 'high', rowCount: 2 })]);

    expect(text.startsWith('# Case case-1\n\n## What happened\n')).toBe(true);
    expect(text.indexOf('**1 hunts found activity**: 0 critical, 1 high, 0 medium')).toBeGreaterThan(
      text.indexOf('## What happened'),
    );
    expect(text).toContain('- Window: 2024-05-01T00:00:00.000Z to end of the logs');
    expect(text).toContain('- Source cloudtrail: 120 records');
    expect(text).not.toContain('This case is incomplete');
  });

  it('shows each finding with why it matters, what to check and its first rows', () => {
    const sample = [event('2024-05-01T10:00:00Z', 'ConsoleLogin', 'root', 'e-1')];
    const text = report([
      huntResult({
        huntId: 'root-account-usage',
        title: 'Root user activity',
        severity: 'high',
        rowCount: 12,
        sample,
      }),
    ]);

    expect(text).toContain('### [HIGH] Root user activity');
    expect(text).toContain('**Why it matters.** Why it matters.');
    expect(text).toContain(
      '| 2024-05-01T10:00:00Z | ConsoleLogin | root | 203.0.113.7 | 111122223333 | us-east-1 |',
    );
    expect(text).toContain('…and 2 more in `hunts/root-account-usage.csv`.');
  });

  it('never lets log values written by an attacker take effect as Markdown or HTML', () => {
    const hostile = event(
      '2024-05-01T10:00:00Z',
      '<img src=x onerror=alert(1)>',
      '[click](http://evil)|x',
      'e-1',
    );
    const text = report([huntResult({ huntId: 'hostile', rowCount: 1, sample: [hostile] })]);

    expect(text).not.toMatch(/(?<!\\)<img/);
    expect(text).not.toMatch(/(?<!\\)\[click/);
    expect(text).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(text).toContain('\\[click\\](http://evil)\\|x');
  });

  it('lists hunts not run once per reason, the reason escaped and the ids as code', () => {
    const reason = 'no <b>vpcflow</b> logs';
    const text = report([], {
      huntsNotRun: [
        { huntId: 'port-scan', reason },
        { huntId: 'beaconing', reason },
        { huntId: 'dns-tunnel', reason: 'no route53 logs' },
      ],
    });

    expect(text).toContain('## Hunts not run (3)');
    expect(text).toContain('- 2 hunt(s): no \\<b\\>vpcflow\\</b\\> logs (`beaconing`, `port-scan`)');
    expect(text).toContain('- 1 hunt(s): no route53 logs (`dns-tunnel`)');
  });

  it('says the case is incomplete, and why, when hunts failed or inputs were skipped', () => {
    const text = report(
      [
        huntResult({
          huntId: 'broken',
          status: 'FAILED',
          error: { name: 'QueryFailedError', message: 'syntax' },
        }),
      ],
      {
        skipped: [{ input: 'bad.json.gz', reason: 'truncated gzip', stage: 'tables' }],
      },
    );

    expect(text).toContain('> This case is incomplete');
    expect(text).toContain('- `broken`: QueryFailedError: syntax');
    expect(text).toContain('- `bad.json.gz` (tables): truncated gzip');
  });

  it('warns that nothing was investigated when no records were read, and lists the coverage gaps', () => {
    const text = report([], {
      tables: [],
      coverage: [
        {
          source: 'cloudtrail',
          title: 'CloudTrail',
          status: 'out-of-retention',
          detail: '',
          consequence: 'No API history.',
        },
      ],
    });

    expect(text).toContain('> No log records were read: nothing in this case was investigated.');
    expect(text).toContain('| CloudTrail | out-of-retention | No API history. |');
  });
});

/** A Sigma hunt's record, as the escaping and headline tests below need it. */
function sigmaResult(overrides: Partial<HuntResultRecord>): HuntResultRecord {
  return huntResult({
    huntId: 'sigma-rule',
    title: 'A rule',
    severity: 'high',
    mitre: ['T1078'],
    tactics: ['initial-access'],
    columns: ['event_time', 'actor'],
    ...overrides,
  });
}

describe('the report headline', () => {
  it('says when hunts matched but the allowlist suppressed every row, rather than "0 hunts found activity" alone', () => {
    const md = report([sigmaResult({ suppressedByAllowlist: { count: 40, sample: [] } })]);
    expect(md).toContain('**0 hunts found activity**');
    expect(md).toContain('**1 more hunt(s) matched, all their rows (40) suppressed by the allowlist**');
  });

  it('says "N of M rows" when a configured cap cut the CSV short', () => {
    const md = report([sigmaResult({ rowCount: 25_000, truncated: true, rowsInCsv: 10_000 })]);
    expect(md).toContain('10000 of 25000 row(s) in the CSV (a row cap was configured)');
  });
});

describe('text from Sigma rules and logs in the report', () => {
  it('cannot inject Markdown, HTML or line breaks', () => {
    const md = report([
      sigmaResult({
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
    expect(markdownText('*_`[]<>|#!~&\\')).toBe('\\*\\_\\`\\[\\]\\<\\>\\|\\#\\!\\~\\&\\\\');
  });

  it('fences a code span with more backticks than the value holds', () => {
    expect(code('plain')).toBe('`plain`');
    expect(code('a`b``c')).toBe('``` a`b``c ```');
    expect(code('two\r\nlines')).toBe('`two lines`');
  });
});
