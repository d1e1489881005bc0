import { describe, expect, it } from 'vitest';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';

const record =
  '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser"},"eventTime":"2024-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers"}';

describe('recognising a log file by its content', () => {
  it.each([
    ['a CloudTrail delivery file', `{"Records":[${record}]}`, 'records-object'],
    ['a bare array of CloudTrail records', `[${record}]`, 'json-array'],
    ['CloudTrail records one per line', `${record}\n${record}\n`, 'json-lines'],
    [
      'a delivery file with a byte order mark and whitespace',
      `\uFEFF  {"Records" : [ ${record}]}`,
      'records-object',
    ],
    [
      'the output of aws cloudtrail lookup-events',
      `{"Events": [{"EventId": "1", "CloudTrailEvent": ${JSON.stringify(record)}}]}`,
      'lookup-events',
    ],
  ])('reads %s as CloudTrail', (_name, head, layout) => {
    expect(classifyLogFile(head)).toEqual({ kind: 'log', source: 'cloudtrail', layout });
  });

  it.each([
    ['an empty file', '', /empty file/],
    [
      'a digest file',
      '{"awsAccountId":"1","digestStartTime":"x","digestPublicKeyFingerprint":"y"}',
      /digest/,
    ],
    ['a delivery file with no records', '{"Records":[]}', /no records/],
    ['a list of something else', '[{"name":"x"}]', /unknown JSON array format/],
    ['plain text', 'hello there', /unknown format \(starts with "hello there"\)/],
    ['a Records list of other events', '{"Records":[{"eventName":"x"}]}', /not CloudTrail events/],
  ])('does not read %s, and says why', (_name, head, reason) => {
    const result = classifyLogFile(head);
    expect(result.kind).toBe('not-a-log');
    expect(result.kind === 'not-a-log' && result.reason).toMatch(reason);
  });
});
