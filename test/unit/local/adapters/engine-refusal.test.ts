import { describe, expect, it } from 'vitest';
import { holdsQuoted, refusedRecord } from '../../../../shared/local/adapters/engine-refusal.js';

describe('the record the embedded engine says it refuses', () => {
  it('is read from DuckDB’s message for a list’s element and for a line, with the start it quotes', () => {
    const element = new Error(
      'Invalid Input Error: JSON transform error in file "/x/a.json", in record/value 2: Object {"eventVersion":"1.09","eventTime":"2024-05-01T10:... has duplicate key "userAgent"',
    );
    expect(refusedRecord(element)).toEqual({
      value: 2,
      reason:
        'refused by the embedded engine: Object {"eventVersion":"1.09","eventTime":"2024-05-01T10:... has duplicate key "userAgent"',
      quoted: '{"eventVersion":"1.09","eventTime":"2024-05-01T10:',
    });
    const line = new Error(
      'Invalid Input Error: Malformed JSON in file "/x/b.jsonl", at byte 3 in line 7: unexpected character. ',
    );
    expect(refusedRecord(line)).toMatchObject({ value: 7, quoted: null });
  });

  it('is none where the engine names no record (an unreadable file, a full disk)', () => {
    expect(refusedRecord(new Error('IO Error: No space left on device'))).toBeNull();
    expect(
      refusedRecord(new Error('Invalid Input Error: File "/x/c.json.gz" is not a valid gzip file')),
    ).toBeNull();
  });

  it('is set aside only if it starts as the engine quoted it, however the record is spaced', () => {
    const quoted = '{"eventVersion":"1.09","eventTime":"2024-05-01T10:';
    expect(holdsQuoted('{ "eventVersion": "1.09",\n  "eventTime": "2024-05-01T10:00:00Z" }', quoted)).toBe(
      true,
    );
    expect(holdsQuoted('{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z"}', quoted)).toBe(false);
    expect(holdsQuoted('{"anything":1}', null)).toBe(true);
  });

  it('is set aside when the object the engine quotes is inside it, as a duplicate key in `userIdentity` is', () => {
    const quoted = '{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPL';
    const record =
      '{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPLE","type":"Root"}}';
    expect(holdsQuoted(record, quoted)).toBe(true);
    expect(holdsQuoted('{"eventVersion":"1.09","userIdentity":{"type":"Root"}}', quoted)).toBe(false);
  });

  it('is matched with its escapes decoded, as the engine writes the start it quotes, even one the quote cuts in two', () => {
    const quoted = '{"eventVersion":"1.09","eventTime":"2024-05-01T10:';
    expect(holdsQuoted('{"eventVersion":"1.09","eventTime":"2024-05-01T1\\u0030:00:00Z"}', quoted)).toBe(
      true,
    );
    expect(holdsQuoted('{"a":"x/y","b":"\\"q\\""}', '{"a":"x\\/y","b":"\\"q\\""}')).toBe(true);
    expect(holdsQuoted('{"a":"\\u00e9t\\u00e9"}', '{"a":"été"}')).toBe(true);
    expect(holdsQuoted('{"a":"été"}', '{"a":"\\u00')).toBe(true);
    expect(holdsQuoted('{"a":"b\\"c"}', '{"a":"b","c"')).toBe(false);
  });
});
