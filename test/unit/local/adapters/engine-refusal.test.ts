import { describe, expect, it } from 'vitest';
import { refusedRecord, startsAsQuoted } from '../../../../shared/local/adapters/engine-refusal.js';

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
    expect(startsAsQuoted('{ "eventVersion": "1.09",\n  "eventTime": "2024-05-01T10:00:00Z" }', quoted)).toBe(
      true,
    );
    expect(startsAsQuoted('{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z"}', quoted)).toBe(false);
    expect(startsAsQuoted('{"anything":1}', null)).toBe(true);
  });
});
