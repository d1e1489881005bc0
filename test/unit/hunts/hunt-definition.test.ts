import { describe, expect, it } from 'vitest';
import { validateHunt } from '../../../shared/domain/hunt-definition.js';

const hunt = (kind: string, sources: string[], sql: string) => ({
  id: 'sample-hunt',
  title: 'Sample',
  description: 'A sample hunt.',
  severity: 'medium',
  kind,
  sources,
  mitre: ['T1098'],
  tactics: ['persistence'],
  triage: 'Check it.',
  references: ['https://attack.mitre.org/techniques/T1098/'],
  sql,
  tests: [
    { name: 'positive', expect: 'match', records: [] },
    { name: 'negative', expect: 'no-match', records: [] },
  ],
});

const cloudtrailSelect = (columns: string) =>
  `SELECT eventtime AS event_time, eventname AS event_name, actor, sourceipaddress AS source_ip,
     recipientaccountid AS account_id, awsregion AS region, ${columns} FROM cloudtrail_events`;

describe('validateHunt: the leading columns are checked when the library loads', () => {
  it('accepts a CloudTrail event hunt returning eventid and outcome after the timeline columns', () => {
    expect(validateHunt(hunt('event', ['cloudtrail'], cloudtrailSelect('eventid, outcome, x')), 'f').id).toBe(
      'sample-hunt',
    );
  });

  it('refuses a CloudTrail event hunt without the outcome column, naming the file and the columns', () => {
    expect(() =>
      validateHunt(hunt('event', ['cloudtrail'], cloudtrailSelect('eventid, x')), 'f.yaml'),
    ).toThrow(
      /f\.yaml: the SQL must return event_time, event_name, actor, source_ip, account_id, region, eventid, outcome first/,
    );
  });

  it('refuses a behaviour hunt whose columns are out of order', () => {
    const sql =
      'SELECT actor, min(eventtime) AS first_seen, max(eventtime) AS last_seen, count(*) AS event_count, 1 AS eventids FROM cloudtrail_events GROUP BY actor';
    expect(() => validateHunt(hunt('behaviour', ['cloudtrail'], sql), 'f')).toThrow(
      /first_seen, last_seen, actor/,
    );
  });

  it('asks other sources only for the six timeline columns', () => {
    const sql = `SELECT t AS event_time, n AS event_name, a AS actor, ip AS source_ip, acct AS account_id, region, request_id FROM alb`;
    expect(validateHunt(hunt('event', ['alb'], sql), 'f').sources).toEqual(['alb']);
  });
});
