import { describe, expect, it } from 'vitest';
import { caseTimeline, TIMELINE_ROWS_PER_FINDING } from '../../../shared/report/case-timeline.js';
import { eventRow, eventRows, huntResult } from './hunt-results.js';

const rowsFrom =
  (rows: Map<string, Record<string, string | null>[]>) =>
  (r: { huntId: string; sample: Record<string, string | null>[] }) =>
    rows.get(r.huntId) ?? r.sample;

describe('the case timeline', () => {
  it('reads every row of the CSV, not the 25 of the sample: the last event reaches the timeline', () => {
    const rows = eventRows('e', 40, { error_code: null });
    const hunt = huntResult({ huntId: 'secrets-read', severity: 'high' }, rows);
    const { hits, limits } = caseTimeline([hunt], rowsFrom(new Map([['secrets-read', rows]])));
    expect(hits).toHaveLength(40);
    expect(hits.at(-1)?.eventId).toBe('e-39');
    expect(limits.cut).toEqual([]);
  });

  it('stops at the stated limit per finding and says how many rows are left in which CSV', () => {
    const rows = eventRows('e', TIMELINE_ROWS_PER_FINDING + 7);
    const hunt = huntResult({ huntId: 'noisy' }, rows);
    const { hits, limits } = caseTimeline([hunt], rowsFrom(new Map([['noisy', rows]])));
    expect(hits).toHaveLength(TIMELINE_ROWS_PER_FINDING);
    expect(limits.cut).toEqual([{ huntId: 'noisy', resultsFile: 'hunts/noisy.csv', rowsLeftOut: 7 }]);
  });

  it('shows a record two hunts found once, at the higher severity, naming both hunts', () => {
    const row = eventRow('same-event', '2025-03-11T03:21:34Z', { error_code: null });
    const low = huntResult({ huntId: 'offensive-tool', severity: 'medium' }, [row]);
    const critical = huntResult({ huntId: 'logging-stopped', severity: 'critical' }, [row]);
    const { timeline } = caseTimeline([low, critical], (r) => r.sample);
    expect(timeline).toHaveLength(1);
    expect(timeline[0]?.severity).toBe('critical');
    expect(timeline[0]?.huntId).toBe('logging-stopped');
    expect(timeline[0]?.hunts.map((h) => h.huntId)).toEqual(['offensive-tool', 'logging-stopped']);
  });

  it("marks an event the case's indicators did without lowering the detection's severity", () => {
    const row = eventRow('pivoted', '2025-03-11T03:00:00Z');
    const pivot = huntResult({ huntId: 'ioc-activity', kind: 'pivot' }, [row]);
    const detection = huntResult({ huntId: 'flow-logs-deleted', severity: 'high' }, [row]);
    const [entry] = caseTimeline([pivot, detection], (r) => r.sample).timeline;
    expect(entry?.ioc).toBe(true);
    expect(entry?.severity).toBe('high');
  });

  it('says whether the call worked: the error code when there is one, success when it is empty', () => {
    const denied = eventRow('denied', '2025-03-11T03:00:00Z', { error_code: 'AccessDenied' });
    const done = eventRow('done', '2025-03-11T03:05:00Z', { error_code: null });
    const unknown = eventRow('unknown', '2025-03-11T03:10:00Z');
    const withCode = huntResult({ huntId: 'with-code', columns: Object.keys(denied) }, [denied, done]);
    const withoutCode = huntResult({ huntId: 'without-code' }, [unknown]);
    const outcomes = caseTimeline([withCode, withoutCode], (r) => r.sample).hits.map((h) => [
      h.eventId,
      h.outcome,
    ]);
    expect(outcomes).toEqual([
      ['denied', 'failed: AccessDenied'],
      ['done', 'succeeded'],
      ['unknown', null],
    ]);
  });

  it('gives a behaviour row its addresses, user agent and span, and names what an event acted on', () => {
    const behaviour = huntResult({ huntId: 'new-address', kind: 'behaviour', severity: 'low' }, [
      {
        first_seen: '2025-03-11T02:47:13Z',
        last_seen: '2025-03-11T02:53:15Z',
        actor: 'arn:aws:iam::111122223333:user/svc',
        event_count: '27',
        eventids: 'a,b',
        source_ips: '203.0.113.77,198.51.100.1',
        user_agents: 'aws-cli/2.15 | boto3',
      },
    ]);
    const shared = huntResult({ huntId: 'snapshot-shared', reportColumns: ['shared_with'] }, [
      eventRow('s', '2025-03-11T03:14:37Z', { snapshot: 'snap-1', shared_with: '999988887777' }),
    ]);
    const [first, second] = caseTimeline([behaviour, shared], (r) => r.sample).timeline;
    expect(first).toMatchObject({
      sourceIp: '203.0.113.77, 198.51.100.1',
      userAgent: 'aws-cli/2.15 and 1 more',
      repeats: 27,
      lastTime: '2025-03-11T02:53:15Z',
      eventId: null,
    });
    expect(second?.target).toBe('shared_with: 999988887777');
  });
});
