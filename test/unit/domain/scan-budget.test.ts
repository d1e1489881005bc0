import { describe, expect, it } from 'vitest';
import { type AthenaEstimate, billed } from '../../../shared/domain/athena-estimate.js';
import {
  caseScanBudget,
  deploymentScanBudget,
  huntsWithinBudget,
} from '../../../shared/domain/scan-budget.js';
import { InvalidRequestError } from '../../../shared/errors.js';

const MB = 2 ** 20;

function estimate(copyMb: number, hunts: Record<string, number>): AthenaEstimate {
  const each = Object.entries(hunts).map(([huntId, mb]) => ({
    huntId,
    readsCopy: true,
    ...billed(mb * MB, 5),
  }));
  const copies = copyMb > 0 ? [{ source: 'cloudtrail' as const, ...billed(copyMb * MB, 5) }] : [];
  const none = billed(0, 5);
  return {
    pricePerTbUsd: 5,
    onePassMinHunts: 3,
    sourceBytes: { cloudtrail: copyMb * MB },
    listing: { complete: true },
    copies,
    hunts: each,
    direct: none,
    withOnePass: none,
    ratioToSource: 0,
  };
}

describe('the case scan budget', () => {
  it('pays the copy first, then runs hunts most severe first while they fit, naming each hunt left out', () => {
    const result = huntsWithinBudget(
      estimate(100, { 'low-cheap': 10, 'critical-big': 60, 'high-huge': 200, 'medium-mid': 20 }),
      [
        { id: 'low-cheap', severity: 'low' },
        { id: 'critical-big', severity: 'critical' },
        { id: 'high-huge', severity: 'high' },
        { id: 'medium-mid', severity: 'medium' },
      ],
      185 * MB,
    );
    expect(result.run).toEqual(['critical-big', 'medium-mid']);
    const reason = `over the case's scan budget of ${185 * MB} bytes (each hunt's estimate is in athena-estimate.json)`;
    expect(result.notRun).toEqual([
      { huntId: 'high-huge', reason },
      { huntId: 'low-cheap', reason },
    ]);
  });

  it('counts every query at its billed size: a hunt scanning 1 KB costs 10 MB of the budget', () => {
    const result = huntsWithinBudget(
      estimate(0, { a: 0.001, b: 0.001 }),
      [
        { id: 'a', severity: 'high' },
        { id: 'b', severity: 'high' },
      ],
      15 * MB,
    );
    expect(result.run).toEqual(['a']);
    expect(result.notRun.map((h) => h.huntId)).toEqual(['b']);
  });

  it('runs under the smaller of the request’s and the deployment’s budget, and none when neither sets one', () => {
    expect(caseScanBudget(5 * MB, 3 * MB)).toBe(3 * MB);
    expect(caseScanBudget(2 * MB, 3 * MB)).toBe(2 * MB);
    expect(caseScanBudget(null, 3 * MB)).toBe(3 * MB);
    expect(caseScanBudget(undefined, undefined)).toBeNull();
  });

  it('reads the stack parameter: 0 or empty for none, a whole number of bytes otherwise', () => {
    expect(deploymentScanBudget('0')).toBeUndefined();
    expect(deploymentScanBudget('')).toBeUndefined();
    expect(deploymentScanBudget(undefined)).toBeUndefined();
    expect(deploymentScanBudget('1073741824')).toBe(1073741824);
    expect(() => deploymentScanBudget('1e3.5')).toThrow(InvalidRequestError);
    expect(() => deploymentScanBudget('-5')).toThrow(InvalidRequestError);
  });
});
