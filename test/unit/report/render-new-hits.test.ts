import { describe, expect, it } from 'vitest';
import type { NewHits } from '../../../shared/domain/case-files/new-hits-file.js';
import { UNBOUNDED_TO } from '../../../shared/domain/time-window.js';
import { newHitsHtml, newHitsMarkdown } from '../../../shared/report/render-new-hits.js';

const hostile = '<script>alert(1)</script> | `x` \n## injected';

function newHits(rows: NewHits['newHits']): NewHits {
  return {
    caseId: 'c',
    run: 3,
    window: { from: '2024-05-16T09:40:00.000Z', to: '2024-05-16T12:00:00.000Z' },
    comparedWith: [1, 2],
    newHits: rows,
    seenBefore: 4,
    keys: {},
  };
}

const hit = (huntId: string, severity: NewHits['newHits'][number]['severity'], actor: string) => ({
  huntId,
  title: `${huntId} title`,
  severity,
  recordId: `${huntId}-id`,
  row: { event_time: '2024-05-16T10:00:00Z', actor, source_ip: '203.0.113.77' },
});

describe("a re-run's new hits in the report", () => {
  it('lead with the most severe hunt and say how many hits were found again', () => {
    const md = newHitsMarkdown(newHits([hit('low-one', 'low', 'a'), hit('high-one', 'high', 'b')]));
    expect(md[0]).toBe('## New in run 3');
    expect(md).toContain(
      'Window 2024-05-16T09:40:00.000Z to 2024-05-16T12:00:00.000Z. 2 new hit(s) since run(s) 1, 2; 4 hit(s) found again are not repeated.',
    );
    const headings = md.filter((l) => l.startsWith('### '));
    expect(headings).toEqual(['### high-one title (high, 1 new)', '### low-one title (low, 1 new)']);
  });

  it('say plainly when a run found nothing new', () => {
    expect(newHitsMarkdown(newHits([]))).toContain(
      'Window 2024-05-16T09:40:00.000Z to 2024-05-16T12:00:00.000Z. Nothing new: every hit of run 3 (4) was already found by run(s) 1, 2.',
    );
  });

  it('say a local run without an end searched to the end of the logs, not to the year 9999', () => {
    const open = { ...newHits([]), window: { from: '2024-05-16T09:40:00.000Z', to: UNBOUNDED_TO } };
    expect(newHitsMarkdown(open).join('\n')).toContain(
      'Window 2024-05-16T09:40:00.000Z to the end of the logs.',
    );
    expect(newHitsHtml(open)).not.toContain('9999');
  });

  it('keep text from the logs inert: no table cell, line, heading or HTML element comes from it', () => {
    const md = newHitsMarkdown(newHits([hit('h', 'high', hostile)]));
    const tableRows = md.filter((l) => l.startsWith('| 2024'));
    expect(tableRows).toHaveLength(1);
    expect(tableRows[0]?.split(/(?<!\\)\|/).length).toBe(5);
    expect(md.filter((l) => l.startsWith('## '))).toEqual(['## New in run 3']);
    const html = newHitsHtml(newHits([hit('h', 'high', hostile)]));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });
});
