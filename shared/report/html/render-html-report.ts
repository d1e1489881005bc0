import type { NewHits } from '../../domain/case-files/new-hits-file.js';
import type { CaseSummary, TimelineEntry } from '../../domain/case-files/summary-file.js';
import type { HuntResultRecord } from '../../domain/hunt-result.js';
import type { ScanCost } from '../../domain/scan-cost.js';
import type { StoryFiles } from '../../story/story-files.js';
import { describeEntry, type HuntRow } from '../case-timeline.js';
import { findingColumns } from '../finding-columns.js';
import { newHitsHtml } from '../render-new-hits.js';
import type { ReportFacts } from '../report-facts.js';
import { caseCharts } from './case-charts.js';
import { esc } from './escape-html.js';
import { firstScreen } from './first-screen.js';
import { caseRecordSections } from './record-sections.js';
import { reportStyle, timelineFilterScript } from './report-page-assets.js';

const FINDING_ROWS = 10;
const LONG_CELL = 70;

export interface HtmlReportInput {
  summary: CaseSummary;
  results: HuntResultRecord[];
  /** One per record, unfolded: what the charts count. */
  hits: TimelineEntry[];
  facts: ReportFacts;
  rowsOf: (r: HuntResultRecord) => HuntRow[];
  /** The log sources a hunt reads, to place its hits in the per-source chart and filter. */
  sourcesOf: (huntId: string) => string[];
  /** Each source's records per hour, where the engine counted them (the embedded one does). */
  recordsPerHour: ReadonlyMap<string, { hour: string; records: number }[]>;
  engineVersion: string | null;
  story?: StoryFiles;
  /** A re-run's hits that no earlier run had: the page leads with them. */
  newHits?: NewHits;
  scanCost: ScanCost;
}

/**
 * `report.html`: report.md's content as one self-contained page (styles and the filter script
 * inline, charts as SVG, no request to anywhere), led by an incident-report first screen.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { summary } = input;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Case ${esc(summary.caseId)}: incident report</title>
<style>${reportStyle}</style>
</head>
<body>
<header><h1>Case ${esc(summary.caseId)}</h1>
<p class="muted">Logs read from ${esc(summary.observed.firstEventTime ?? '—')} to ${esc(summary.observed.lastEventTime ?? '—')} · window ${esc(summary.window.from ?? 'start of the logs')} to ${esc(summary.window.to ?? 'end of the logs')} · engine ${esc(summary.engine)} · ${summary.hunts.run} hunts run · times in UTC</p></header>
${input.newHits ? newHitsHtml(input.newHits) : ''}
${firstScreen(summary, input.facts, input.story)}
${caseCharts(input)}
${timeline(input)}
${findings(input)}
${caseRecordSections(summary, input.results, input.engineVersion, input.scanCost)}
<script>${timelineFilterScript}</script>
</body>
</html>
`;
}

function timeline(input: HtmlReportInput): string {
  const { summary } = input;
  const entries = summary.timeline;
  const actors = [...new Set(entries.map((e) => e.actor).filter((a): a is string => !!a))].sort();
  const sources = [...new Set(entries.flatMap((e) => sourcesOfEntry(input, e)))].sort();
  const option = (v: string) => `<option value="${esc(v)}">${esc(v)}</option>`;
  const limits = summary.timelineLimits;
  const notes = [
    `Built from every row of every finding, up to ${limits.rowsPerFinding} per finding; a record found by several hunts is one entry at the highest severity.`,
    ...limits.cut.map(
      (c) =>
        `${c.rowsLeftOut} more row(s) of <code>${esc(c.huntId)}</code> are in <a href="${esc(c.resultsFile ?? '')}">${esc(c.resultsFile)}</a>.`,
    ),
    ...(limits.entriesLeftOut > 0
      ? [`${limits.entriesLeftOut} less severe entries beyond ${limits.entries} are left out.`]
      : []),
  ];
  const rows = entries.map((e) => {
    const what = describeEntry(e);
    const hunts = e.hunts.map((h) => h.huntId).join(', ');
    return `<tr class="${e.ioc ? 'ioc' : ''}" data-severity="${esc(e.severity)}" data-actor="${esc(e.actor ?? '')}" data-sources="${esc(sourcesOfEntry(input, e).join(' '))}" data-ioc="${e.ioc}">
<td>${esc(e.time)}</td><td><span class="sev sev-${esc(e.severity)}">${esc(e.severity)}</span>${e.ioc && e.severity !== 'ioc' ? ' <span class="sev sev-ioc">ioc</span>' : ''}</td>
<td>${esc(what)}<br><span class="muted">${esc(hunts)}</span></td><td>${esc(e.eventName)}</td><td>${esc(e.outcome)}</td><td>${esc(e.actor)}</td><td>${esc(e.sourceIp)}</td>
<td>${esc(e.accountId)}${e.region ? ` / ${esc(e.region)}` : ''}</td><td>${esc(e.accessKeyId)}</td>${longCell(e.userAgent)}${longCell(e.target)}</tr>`;
  });
  return `<section id="timeline-section"><h2>Timeline</h2>
<p class="muted">${notes.join(' ')}</p>
<form id="timeline-filters" class="filters" onsubmit="return false">
<label>Severity at least <select name="severity"><option value="info">any</option><option value="low">low</option><option value="medium">medium</option><option value="high">high</option><option value="critical">critical</option></select></label>
<label>Actor <select name="actor"><option value="">any</option>${actors.map(option).join('')}</select></label>
<label>Source <select name="source"><option value="">any</option>${sources.map(option).join('')}</select></label>
<label><input type="checkbox" name="ioc"> indicator rows only</label>
<span id="timeline-count" class="muted"></span></form>
${entries.length === 0 ? '<p>No hunt reported an event.</p>' : `<div class="scroll"><table id="timeline"><thead><tr><th>time (UTC)</th><th>severity</th><th>what</th><th>event</th><th>outcome</th><th>actor</th><th>source IP</th><th>account / region</th><th>access key</th><th>user agent</th><th>target</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`}
</section>`;
}

/** A long logged value (a user agent) shown clipped, whole in its tooltip. */
function longCell(value: string | null): string {
  if (!value) return '<td></td>';
  const shown = value.length > LONG_CELL ? `${value.slice(0, LONG_CELL - 1)}…` : value;
  return `<td class="long" title="${esc(value)}">${esc(shown)}</td>`;
}

function sourcesOfEntry(input: HtmlReportInput, e: TimelineEntry): string[] {
  return [...new Set(e.hunts.flatMap((h) => input.sourcesOf(h.huntId)))];
}

function findings(input: HtmlReportInput): string {
  const byId = new Map(input.results.map((r) => [r.huntId, r]));
  const sections = input.summary.findings.map((f) => {
    const r = byId.get(f.huntId);
    if (!r) return '';
    const columns = findingColumns(r);
    const rows = input.rowsOf(r).slice(0, FINDING_ROWS);
    const csv = r.resultsFile ? `<a href="${esc(r.resultsFile)}">${esc(r.resultsFile)}</a>` : '';
    return `<article id="finding-${esc(r.huntId)}"><h3><span class="sev sev-${esc(r.severity)}">${esc(r.severity)}</span> ${esc(r.title)}</h3>
<p class="muted"><code>${esc(r.huntId)}</code> · ATT&amp;CK ${esc(r.mitre.join(', '))} · ${r.rowCount} row(s) · ${csv}</p>
<p><strong>Why it matters.</strong> ${esc(r.description)}</p>
<p><strong>What to check next.</strong> ${esc(r.triage)}</p>
<div class="scroll"><table><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((row) => `<tr>${columns.map((c) => `<td>${esc(row[c])}</td>`).join('')}</tr>`)
      .join('')}</tbody></table></div>
${r.rowCount > rows.length ? `<p>…and ${r.rowCount - rows.length} more in ${csv}.</p>` : ''}
${r.suppressedByAllowlist.count > 0 ? `<p>${r.suppressedByAllowlist.count} more row(s) matched the case's allowlist and are left out (see <code>hunts/${esc(r.huntId)}.json</code>).</p>` : ''}
</article>`;
  });
  return `<section id="findings"><h2>Findings</h2>${sections.length === 0 ? '<p>No hunt found activity.</p>' : sections.join('\n')}</section>`;
}
