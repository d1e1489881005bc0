import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../../shared/domain/hunt-definition.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { compileSigmaRule } from '../../../shared/hunts/sigma/compile-sigma.js';
import { parametersOutsideWhere, placeholderCount } from '../../support/parameter-placement.js';

const library = await loadHuntLibrary();
const sigmaFolder = join(import.meta.dirname, '../../fixtures/sigma/cloudtrail');
const sigma = readdirSync(sigmaFolder).map(
  (file) => compileSigmaRule(readFileSync(join(sigmaFolder, file), 'utf8'), file).hunt,
);
const withParameters = (hunts: HuntDefinition[]) =>
  hunts.filter((hunt) => hunt.sql.includes('?')).map((hunt) => [hunt.id, hunt] as const);

// https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html
describe('execution parameters sit only in WHERE clauses, as Athena documents them', () => {
  it.each([
    ['a select list', 'SELECT ? AS x FROM cloudtrail', ['columns']],
    [
      'a CTE select list, as the pivots once bound their IOC lists',
      'WITH ioc AS (SELECT split(?, chr(10)) AS ips) SELECT c.eventid FROM cloudtrail c CROSS JOIN ioc WHERE contains(ioc.ips, c.sourceipaddress)',
      ['with > columns'],
    ],
    [
      'a subquery select list inside WHERE',
      'SELECT eventid FROM cloudtrail WHERE eventname IN (SELECT ? AS n)',
      ['where > columns'],
    ],
    ['a join condition', 'SELECT a.eventid FROM cloudtrail a JOIN cloudtrail b ON a.eventid = ?', ['from']],
    ['HAVING', 'SELECT eventname FROM cloudtrail GROUP BY eventname HAVING count(*) > ?', ['having']],
  ])('finds a parameter in %s', (_where, sql, found) => {
    expect(parametersOutsideWhere(sql)).toEqual(found);
  });

  it.each([
    ['the WHERE of the query', "SELECT eventid FROM cloudtrail WHERE eventname = ? AND useragent LIKE '%?%'"],
    [
      'the WHERE of a CTE',
      'WITH m AS (SELECT eventid FROM cloudtrail WHERE eventname = ?) SELECT eventid FROM m',
    ],
    [
      'a subquery in WHERE',
      'SELECT eventid FROM cloudtrail WHERE eventname IN (SELECT n FROM names WHERE k = ?)',
    ],
  ])('accepts a parameter in %s', (_where, sql) => {
    expect(parametersOutsideWhere(sql)).toEqual([]);
  });

  it('does not count a question mark inside a string literal', () => {
    expect(placeholderCount("SELECT 1 FROM t WHERE a = ? AND b = '?'")).toBe(1);
  });

  it.each(withParameters(library))('library hunt %s', (_id, hunt) => {
    expect(parametersOutsideWhere(hunt.sql)).toEqual([]);
    expect(placeholderCount(hunt.sql)).toBe(hunt.parameters?.length ?? 0);
  });

  it.each(withParameters(sigma))('compiled Sigma hunt %s', (_id, hunt) => {
    expect(parametersOutsideWhere(hunt.sql)).toEqual([]);
  });

  it('covers every pivot hunt', () => {
    expect(withParameters(library).map(([id]) => id)).toEqual(
      expect.arrayContaining(library.filter((h) => h.kind === 'pivot').map((h) => h.id)),
    );
    expect(withParameters(sigma).length).toBe(sigma.length);
  });
});
