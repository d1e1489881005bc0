import { describe, expect, it } from 'vitest';
import { asExecutionParameter } from '../../../shared/aws/athena-query-engine.js';
import {
  iocParameter,
  iocParameterSets,
  iocsNotIn,
  parseIocs,
  unionOfIocs,
} from '../../../shared/domain/iocs.js';

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

describe('IOC lists longer than one query parameter may hold', () => {
  it('stay one run while every list is short', () => {
    expect(
      iocParameterSets(['ips', 'domains'], parseIocs({ ips: ['203.0.113.7'] }), (v) => v.length <= 100),
    ).toEqual([['203.0.113.7', '']]);
  });

  it('are split into runs that each bind one slice of one list, covering every value once', () => {
    const ips = Array.from({ length: 12 }, (_, i) => `203.0.113.${i + 10}`);
    const sets = iocParameterSets(
      ['accessKeyIds', 'ips'],
      parseIocs({ ips, accessKeyIds: ['AKIAEXAMPLE000000001'] }),
      (v) => v.length <= 50,
    );
    expect(sets.every(([keys, addresses]) => (keys === '') !== (addresses === ''))).toBe(true);
    expect(sets.every((set) => set.every((value) => value.length <= 50))).toBe(true);
    expect(sets.flatMap(([, addresses]) => (addresses ? addresses.split('\n') : [])).sort()).toEqual(
      [...ips].sort(),
    );
    expect(sets.filter(([keys]) => keys !== '')).toEqual([['AKIAEXAMPLE000000001', '']]);
  });

  // https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html: 1,024 characters a value, as sent.
  it("measure a run as Athena receives it, quotes and each user agent's doubled quotes included", () => {
    const agent = `Mozilla/5.0 ${"'".repeat(250)} ${'x'.repeat(200)}`;
    const userAgents = [agent, `${agent}2`];
    const sets = iocParameterSets(['userAgents'], parseIocs({ userAgents }));
    expect(sets).toEqual([[agent], [`${agent}2`]]);
    for (const [value] of sets) expect(asExecutionParameter(value ?? '').length).toBeLessThanOrEqual(1024);
    expect(() => asExecutionParameter(userAgents.join('\n'))).toThrow(/at most 1024/);
  });

  it('refuses a single value that no run could carry once its quotes are escaped', () => {
    const agent = `curl ${"'".repeat(600)}`;
    expect(() => parseIocs({ userAgents: [agent] })).toThrow(/longer than one query parameter/);
    expect(() => parseIocs({ userAgents: [`curl ${'x'.repeat(600)}`] })).not.toThrow();
  });
});

describe('indicators a later run adds to a case', () => {
  const held = { ips: ['203.0.113.7'], userAgents: ['curl/8.0'] };

  it('keeps only the indicators the case does not hold yet, leaving out types with none', () => {
    expect(iocsNotIn(held, { ips: ['203.0.113.7', '198.51.100.2'], userAgents: ['curl/8.0'] })).toEqual({
      ips: ['198.51.100.2'],
    });
    expect(iocsNotIn(held, { ips: ['203.0.113.7'] })).toEqual({});
  });

  it('adds new indicators to those held, each once, in the order first seen', () => {
    expect(unionOfIocs(held, { ips: ['198.51.100.2', '203.0.113.7'], domains: ['evil.example'] })).toEqual({
      ips: ['203.0.113.7', '198.51.100.2'],
      userAgents: ['curl/8.0'],
      domains: ['evil.example'],
    });
  });
});
