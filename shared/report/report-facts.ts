import type { CaseSummary, TimelineEntry } from '../domain/case-files/summary-file.js';
import type { HuntResultRecord } from '../domain/hunt-result.js';
import { attackTechnique, tacticsOfTechnique } from './attack/attack-techniques.js';
import type { HuntRow } from './case-timeline.js';
import { severityRank } from './case-timeline.js';

/** Activity this close to the end of the logs may still be going on. */
const STILL_ACTIVE_MS = 60 * 60_000;
const STORY_FINDINGS = 8;

export interface FindingStory {
  huntId: string;
  severity: string;
  actors: string[];
  what: string;
  outcome: string;
  firstSeen: string;
  lastSeen: string;
  from: string[];
  attack: string[];
}

export interface ReportFacts {
  /**
   * Since when (the first hit by an actor or from an address the serious hits involve), until when
   * (the last serious hit), and whether that reaches the end of the logs.
   */
  firstSuspicious: TimelineEntry | null;
  lastSuspicious: TimelineEntry | null;
  stillActive: boolean;
  stories: FindingStory[];
  indicators: {
    accessKeys: string[];
    principals: string[];
    addresses: string[];
    outsideAccounts: string[];
    userAgents: string[];
  };
  assets: { accounts: string[]; regions: string[]; targets: string[] };
}

/** Medium and above, and what the case's indicators did: the activity the first screen is about. */
const suspicious = (h: TimelineEntry) => h.ioc || severityRank(h.severity) >= severityRank('medium');

/** What the first screen of a report says, derived from the hits and the findings' rows only. */
export function reportFacts(
  summary: CaseSummary,
  results: HuntResultRecord[],
  hits: TimelineEntry[],
  rowsOf: (r: HuntResultRecord) => HuntRow[],
): ReportFacts {
  const serious = hits.filter(suspicious);
  const basis = serious.length > 0 ? serious : hits;
  // The intrusion starts with the first hit of anyone, or from anywhere, the serious hits involve:
  // the quiet sign-in from a new address comes before the first alarming call.
  const involved = new Set(basis.flatMap((h) => [h.actor, ...splitList(h.sourceIp)]).filter(Boolean));
  const first =
    hits.find((h) => [h.actor, ...splitList(h.sourceIp)].some((v) => v && involved.has(v))) ?? null;
  const last = [...basis].sort((a, b) => a.lastTime.localeCompare(b.lastTime)).at(-1) ?? null;
  const logsEnd = summary.observed.lastEventTime;
  const findings = results.filter((r) => r.status === 'SUCCEEDED' && r.rowCount > 0 && r.kind !== 'pivot');
  const ownAccounts = new Set(hits.map((h) => h.accountId).filter((a): a is string => !!a));
  return {
    firstSuspicious: first,
    lastSuspicious: last,
    stillActive: !!last && !!logsEnd && Date.parse(logsEnd) - Date.parse(last.lastTime) <= STILL_ACTIVE_MS,
    stories: summary.findings.slice(0, STORY_FINDINGS).map((f) =>
      story(
        f,
        hits.filter((h) => h.hunts.some((x) => x.huntId === f.huntId)),
      ),
    ),
    indicators: {
      accessKeys: ranked(basis.map((h) => h.accessKeyId)),
      principals: ranked(basis.map((h) => h.actor)),
      addresses: ranked(basis.flatMap((h) => splitList(h.sourceIp))),
      outsideAccounts: ranked(findings.flatMap((r) => outsideAccounts(r, rowsOf(r), ownAccounts))),
      userAgents: ranked(basis.map((h) => h.userAgent)),
    },
    assets: {
      accounts: ranked(basis.map((h) => h.accountId)),
      regions: ranked(basis.map((h) => h.region)),
      targets: ranked(basis.map((h) => h.target)),
    },
  };
}

function story(f: CaseSummary['findings'][number], hits: TimelineEntry[]): FindingStory {
  const outcomes = ranked(hits.map((h) => h.outcome));
  const events = ranked(hits.map((h) => h.eventName));
  return {
    huntId: f.huntId,
    severity: f.severity,
    actors: ranked(hits.map((h) => h.actor)),
    what: events.length > 0 ? `${f.title} (${events.slice(0, 4).join(', ')})` : f.title,
    outcome: outcomes.length === 0 ? 'outcome not recorded by this hunt' : outcomes.slice(0, 3).join('; '),
    firstSeen: hits[0]?.time ?? '—',
    lastSeen:
      hits
        .map((h) => h.lastTime)
        .sort()
        .at(-1) ?? '—',
    from: ranked(hits.flatMap((h) => splitList(h.sourceIp))),
    attack: f.mitre.map((t) => {
      const known = attackTechnique(t);
      const tactics = tacticsOfTechnique(t, f.tactics).join(', ');
      return known ? `${t} ${known.name} (${tactics})` : `${t} (${tactics})`;
    }),
  };
}

/** Accounts named in a finding's account columns that are not the case's own: who got access. */
function outsideAccounts(r: HuntResultRecord, rows: HuntRow[], own: Set<string>): string[] {
  const columns = r.columns.filter((c) => c !== 'account_id' && /account|shared_with|principal/.test(c));
  return rows.flatMap((row) =>
    columns.flatMap((c) => (row[c] ?? '').match(/\b\d{12}\b/g) ?? []).filter((a) => !own.has(a)),
  );
}

/** Distinct values, most frequent first. */
function ranked(values: (string | null | undefined)[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
}

function splitList(value: string | null): string[] {
  return (value ?? '')
    .replace(/ and \d+ more$/, '')
    .split(/,\s*/)
    .filter((v) => v !== '');
}
