import { describe, expect, it } from 'vitest';
import { iocParameter, parseIocs } from '../../../shared/domain/iocs.js';

describe('indicators of compromise in a request', () => {
  it('keeps each list once, without duplicates', () => {
    expect(
      parseIocs({ accessKeyIds: ['AKIAEXAMPLE000000001', 'AKIAEXAMPLE000000001'], ips: ['203.0.113.7'] }),
    ).toEqual({
      accessKeyIds: ['AKIAEXAMPLE000000001'],
      ips: ['203.0.113.7'],
    });
  });

  it('travels to the engine as one newline-joined parameter; domains are compared in lower case', () => {
    const iocs = parseIocs({ domains: ['Evil.Example.com.', 'pool.example.net'] });
    expect(iocParameter(iocs, 'domains')).toBe('evil.example.com\npool.example.net');
    expect(iocParameter(iocs, 'ips')).toBe('');
  });

  it.each([
    [{ accessKeyIds: ['AKIA EXAMPLE'] }, /not a valid accessKeyIds/],
    [{ userAgents: ['two\nlines'] }, /not a valid userAgents/],
    [{ ips: ['203.0.113.7:443'] }, /not a valid ips/],
    [{ hashes: ['abc'] }, /Unknown IOC type 'hashes'/],
    [{ ips: '203.0.113.7' }, /must be a list/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseIocs(raw)).toThrow(message);
  });
});
