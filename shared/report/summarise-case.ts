import type { CaseSummary, TimelineEntry } from '../domain/case-files/summary-file.js';
import type { BuiltTable } from '../domain/case-files/tables-file.js';
import { type CaseScope, isWholeEstate } from '../domain/case-scope.js';
import type { CoverageEntry } from '../domain/coverage.js';
import { type Severity, severities } from '../domain/hunt-definition.js';
import type { HuntResultRecord } from '../domain/hunt-result.js';
import type { HuntNotRun } from '../domain/hunt-selection.js';
import type { FileRecordCount, SkippedInput } from '../domain/inventory.js';
import type { TimeWindow } from '../domain/time-window.js';
import { ATTACK_VERSION } from '../hunts/hunt-library.js';
import { tacticsOfTechnique } from './attack/attack-techniques.js';
import { caseTimeline, type HuntRow, severityRank } from './case-timeline.js';

export interface SummaryInput {
  caseId: string;
  engine: string;
  window: TimeWindow;
  tables: BuiltTable[];
  results: HuntResultRecord[];
  huntsNotRun: HuntNotRun[];
  /** The case's scope; a whole-estate case leaves it out. */
  scope?: CaseScope;
  skipped: SkippedInput[];
  coverage: CoverageEntry[];
  /** Embedded engine: how many records of each file were read and set aside. */
  files?: FileRecordCount[];
  /** Each finding's rows as its CSV holds them; a hunt's sample stands in where absent. */
  rows?: ReadonlyMap<string, HuntRow[]>;
}

/** The facts a responder reads first, derived only from what the hunts and tables recorded. */
export function summariseCase(input: SummaryInput): CaseSummary {
  return summariseCaseWithHits(input).summary;
}

/** The summary, and every hit (one per record, repeats unfolded) for the exported timeline. */
export function summariseCaseWithHits(input: SummaryInput): { summary: CaseSummary; hits: TimelineEntry[] } {
  const succeeded = input.results.filter((r) => r.status === 'SUCCEEDED');
  const pivots = succeeded.filter((r) => r.kind === 'pivot');
  const findings = succeeded
    .filter((r) => r.rowCount > 0 && r.kind !== 'pivot')
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.rowCount - a.rowCount);
  const findingsBySeverity = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) findingsBySeverity[f.severity] += 1;
  const { timeline, hits, limits } = caseTimeline(
    [...pivots, ...findings],
    (r) => input.rows?.get(r.huntId) ?? r.sample,
  );
  const times = input.tables
    .flatMap((t) => [t.firstEventTime, t.lastEventTime])
    .filter((t): t is string => !!t);
  const summary: CaseSummary = {
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
    timeline,
    timelineLimits: limits,
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
    ...(input.scope && !isWholeEstate(input.scope) ? { scope: input.scope } : {}),
    skipped: input.skipped,
    recordsSetAside: (input.files ?? [])
      .filter((f) => f.quarantined > 0 || f.nulledValues > 0)
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
  };
  return { summary, hits };
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
        for (const t of r.mitre)
          if (tacticsOfTechnique(t, r.tactics).includes(tactic)) entry.techniques.add(t);
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
