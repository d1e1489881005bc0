import type { CaseSummary, TimelineEntry } from '../domain/case-files/summary-file.js';
import type { BuiltTable } from '../domain/case-files/tables-file.js';
import type { CoverageEntry } from '../domain/coverage.js';
import { type Severity, severities } from '../domain/hunt-definition.js';
import { type HuntResultRecord, rowRecordId } from '../domain/hunt-result.js';
import type { HuntNotRun } from '../domain/hunt-selection.js';
import type { FileRecordCount, SkippedInput } from '../domain/inventory.js';
import type { TimeWindow } from '../domain/time-window.js';
import { ATTACK_VERSION } from '../hunts/hunt-library.js';

export interface SummaryInput {
  caseId: string;
  engine: string;
  window: TimeWindow;
  tables: BuiltTable[];
  results: HuntResultRecord[];
  huntsNotRun: HuntNotRun[];
  skipped: SkippedInput[];
  coverage: CoverageEntry[];
  /** Embedded engine: how many records of each file were read and set aside. */
  files?: FileRecordCount[];
}

const TIMELINE_LIMIT = 200;
/** Repeats closer together than this are one burst on the timeline. */
const REPEAT_GAP_MS = 10 * 60_000;

/** An indicator's own activity ranks with high findings when the timeline must drop rows. */
export const severityRank = (s: Severity | 'ioc') =>
  s === 'ioc' ? severities.indexOf('high') : severities.indexOf(s);

/** The facts a responder reads first, derived only from what the hunts and tables recorded. */
export function summariseCase(input: SummaryInput): CaseSummary {
  const succeeded = input.results.filter((r) => r.status === 'SUCCEEDED');
  const pivots = succeeded.filter((r) => r.kind === 'pivot');
  const findings = succeeded
    .filter((r) => r.rowCount > 0 && r.kind !== 'pivot')
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.rowCount - a.rowCount);
  const findingsBySeverity = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) findingsBySeverity[f.severity] += 1;
  const times = input.tables
    .flatMap((t) => [t.firstEventTime, t.lastEventTime])
    .filter((t): t is string => !!t);
  return {
    caseId: input.caseId,
    engine: input.engine,
    window: input.window,
    observed: {
      firstEventTime: times.sort()[0] ?? null,
      lastEventTime: times.at(-1) ?? null,
    },
    sources: input.tables.map((t) => ({
      source: t.source,
      records: t.recordCount ?? null,
      locations: t.locations,
    })),
    hunts: {
      run: input.results.length,
      succeeded: succeeded.length,
      failed: input.results.length - succeeded.length,
      withFindings: findings.length,
      notRun: input.huntsNotRun.length,
    },
    findingsBySeverity,
    iocActivity: pivots.map((p) => ({
      huntId: p.huntId,
      title: p.title,
      rowCount: p.rowCount,
      resultsFile: p.resultsFile,
    })),
    findings: findings.map((f) => ({
      huntId: f.huntId,
      title: f.title,
      severity: f.severity,
      mitre: f.mitre,
      tactics: f.tactics,
      rowCount: f.rowCount,
      resultsFile: f.resultsFile,
    })),
    attackVersion: ATTACK_VERSION,
    attackCoverage: attackCoverage(input.results),
    timeline: timeline([...pivots, ...findings]),
    failedHunts: input.results
      .filter((r) => r.status === 'FAILED')
      .map((r) => ({
        huntId: r.huntId,
        error: r.error ? `${r.error.name}: ${r.error.message}` : 'unknown error',
      })),
    coverageGaps: input.coverage.filter((c) => c.status !== 'present'),
    suppressedByAllowlist: succeeded
      .filter((r) => r.suppressedByAllowlist.count > 0)
      .map((r) => ({ huntId: r.huntId, count: r.suppressedByAllowlist.count })),
    huntsNotRun: input.huntsNotRun,
    skipped: input.skipped,
    recordsSetAside: (input.files ?? [])
      .filter((f) => f.quarantined > 0 || f.nulledValues > 0)
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
  };
}

function attackCoverage(results: HuntResultRecord[]): CaseSummary['attackCoverage'] {
  const byTactic = new Map<
    string,
    { huntsRun: number; huntsWithFindings: number; techniques: Set<string> }
  >();
  for (const r of results) {
    for (const tactic of r.tactics) {
      const entry = byTactic.get(tactic) ?? {
        huntsRun: 0,
        huntsWithFindings: 0,
        techniques: new Set<string>(),
      };
      entry.huntsRun += 1;
      if (r.status === 'SUCCEEDED' && r.rowCount > 0) {
        entry.huntsWithFindings += 1;
        for (const t of r.mitre) entry.techniques.add(t);
      }
      byTactic.set(tactic, entry);
    }
  }
  return [...byTactic]
    .map(([tactic, e]) => ({
      tactic,
      huntsRun: e.huntsRun,
      huntsWithFindings: e.huntsWithFindings,
      techniques: [...e.techniques].sort(),
    }))
    .sort((a, b) => b.huntsWithFindings - a.huntsWithFindings || a.tactic.localeCompare(b.tactic));
}

/**
 * Event rows of every finding on one time line. When there are more than fit, the most severe
 * are kept, so a burst of low-severity rows never pushes a critical event off the page.
 */
function timeline(results: HuntResultRecord[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const f of results) {
    for (const row of f.sample) {
      const time = row.event_time ?? row.first_seen;
      if (!time) continue;
      entries.push({
        time,
        severity: f.kind === 'pivot' ? 'ioc' : f.severity,
        huntId: f.huntId,
        title: f.title,
        eventName: row.event_name ?? null,
        actor: row.actor ?? null,
        sourceIp: row.source_ip ?? null,
        eventId: f.kind === 'behaviour' ? null : rowRecordId(f.columns, row),
        repeats: 1,
        lastTime: time,
      });
    }
  }
  return foldRepeats(entries.sort((a, b) => a.time.localeCompare(b.time)))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.time.localeCompare(b.time))
    .slice(0, TIMELINE_LIMIT)
    .sort((a, b) => a.time.localeCompare(b.time) || severityRank(b.severity) - severityRank(a.severity));
}

/** Twenty-five identical GetPasswordData calls in five seconds read as one line: "25 times". */
function foldRepeats(sorted: TimelineEntry[]): TimelineEntry[] {
  const folded: TimelineEntry[] = [];
  const open = new Map<string, TimelineEntry>();
  for (const entry of sorted) {
    const key = [entry.huntId, entry.eventName, entry.actor, entry.sourceIp].join('\u0000');
    const previous = open.get(key);
    if (previous && Date.parse(entry.time) - Date.parse(previous.lastTime) <= REPEAT_GAP_MS) {
      previous.repeats += 1;
      previous.lastTime = entry.time;
      continue;
    }
    open.set(key, entry);
    folded.push(entry);
  }
  return folded;
}
