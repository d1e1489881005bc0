import type { TimelineEntry } from '../../domain/case-files/summary-file.js';
import { tacticsOfTechnique } from '../attack/attack-techniques.js';
import type { HtmlReportInput } from './render-html-report.js';
import {
  type Bar,
  barChart,
  bucketOf,
  hitsOverTime,
  type SourceSeries,
  severityColours,
} from './report-charts.js';

const TOP = 10;

/** The charts: hits over time per source, per hunt, per tactic, and who and where among them. */
export function caseCharts(input: HtmlReportInput): string {
  const { hits, summary, results } = input;
  if (hits.length === 0) return '';
  const times = hits.flatMap((h) => [Date.parse(h.time), Date.parse(h.lastTime)]).filter(Number.isFinite);
  const from = Math.min(...times);
  const to = Math.max(...times);
  const series = new Map<string, SourceSeries>();
  for (const h of hits) {
    for (const source of new Set(h.hunts.flatMap((x) => input.sourcesOf(x.huntId)))) {
      const s = series.get(source) ?? { source, hits: new Map() };
      const bucket = bucketOf(Date.parse(h.time), from, to);
      const counts = s.hits.get(bucket) ?? {};
      counts[h.severity] = (counts[h.severity] ?? 0) + 1;
      s.hits.set(bucket, counts);
      series.set(source, s);
    }
  }
  const byId = new Map(results.map((r) => [r.huntId, r]));
  const tactics = new Map<string, number>();
  for (const h of hits)
    for (const tactic of new Set(
      h.hunts.flatMap((x) => {
        const r = byId.get(x.huntId);
        return r ? r.mitre.flatMap((t) => tacticsOfTechnique(t, r.tactics)) : [];
      }),
    ))
      tactics.set(tactic, (tactics.get(tactic) ?? 0) + 1);
  const perHunt: Bar[] = summary.findings.map((f) => ({
    label: f.title,
    value: f.rowCount,
    colour: severityColours[f.severity],
  }));
  const perTactic: Bar[] = [...tactics]
    .sort((a, b) => b[1] - a[1])
    .map(([label, value]) => ({ label, value, colour: '#4a6fa5' }));
  return `<section id="charts"><h2>At a glance</h2>
${hitsOverTime('Hits over time, per log source (stacked by severity)', from, to, [...series.values()])}
<p class="muted">${legend()}</p>
${barChart('Rows per finding', perHunt)}
${barChart('Hits per ATT&CK tactic', perTactic)}
${barChart(
  'Top actors among hits',
  top(hits, (h) => [h.actor]),
)}
${barChart(
  'Top source addresses among hits',
  top(hits, (h) => (h.sourceIp ?? '').split(/,\s*/)),
)}
</section>`;
}

function top(hits: TimelineEntry[], values: (h: TimelineEntry) => (string | null)[]): Bar[] {
  const counts = new Map<string, number>();
  for (const h of hits)
    for (const v of values(h)) if (v && !/ more$/.test(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([label, value]) => ({ label, value, colour: '#4a6fa5' }));
}

function legend(): string {
  return (Object.keys(severityColours) as (keyof typeof severityColours)[])
    .map((s) => `<span class="sev sev-${s}">${s}</span>`)
    .join(' ');
}
