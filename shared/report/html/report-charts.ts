import type { Severity } from '../../domain/hunt-definition.js';
import { esc } from './escape-html.js';

/**
 * Charts as inline SVG drawn when the report is built. The page then needs no chart library and
 * no script to show them: they print, they survive a mail client or a locked-down viewer, and the
 * report stays a few kilobytes larger instead of the 50 KB a canvas library would add.
 */

export const severityColours: Record<Severity | 'ioc', string> = {
  critical: '#b3261e',
  high: '#e0653a',
  medium: '#e8a33d',
  low: '#7a9cc6',
  info: '#9aa5b1',
  ioc: '#7b4bb7',
};

export interface Bar {
  label: string;
  value: number;
  colour: string;
}

/** Horizontal bars, longest first as given; each label is escaped text. */
export function barChart(title: string, bars: Bar[]): string {
  if (bars.length === 0) return '';
  const rowHeight = 20;
  const labelWidth = 380;
  const barWidth = 300;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const height = bars.length * rowHeight + 8;
  const rows = bars.map((b, i) => {
    const y = i * rowHeight + 4;
    const w = Math.max(2, Math.round((b.value / max) * barWidth));
    return (
      `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${esc(clip(b.label, 54))}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 6}" fill="${b.colour}"><title>${esc(b.label)}: ${b.value}</title></rect>` +
      `<text x="${labelWidth + w + 4}" y="${y + 14}">${b.value}</text>`
    );
  });
  return figure(title, labelWidth + barWidth + 60, height, rows.join(''));
}

export interface SourceSeries {
  source: string;
  /** Hits per bucket, by severity. */
  hits: Map<number, Partial<Record<Severity | 'ioc', number>>>;
  /** Every record of the source per bucket, when the engine counted them. */
  volume: Map<number, number>;
}

/**
 * Events over time, one band per log source: the source's volume as grey bars (its own scale),
 * the hits in front of it stacked by severity, so where an intrusion starts, how it spreads
 * across sources and when it stops reads at a glance.
 */
export function hitsOverTime(title: string, from: number, to: number, series: SourceSeries[]): string {
  if (series.length === 0 || !(to >= from)) return '';
  const bucketMs = bucketFor(to - from);
  const start = Math.floor(from / bucketMs) * bucketMs;
  const buckets = Math.max(1, Math.ceil((to - start + 1) / bucketMs));
  const left = 110;
  const width = 720;
  const band = 70;
  const step = width / buckets;
  const order: (Severity | 'ioc')[] = ['critical', 'high', 'ioc', 'medium', 'low', 'info'];
  const max = Math.max(1, ...series.flatMap((s) => [...s.hits.values()].map(total)));
  const parts: string[] = [];
  series.forEach((s, i) => {
    const base = (i + 1) * band;
    parts.push(
      `<text x="${left - 8}" y="${base - band / 2}" text-anchor="end">${esc(s.source)}</text>`,
      `<line x1="${left}" x2="${left + width}" y1="${base}" y2="${base}" stroke="#ccc"/>`,
    );
    const loudest = Math.max(1, ...s.volume.values());
    for (const [bucket, n] of s.volume) {
      const h = Math.max(1, (n / loudest) * (band - 14));
      const x = left + ((bucket - start) / bucketMs) * step;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#dde3e8"><title>${new Date(bucket).toISOString()} ${n} records</title></rect>`,
      );
    }
    for (const [bucket, counts] of s.hits) {
      let y = base;
      const x = left + ((bucket - start) / bucketMs) * step;
      for (const severity of order) {
        const n = counts[severity] ?? 0;
        if (n === 0) continue;
        const h = Math.max(2, (n / max) * (band - 14));
        y -= h;
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(2, step - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${severityColours[severity]}"><title>${new Date(bucket).toISOString()} ${severity}: ${n}</title></rect>`,
        );
      }
    }
  });
  const axisY = series.length * band + 16;
  parts.push(
    `<text x="${left}" y="${axisY}">${esc(new Date(start).toISOString().slice(0, 16))}Z</text>`,
    `<text x="${left + width}" y="${axisY}" text-anchor="end">${esc(new Date(start + buckets * bucketMs).toISOString().slice(0, 16))}Z</text>`,
    `<text x="${left + width / 2}" y="${axisY}" text-anchor="middle">one bar per ${bucketMs >= 86_400_000 ? 'day' : bucketMs >= 3_600_000 ? `${bucketMs / 3_600_000} h` : `${bucketMs / 60_000} min`}</text>`,
  );
  return figure(title, left + width + 20, axisY + 8, parts.join(''));
}

/** About 150 bars across the span, on a round step. */
function bucketFor(spanMs: number): number {
  const steps = [60_000, 5 * 60_000, 15 * 60_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 86_400_000];
  return steps.find((s) => spanMs / s <= 150) ?? 86_400_000 * Math.ceil(spanMs / 86_400_000 / 150);
}

/** Hourly volumes cannot be drawn on buckets finer than an hour. */
export function bucketsAtLeastHourly(from: number, to: number): boolean {
  return bucketFor(to - from) >= 3_600_000;
}

export function bucketOf(time: number, from: number, to: number): number {
  const bucketMs = bucketFor(to - from);
  return Math.floor(time / bucketMs) * bucketMs;
}

const total = (c: Partial<Record<string, number>>) =>
  Object.values(c).reduce<number>((a, b) => a + (b ?? 0), 0);

function figure(title: string, width: number, height: number, body: string): string {
  return (
    `<figure class="chart"><figcaption>${esc(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${body}</svg></figure>`
  );
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
