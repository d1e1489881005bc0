import type { TimelineEntry } from '../../domain/case-files/summary-file.js';
import { tacticsOfTechnique } from '../attack/attack-techniques.js';
import type { HtmlReportInput } from './render-html-report.js';
import {
  type Bar,
  barChart,
  bucketOf,
  bucketsAtLeastHourly,
  hitsOverTime,
  type SourceSeries,
  severityColours,
} from './report-charts.js';

const TOP = 10;

/** The charts: hits over time per source, per hunt, per tactic, and who and where among them. */
export function caseCharts(input: HtmlReportInput): string {
  const { hits, summary, results } = input;
  if (hits.length === 0) return '';
  const span = timeSpan(hits);
  const logs = atLeastAnHour({
    from: Date.parse(summary.observed.firstEventTime ?? '') || span.from,
    to: Date.parse(summary.observed.lastEventTime ?? '') || span.to,
  });
  const serious = hits.filter((h) => h.ioc || ['critical', 'high', 'medium'].includes(h.severity));
  const zoom = timeSpan(serious.length > 0 ? serious : hits);
  const margin = Math.max(15 * 60_000, (zoom.to - zoom.from) / 10);
  const zoomed = { from: zoom.from - margin, to: zoom.to + margin };
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
${hitsOverTime('Events over the whole span of the logs, per log source, hits in colour', logs.from, logs.to, perSource(input, hits, logs))}
${hitsOverTime('Close-up on the medium-and-above activity', zoomed.from, zoomed.to, perSource(input, hits, zoomed))}
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

/** A span of a few seconds would draw one bar across the whole chart. */
function atLeastAnHour(span: { from: number; to: number }): { from: number; to: number } {
  const missing = 3_600_000 - (span.to - span.from);
  return missing > 0 ? { from: span.from - missing / 2, to: span.to + missing / 2 } : span;
}

function timeSpan(hits: TimelineEntry[]): { from: number; to: number } {
  const times = hits.flatMap((h) => [Date.parse(h.time), Date.parse(h.lastTime)]).filter(Number.isFinite);
  return { from: Math.min(...times), to: Math.max(...times) };
}

/** Hits within the span, bucketed per log source of the hunts that found them. */
function perSource(input: HtmlReportInput, hits: TimelineEntry[], span: { from: number; to: number }) {
  const series = new Map<string, SourceSeries>();
  const volumes = bucketsAtLeastHourly(span.from, span.to);
  for (const [source, hours] of input.recordsPerHour) {
    const volume = new Map<number, number>();
    for (const { hour, records } of volumes ? hours : []) {
      const time = Date.parse(hour);
      if (!(time >= span.from - 3_600_000 && time <= span.to)) continue;
      const bucket = bucketOf(Math.max(time, span.from), span.from, span.to);
      volume.set(bucket, (volume.get(bucket) ?? 0) + records);
    }
    series.set(source, { source, hits: new Map(), volume });
  }
  for (const h of hits) {
    const time = Date.parse(h.time);
    if (!(time >= span.from && time <= span.to)) continue;
    for (const source of new Set(h.hunts.flatMap((x) => input.sourcesOf(x.huntId)))) {
      const s = series.get(source) ?? { source, hits: new Map(), volume: new Map() };
      const bucket = bucketOf(time, span.from, span.to);
      const counts = s.hits.get(bucket) ?? {};
      counts[h.severity] = (counts[h.severity] ?? 0) + 1;
      s.hits.set(bucket, counts);
      series.set(source, s);
    }
  }
  return [...series.values()];
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
