import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../shared/domain/csv.js';

describe('hunt rows as CSV', () => {
  it('quotes only values that need it and leaves null cells empty', () => {
    const csv = toCsv(
      ['a', 'b', 'c'],
      [
        { a: 'plain', b: 'with, comma', c: null },
        { a: 'say "hi"', b: 'two\nlines', c: '' },
      ],
    );
    expect(csv).toBe('a,b,c\r\nplain,"with, comma",\r\n"say ""hi""","two\nlines",\r\n');
  });

  it('writes the header even when there are no rows', () => {
    expect(toCsv(['event_time'], [])).toBe('event_time\r\n');
  });
});
