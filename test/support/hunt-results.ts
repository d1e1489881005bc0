import type { HuntResultRecord } from '../../shared/domain/hunt-result.js';

/** A hunt's record as RunHunt files it, with what a test changes. */
export function huntResult(
  overrides: Partial<HuntResultRecord> & Pick<HuntResultRecord, 'huntId'>,
): HuntResultRecord {
  return {
    title: overrides.huntId,
    description: 'Why it matters.',
    severity: 'medium',
    kind: 'event',
    mitre: [],
    tactics: [],
    triage: 'What to check next.',
    status: 'SUCCEEDED',
    engine: 'duckdb',
    query: 'SELECT 1',
    parameters: [],
    rowCount: 0,
    truncated: false,
    columns: ['event_time', 'event_name', 'actor', 'source_ip', 'account_id', 'region', 'eventid'],
    sample: [],
    resultsFile: `hunts/${overrides.huntId}.csv`,
    suppressedByAllowlist: { count: 0, sample: [] },
    durationMs: 1,
    bytesScanned: null,
    queryId: null,
    error: null,
    ...overrides,
  };
}

export const event = (time: string, eventName: string, actor: string, eventid: string) => ({
  event_time: time,
  event_name: eventName,
  actor,
  source_ip: '203.0.113.7',
  account_id: '111122223333',
  region: 'us-east-1',
  eventid,
});
