import { type HuntResultRecord, SAMPLE_ROWS } from '../../../shared/domain/hunt-result.js';
import { huntResult as filedHuntResult } from '../../support/hunt-results.js';

type Row = Record<string, string | null>;

/** A succeeded hunt's record with the given rows (the sample holds the first rows, as RunHunt keeps). */
export function huntResult(
  overrides: Partial<HuntResultRecord> & { huntId: string },
  rows: Row[],
): HuntResultRecord {
  return filedHuntResult({
    title: `Title of ${overrides.huntId}`,
    description: 'why',
    triage: 'what next',
    rowCount: rows.length,
    columns: overrides.columns ?? Object.keys(rows[0] ?? {}),
    sample: rows.slice(0, SAMPLE_ROWS),
    ...overrides,
  });
}

/** A CloudTrail event row with the shared leading columns. */
export function eventRow(eventid: string, time: string, extra: Row = {}): Row {
  return {
    event_time: time,
    event_name: 'GetSecretValue',
    actor: 'arn:aws:iam::111122223333:user/intruder',
    source_ip: '203.0.113.77',
    account_id: '111122223333',
    region: 'eu-west-1',
    eventid,
    ...extra,
  };
}

/** `n` rows a minute apart from 2025-03-11T02:00Z, ids `<prefix>-<i>`. */
export function eventRows(prefix: string, n: number, extra: Row = {}): Row[] {
  return Array.from({ length: n }, (_, i) =>
    eventRow(
      `${prefix}-${i}`,
      new Date(Date.UTC(2025, 2, 11, 2, i)).toISOString().replace('.000Z', 'Z'),
      extra,
    ),
  );
}
