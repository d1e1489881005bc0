import type { CaseSummary } from '../domain/case-files/summary-file.js';
import type { HuntResultRecord } from '../domain/hunt-result.js';
import { describeEntry } from './case-timeline.js';
import { code, text } from './markdown.js';
import { row } from './render-report.js';
import { reportFacts } from './report-facts.js';

/** report.md's opening: the story, most severe findings first, one sentence each. */
export function storyLines(summary: CaseSummary, results: HuntResultRecord[]): string[] {
  const facts = reportFacts(summary, results, summary.timeline, (r) => r.sample);
  if (facts.stories.length === 0) return [];
  const out = ['## What happened', ''];
  const first = facts.firstSuspicious;
  const last = facts.lastSuspicious;
  if (first && last) {
    out.push(
      `Suspicious activity from ${md(first.time)} (${md(first.title)}) to ${md(last.lastTime)}; ` +
        (facts.stillActive
          ? `**it reaches the end of the logs (${md(summary.observed.lastEventTime)}) and may still be going on.**`
          : `no hunt fired after it until the logs end at ${md(summary.observed.lastEventTime)} (see "What is still open" for what the attacker left behind).`),
      '',
    );
  }
  for (const f of facts.stories) {
    const who = f.actors.length > 0 ? `${md(f.actors.slice(0, 2).join(', '))}: ` : '';
    const from = f.from.length > 0 ? `, from ${md(f.from.slice(0, 3).join(', '))}` : '';
    out.push(
      `1. **${f.severity.toUpperCase()}** ${who}${md(f.what)}. *${md(f.outcome)}*. First seen ${md(f.firstSeen)}, last seen ${md(f.lastSeen)}${from}. ATT&CK ${md(f.attack.join('; '))}.`,
    );
  }
  out.push('');
  return out;
}

/** The cross-source timeline, with what a responder pivots on: outcome, account, key, client, target. */
export function timelineTable(summary: CaseSummary): string[] {
  const limits = summary.timelineLimits;
  const out = [
    `Built from every row of every finding (up to ${limits.rowsPerFinding} per finding); a record several hunts found is one row at the highest severity, naming each hunt.`,
    '',
  ];
  for (const c of limits.cut)
    out.push(`- ${c.rowsLeftOut} more row(s) of ${code(c.huntId)} in ${code(c.resultsFile)}.`);
  if (limits.entriesLeftOut > 0)
    out.push(`- ${limits.entriesLeftOut} less severe entries beyond ${limits.entries} are left out.`);
  if (limits.cut.length > 0 || limits.entriesLeftOut > 0) out.push('');
  out.push(
    '| time (UTC) | severity | what | event | outcome | actor | source IP | account / region | access key | user agent | target |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const t of summary.timeline) {
    const what = describeEntry(t);
    const hunts = t.hunts.length > 1 ? ` [${t.hunts.map((h) => h.huntId).join(', ')}]` : '';
    out.push(
      row([
        t.time,
        t.ioc && t.severity !== 'ioc' ? `${t.severity}, ioc` : t.severity,
        `${what}${hunts}`,
        t.eventName,
        t.outcome,
        t.actor,
        t.sourceIp,
        [t.accountId, t.region].filter(Boolean).join(' / ') || null,
        t.accessKeyId,
        t.userAgent,
        t.target,
      ]),
    );
  }
  out.push('');
  return out;
}

/** Logged values in running text: no Markdown or HTML from them may take effect. */
function md(value: string | null): string {
  return value === null ? '—' : text(value);
}
