import { describe, expect, it } from 'vitest';
import type { CaseScope } from '../../../shared/domain/case-scope.js';
import type { HuntResultRecord } from '../../../shared/domain/hunt-result.js';
import type { FileRecordCount } from '../../../shared/domain/inventory.js';
import { scanCostOfCase } from '../../../shared/domain/scan-cost.js';
import { findingColumns } from '../../../shared/report/finding-columns.js';
import { renderHtmlReport } from '../../../shared/report/html/render-html-report.js';
import { reportFacts } from '../../../shared/report/report-facts.js';
import { summariseCaseWithHits } from '../../../shared/report/summarise-case.js';
import type { StoryFiles } from '../../../shared/story/story-files.js';
import { eventRow, huntResult } from './hunt-results.js';

const hostile = '<script>window.pwned=1</script><img src=x onerror=alert(1)>';

function render(
  results: HuntResultRecord[],
  observedEnd = '2025-03-12T00:00:00Z',
  files: FileRecordCount[] = [],
  story?: StoryFiles,
  scope?: CaseScope,
) {
  const { summary, hits } = summariseCaseWithHits({
    ...(scope ? { scope } : {}),
    caseId: 'c-<b>1</b>',
    engine: 'duckdb',
    window: { from: null, to: null },
    tables: [
      {
        source: 'cloudtrail',
        table: 'cloudtrail',
        locations: [],
        recordCount: 10,
        firstEventTime: '2025-03-10T00:00:00Z',
        lastEventTime: observedEnd,
      },
    ],
    results,
    huntsNotRun: [
      { huntId: 'a', reason: 'no readable vpcflow logs for this case' },
      { huntId: 'b', reason: 'no readable vpcflow logs for this case' },
    ],
    skipped: [{ input: `logs/${hostile}.json`, reason: hostile, stage: 'inventory' }],
    coverage: [],
    files,
  });
  const rowsOf = (r: HuntResultRecord) => r.sample;
  const facts = reportFacts(summary, results, hits, rowsOf);
  return {
    facts,
    html: renderHtmlReport({
      summary,
      results,
      hits,
      facts,
      rowsOf,
      sourcesOf: () => ['cloudtrail'],
      recordsPerHour: new Map(),
      engineVersion: 'DuckDB v1.5.6',
      scanCost: scanCostOfCase({ engine: 'duckdb', pricePerTbUsd: 5, estimate: null, queries: [] }),
      ...(story ? { story } : {}),
    }),
  };
}

const stopped = huntResult(
  { huntId: 'logging-stopped', severity: 'critical', mitre: ['T1562.008'], tactics: ['defense-evasion'] },
  [eventRow('e1', '2025-03-11T03:21:34Z', { user_agent: hostile, trail: hostile, error_code: null })],
);

describe('report.html', () => {
  it("says the case's scope where hunts not run are listed, and reproduces it in the command", () => {
    const scope = { accounts: ['111122223333'], regions: null, sources: ['cloudtrail' as const] };
    const { html } = render([stopped], undefined, [], undefined, scope);
    expect(html).toContain(
      '<p>This case was narrowed to accounts 111122223333; sources cloudtrail: logs of other accounts',
    );
    expect(html).toContain(
      '<code>npx casefile investigate --logs &lt;dir&gt; --hunts &lt;id,id&gt; --accounts 111122223333 --sources cloudtrail</code>',
    );
    expect(html).toContain(
      '{&quot;accounts&quot;:[&quot;111122223333&quot;],&quot;sources&quot;:[&quot;cloudtrail&quot;]}',
    );
    const whole = render([stopped], undefined, [], undefined, {
      accounts: null,
      regions: null,
      sources: null,
    }).html;
    expect(whole).not.toContain('This case was narrowed');
    expect(whole).toContain('--hunts &lt;id,id&gt;</code>.');
  });

  it('leads with what the attacker left open, not only with when the last hunt fired', () => {
    const opened = (eventName: string, time: string) => ({
      eventId: null,
      eventName,
      time,
      actor: hostile,
      sourceIp: '203.0.113.77',
    });
    const story = {
      openItems: {
        endOfLogs: '2025-03-12T00:00:00Z',
        items: [
          {
            kind: 'IAM user',
            resource: 'svc-backup',
            account: '111122223333',
            region: 'global',
            opened: opened('CreateUser', '2025-03-11T02:52:10Z'),
            closed: null,
            outsideAccounts: [],
          },
          {
            kind: 'trail stopped',
            resource: 'prod-trail',
            account: '111122223333',
            region: 'us-east-1',
            opened: opened('StopLogging', '2025-03-11T03:21:34Z'),
            closed: opened('StartLogging', '2025-03-11T08:52:37Z'),
            outsideAccounts: [],
          },
        ],
      },
    } as unknown as StoryFiles;
    const { html } = render([stopped], undefined, [], story);
    const summary = html.slice(
      html.indexOf('id="summary"'),
      html.indexOf('</section>', html.indexOf('id="summary"')),
    );
    expect(summary).toContain('Still open at the end of the logs');
    expect(summary).toContain('1 of 2 thing(s)');
    expect(summary).toContain('<code>svc-backup</code>');
    expect(summary).not.toContain('prod-trail');
    expect(summary).not.toContain('<script>');
  });

  it('names each file whose records were set aside, its file name shown as text', () => {
    const damaged: FileRecordCount = {
      file: `logs/${hostile}.json`,
      source: 'cloudtrail',
      records: 10,
      read: 10,
      quarantined: 2,
      nulledValues: 1,
    };
    const { html } = render([stopped], undefined, [damaged]);
    expect(html).toContain('<h3>Records set aside</h3>');
    expect(html).toContain('2 of 10 record(s) set aside, 1 value(s) read as NULL');
    expect(html).toContain('logs/&lt;script&gt;window.pwned=1&lt;/script&gt;');
    expect(render([stopped]).html).not.toContain('Records set aside');
  });

  it('shows markup from the logs as text: no script, image or handler of theirs reaches the page', () => {
    const { html } = render([stopped]);
    expect(html).not.toContain('<script>window.pwned');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>1</b>');
    expect(html).toContain('&lt;script&gt;window.pwned=1&lt;/script&gt;');
  });

  it('loads nothing from elsewhere: no external script, style sheet, image or font', () => {
    const { html } = render([stopped]);
    expect(html).not.toMatch(/<(script|img|iframe)[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain("default-src 'none'");
  });

  it('opens with the most severe finding in a sentence: actor, what, outcome, when, where, ATT&CK', () => {
    const { html } = render([stopped]);
    const story = html.slice(html.indexOf('<ol class="story">'), html.indexOf('</ol>'));
    for (const fact of ['user/intruder', 'succeeded', '2025-03-11T03:21:34Z', '203.0.113.77', 'T1562.008'])
      expect(story).toContain(fact);
  });

  it('says the activity may still be going on when it reaches the end of the logs, and not otherwise', () => {
    expect(render([stopped], '2025-03-11T03:30:00Z').facts.stillActive).toBe(true);
    expect(render([stopped], '2025-03-12T00:00:00Z').facts.stillActive).toBe(false);
    expect(render([stopped], '2025-03-11T03:30:00Z').html).toContain('Possibly still going on');
  });

  it('dates the start from the first hit of the actor behind the serious ones, even a low one', () => {
    const quiet = huntResult({ huntId: 'new-address', severity: 'low' }, [
      eventRow('early', '2025-03-11T02:47:13Z'),
    ]);
    const unrelated = huntResult({ huntId: 'nightly', severity: 'low' }, [
      eventRow('earlier', '2025-03-10T01:00:00Z', {
        actor: 'arn:aws:iam::111122223333:role/ci',
        source_ip: '10.0.0.1',
      }),
    ]);
    const { facts } = render([stopped, quiet, unrelated]);
    expect(facts.firstSuspicious?.eventId).toBe('early');
    expect(facts.lastSuspicious?.eventId).toBe('e1');
  });

  it('summarises hunts not run by reason instead of one line each', () => {
    const { html } = render([stopped]);
    expect(html).toContain('2 hunt(s): no readable vpcflow logs for this case');
  });
});

describe('the columns of a finding table', () => {
  it("never drops the hunt's deciding columns or its outcome, however few extra columns fit", () => {
    const r = huntResult(
      {
        huntId: 'role-trust-changed',
        reportColumns: ['trusted_principal'],
        columns: [
          ...Object.keys(eventRow('x', 't')),
          'role',
          'policy',
          'session',
          'duration',
          'trusted_principal',
          'error_code',
        ],
      },
      [],
    );
    expect(findingColumns(r, 1).slice(7)).toEqual(['trusted_principal', 'error_code', 'role']);
  });
});
