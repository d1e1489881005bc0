import type { CaseSummary } from '../domain/case-files/summary-file.js';
import { describeScope } from '../domain/case-scope.js';
import type { HuntResultRecord } from '../domain/hunt-result.js';
import { type ScanCost, scanCostLine } from '../domain/scan-cost.js';
import type { StoryFiles } from '../story/story-files.js';
import { findingColumns } from './finding-columns.js';
import { huntsNotRunByReason } from './hunts-not-run.js';
import { code, text } from './markdown.js';
import { renderLogGaps, renderStillOpen, renderStory } from './render-story.js';
import { storyLines, timelineTable } from './report-story-markdown.js';
import { scopeFlags, scopeSentence } from './scope-text.js';

const FINDING_ROWS = 10;
/** A finding's deciding value (an outside account, a trusted principal's ARN) is seldom short. */
const FINDING_CELL = 300;

/** `report.md`: the page a responder reads first. Facts only, each traceable to a file in the case. */
export function renderReport(
  summary: CaseSummary,
  results: HuntResultRecord[],
  story?: StoryFiles,
  scanCost?: ScanCost,
): string {
  const byId = new Map(results.map((r) => [r.huntId, r]));
  const out: string[] = [];
  const s = summary.findingsBySeverity;
  out.push(`# Case ${text(summary.caseId)}`, '');
  out.push(...storyLines(summary, results));
  out.push(
    `**${summary.findings.length} hunts found activity**: ${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low, ${s.info} info.`,
    '',
  );
  const withFindings = new Set(summary.findings.map((f) => f.huntId));
  const onlySuppressed = summary.suppressedByAllowlist.filter((h) => !withFindings.has(h.huntId));
  if (onlySuppressed.length > 0) {
    const rows = onlySuppressed.reduce((sum, h) => sum + h.count, 0);
    out.push(
      `**${onlySuppressed.length} more hunt(s) matched, all their rows (${rows}) suppressed by the allowlist**: ` +
        'see "Left out by the allowlist" before concluding nothing happened.',
      '',
    );
  }
  out.push(
    `- Window: ${summary.window.from ?? 'start of the logs'} to ${summary.window.to ?? 'end of the logs'}`,
  );
  out.push(
    `- Records seen: ${summary.observed.firstEventTime ?? '—'} to ${summary.observed.lastEventTime ?? '—'}`,
  );
  if (summary.scope) {
    out.push(
      `- Scope: ${text(describeScope(summary.scope))} (to reproduce: ${code(`casefile investigate${scopeFlags(summary.scope)}`)})`,
    );
  }
  out.push(`- Engine: ${summary.engine}`);
  for (const source of summary.sources) {
    out.push(`- Source ${source.source}: ${source.records ?? 'unknown number of'} records`);
  }
  out.push(
    `- Hunts: ${summary.hunts.run} run, ${summary.hunts.withFindings} with findings, ${summary.hunts.failed} failed, ${summary.hunts.notRun} not run`,
  );
  out.push(`- Inputs skipped: ${summary.skipped.length}`);
  if (summary.coverageGaps.length > 0) {
    out.push(
      `- Coverage gaps: ${summary.coverageGaps.map((g) => `${g.source} ${g.status}`).join(', ')} (see "Coverage gaps")`,
    );
  }
  if (story && story.logGaps.limits.length > 0) {
    out.push(`- Log gaps: ${story.logGaps.limits.length} limit what this case can show (see "Log gaps")`);
  }
  out.push('');
  if (summary.sources.length === 0) {
    out.push(
      '> No log records were read: nothing in this case was investigated. See "Inputs skipped" and "Coverage gaps".',
      '',
    );
  }
  if (summary.failedHunts.length + summary.skipped.length > 0) {
    out.push(
      '> This case is incomplete: see "Failed hunts" and "Inputs skipped" below before drawing conclusions.',
      '',
    );
  }

  if (story) out.push(...renderStillOpen(story), ...renderStory(story));

  if (summary.iocActivity.length > 0) {
    out.push("## The case's indicators", '');
    for (const p of summary.iocActivity) {
      out.push(`- ${text(p.title)}: ${p.rowCount} event(s), ${code(p.resultsFile)}`);
    }
    out.push('', 'Their events are marked `ioc` in the timeline.', '');
  }

  out.push('## Timeline', '');
  if (summary.timeline.length === 0) out.push('No hunt reported an event.', '');
  else {
    out.push(...timelineTable(summary));
  }

  out.push('## Findings', '');
  for (const finding of summary.findings) {
    const r = byId.get(finding.huntId);
    if (!r) continue;
    const suppressed = r.suppressedByAllowlist.count;
    out.push(`### [${r.severity.toUpperCase()}] ${text(r.title)}`, '');
    out.push(
      `${code(r.huntId)} · ATT&CK ${text(r.mitre.join(', '))} (${text(r.tactics.join(', '))}) · ${rowsLine(r)} · ${code(r.resultsFile)}`,
      '',
    );
    out.push(`**Why it matters.** ${text(r.description)}`, '');
    out.push(`**What to check next.** ${text(r.triage)}`, '');
    const columns = findingColumns(r, 3);
    out.push(row(columns), row(columns.map(() => '---')));
    for (const sample of r.sample.slice(0, FINDING_ROWS))
      out.push(
        row(
          columns.map((c) => sample[c] ?? null),
          FINDING_CELL,
        ),
      );
    if (r.rowCount > FINDING_ROWS)
      out.push('', `…and ${r.rowCount - FINDING_ROWS} more in ${code(r.resultsFile)}.`);
    if (suppressed > 0)
      out.push(
        '',
        `${suppressed} more row(s) matched the case's allowlist and are left out (see ${code(`hunts/${r.huntId}.json`)}).`,
      );
    out.push('');
  }
  if (summary.findings.length === 0) out.push('No hunt found activity.', '');

  out.push(
    `## ATT&CK coverage by tactic (ATT&CK ${summary.attackVersion})`,
    '',
    '| tactic | hunts run | with findings | techniques seen |',
    '|---|---|---|---|',
  );
  for (const c of summary.attackCoverage)
    out.push(row([c.tactic, String(c.huntsRun), String(c.huntsWithFindings), c.techniques.join(', ')]));
  out.push('');

  if (summary.coverageGaps.length > 0) {
    out.push('## Coverage gaps', '', '| source | status | what cannot be investigated |', '|---|---|---|');
    for (const gap of summary.coverageGaps) out.push(row([gap.title, gap.status, gap.consequence], 1_000));
    out.push('');
  }

  if (story) out.push(...renderLogGaps(story));

  out.push('## Failed hunts', '');
  if (summary.failedHunts.length === 0) out.push('None.');
  for (const f of summary.failedHunts) out.push(`- ${code(f.huntId)}: ${text(f.error)}`);
  if (summary.suppressedByAllowlist.length > 0) {
    out.push('', '## Left out by the allowlist', '');
    for (const s of summary.suppressedByAllowlist) out.push(`- ${code(s.huntId)}: ${s.count} row(s)`);
  }
  out.push('', `## Hunts not run (${summary.huntsNotRun.length})`, '');
  const scope = scopeSentence(summary.scope);
  if (scope) out.push(text(scope), '');
  if (summary.huntsNotRun.length === 0) out.push('None.');
  for (const g of huntsNotRunByReason(summary.huntsNotRun))
    out.push(`- ${g.huntIds.length} hunt(s): ${text(g.reason)} (${g.huntIds.map(code).join(', ')})`);
  if (summary.recordsSetAside.length > 0) {
    out.push(
      '',
      '## Records set aside',
      '',
      'Each record is in `quarantine/<source>.jsonl` with its position and reason.',
      '',
    );
    for (const f of summary.recordsSetAside) {
      const nulled = f.nulledValues > 0 ? `, ${f.nulledValues} value(s) read as NULL` : '';
      out.push(`- ${code(f.file)}: ${f.quarantined} of ${f.records} record(s) set aside${nulled}`);
    }
  }
  out.push('', '## Inputs skipped', '');
  if (summary.skipped.length === 0) out.push('None: every input found was read.');
  for (const k of summary.skipped) out.push(`- ${code(k.input)} (${k.stage}): ${text(k.reason)}`);
  if (scanCost) out.push('', '## Bytes scanned and cost', '', `${text(scanCostLine(scanCost))}.`);
  out.push(
    '',
    '## Evidence',
    '',
    'Every file of this case is listed with its SHA-256 in `manifest.json`.',
    '',
  );
  return out.join('\n');
}

export function row(cells: (string | null)[], width = 120): string {
  return `| ${cells.map((c) => cell(c, width)).join(' | ')} |`;
}

/** The rows a hunt wrote, and all it matched when a configured cap cut the CSV short. */
function rowsLine(r: HuntResultRecord): string {
  return r.truncated && r.rowsInCsv !== undefined
    ? `${r.rowsInCsv} of ${r.rowCount} row(s) in the CSV (a row cap was configured)`
    : `${r.rowCount} row(s)`;
}

function cell(value: string | null, width: number): string {
  if (value === null || value === '') return '—';
  return text(value.length > width ? `${value.slice(0, width - 3)}...` : value);
}
