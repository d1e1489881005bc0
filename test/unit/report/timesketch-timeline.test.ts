import { describe, expect, it } from 'vitest';
import { fromCsv } from '../../../shared/domain/csv.js';
import { caseTimeline } from '../../../shared/report/case-timeline.js';
import { timesketchTimeline } from '../../../shared/report/timesketch-timeline.js';
import { eventRow, eventRows, huntResult } from './hunt-results.js';

describe('timeline.csv for Timesketch (https://timesketch.org/guides/user/import-from-json-csv/)', () => {
  const burst = eventRows('burst', 30);
  const both = eventRow('both', '2025-03-11T03:21:34Z', { user_agent: 'evil, "quoted"\nagent' });
  const rows = new Map([
    ['secrets-read', [...burst, both]],
    ['offensive-tool', [both]],
  ]);
  const results = [
    huntResult({ huntId: 'secrets-read', severity: 'high' }, [...burst, both]),
    huntResult({ huntId: 'offensive-tool', severity: 'medium' }, [both]),
  ];
  const { hits } = caseTimeline(results, (r) => rows.get(r.huntId) ?? []);
  const csv = fromCsv(timesketchTimeline(hits));

  it('starts with the columns Timesketch requires: message, datetime, timestamp_desc', () => {
    expect(csv.columns.slice(0, 4)).toEqual(['message', 'datetime', 'timestamp', 'timestamp_desc']);
    for (const row of csv.rows) {
      expect(row.message).not.toBe('');
      expect(new Date(row.datetime ?? '').toISOString()).toBeTruthy();
      expect(row.timestamp_desc).not.toBe('');
    }
  });

  it('has one row per hit: repeats are not folded, and a record two hunts found is one row', () => {
    expect(csv.rows).toHaveLength(31);
    const merged = csv.rows.find((r) => r.event_id === 'both');
    expect(merged?.hunts).toBe('secrets-read offensive-tool');
    expect(merged?.user_agent).toBe('evil, "quoted"\nagent');
  });

  it('gives the timestamp in microseconds since the epoch, as Timesketch stores it', () => {
    const row = csv.rows.find((r) => r.event_id === 'both');
    expect(row?.timestamp).toBe(String(Date.parse('2025-03-11T03:21:34Z') * 1000));
  });
});
