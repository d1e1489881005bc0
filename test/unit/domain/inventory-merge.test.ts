import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../shared/domain/inventory.js';
import { mergeInventories } from '../../../shared/domain/inventory-merge.js';

const part = (overrides: Partial<Inventory>): Inventory => ({
  discoveredAt: '2024-05-01T00:00:00.000Z',
  sources: [],
  skipped: [],
  notes: [],
  ...overrides,
});

describe('merging the inventories of several accounts', () => {
  it('keeps every source, note and export in a fixed order, whatever order the accounts finished in', () => {
    const prod = part({
      sources: [{ source: 'vpcflow', location: 's3://prod-flow/', accounts: ['111111111111'] }],
      notes: ['Account 111111111111: Security Hub is not enabled.'],
    });
    const staging = part({
      sources: [{ source: 'cloudtrail', location: 's3://org-trail/', accounts: ['222222222222'] }],
      exports: [
        {
          logGroup: '/aws/eks/stg/cluster',
          account: '222222222222',
          region: 'eu-west-1',
          from: 'a',
          to: 'b',
          lostBefore: null,
        },
      ],
    });
    const merged = mergeInventories([prod, staging], [], '2024-05-02T00:00:00.000Z');
    expect(merged.sources.map((s) => s.source)).toEqual(['cloudtrail', 'vpcflow']);
    expect(mergeInventories([staging, prod], [], '2024-05-02T00:00:00.000Z')).toEqual(merged);
    expect(merged.exports).toHaveLength(1);
    expect(merged.notes).toEqual(['Account 111111111111: Security Hub is not enabled.']);
  });

  it('names an account that could not be inventoried, and why', () => {
    const merged = mergeInventories(
      [],
      [{ account: '333333333333', error: 'AccessDenied', cause: 'not authorized to perform sts:AssumeRole' }],
      '2024-05-02T00:00:00.000Z',
    );
    expect(merged.notes).toEqual([
      'Account 333333333333 could not be inventoried (AccessDenied): not authorized to perform sts:AssumeRole',
    ]);
  });
});
