import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  activityParameters,
  activitySql,
  credentialUseSql,
  dataEventsSql,
  MAX_PARAMETER_CHARS,
  mintingsByParameters,
  mintingsBySql,
  parameterRuns,
  silencesSql,
  storyEventsSql,
  usedMintingsSql,
  volumesSql,
} from '../../../shared/story/story-queries.js';
import { parametersOutsideWhere } from '../../support/parameter-placement.js';

const { Parser } = pkg;

const queries: [string, string][] = [
  ['story events', storyEventsSql],
  ['mintings of used credentials', usedMintingsSql],
  ['mintings by the attacker', mintingsBySql],
  ['credential use', credentialUseSql],
  ['volumes', volumesSql],
  ['data events', dataEventsSql],
  ['account silences', silencesSql(false)],
  ['region silences', silencesSql(true)],
  ['activity', activitySql],
];

// Athena takes execution parameters only in the WHERE clause
// (https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html).
describe.each(queries)('the %s query', (_name, sql) => {
  it('parses as Athena (Trino) SQL', () => {
    expect(() => new Parser().astify(sql, { database: 'trino' })).not.toThrow();
  });

  it('binds values only in a WHERE clause', () => {
    expect(parametersOutsideWhere(sql)).toEqual([]);
  });

  it('binds values only after its last WHERE', () => {
    const lastWhere = sql.lastIndexOf('WHERE');
    expect(sql.slice(0, Math.max(lastWhere, 0)).includes('?')).toBe(false);
  });
});

// Athena execution parameters take at most 1,024 characters each
// (https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html).
it('the activity query binds keys, principals (twice), addresses and accounts, a kind with none as a value no indicator is', () => {
  const { runs, tooLong } = activityParameters({
    principal: ['arn:aws:iam::111122223333:user/a'],
    ip: ['1.2.3.4'],
  });
  expect(runs).toEqual([
    [' ', 'arn:aws:iam::111122223333:user/a', 'arn:aws:iam::111122223333:user/a', '1.2.3.4', ' '],
  ]);
  expect(runs[0]).toHaveLength(activitySql.split('?').length - 1);
  expect(tooLong).toEqual([]);
});

describe('binding indicator lists as query parameters', () => {
  it('splits a long list into runs that each fit one parameter, keeping every value', () => {
    const keys = Array.from({ length: 120 }, (_, i) => `AKIA${String(i).padStart(16, '0')}`);
    const { runs, tooLong } = parameterRuns(keys);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.every((r) => r.length <= MAX_PARAMETER_CHARS)).toBe(true);
    expect(runs.flatMap((r) => r.split('\n'))).toEqual(keys);
    expect(tooLong).toEqual([]);
  });

  it('returns a value too long for any parameter apart instead of cutting it', () => {
    const long = `arn:aws:iam::111122223333:role/${'x'.repeat(1_100)}`;
    expect(parameterRuns(['1.2.3.4', long])).toEqual({ runs: ['1.2.3.4'], tooLong: [long] });
  });
});

describe("binding the attacker's addresses, keys and principals to the mintings query", () => {
  it('binds each list run by run, four values a run, and a list with no value left as one no caller can be', () => {
    const ips = Array.from({ length: 100 }, (_, i) => `203.0.113.${i}`);
    const { runs, tooLong } = mintingsByParameters({ ips, keys: ['AKIABACKDOOR00000001'], principals: [] });
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.every((r) => r.length === mintingsBySql.split('?').length - 1)).toBe(true);
    expect(runs.flatMap((r) => r[0]?.split('\n'))).toEqual(ips);
    expect(runs.map((r) => r[1])).toEqual(['AKIABACKDOOR00000001', ...Array(runs.length - 1).fill(' ')]);
    expect(runs.every((r) => r[2] === ' ' && r[3] === ' ')).toBe(true);
    expect(tooLong).toEqual([]);
  });

  it('returns a principal too long to bind apart, and runs nothing for empty lists', () => {
    const long = `arn:aws:sts::111122223333:assumed-role/${'r'.repeat(1_100)}/x`;
    expect(mintingsByParameters({ ips: [], keys: [], principals: [long] })).toEqual({
      runs: [],
      tooLong: [long],
    });
  });
});
