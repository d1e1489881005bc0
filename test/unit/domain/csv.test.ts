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

describe('cells a spreadsheet would run (OWASP CSV injection)', () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+cmd|/c calc', "'+cmd|/c calc"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\r=CR', `"'\r=CR"`],
  ])('neutralises %j with a leading quote', (value, cell) => {
    expect(toCsv(['v'], [{ v: value }])).toBe(`v\r\n${cell}\r\n`);
  });

  it.each(['-1', '+3.5', '-2.5e3', 'arn:aws:iam::1:user/=x', ' =leading space'])(
    'leaves %j as it is',
    (value) => {
      expect(toCsv(['v'], [{ v: value }])).toBe(`v\r\n${value}\r\n`);
    },
  );

  it('neutralises a hostile column name too', () => {
    expect(toCsv(['=x'], [])).toBe("'=x\r\n");
  });
});
