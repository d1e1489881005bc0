import { describe, expect, it } from 'vitest';
import { assessCoverage, completeCoverage } from '../../../shared/domain/coverage.js';
import type { Inventory } from '../../../shared/domain/inventory.js';

const inventory = (overrides: Partial<Inventory>): Inventory => ({
  discoveredAt: '2024-05-01T00:00:00.000Z',
  sources: [],
  skipped: [],
  notes: [],
  ...overrides,
});

describe('coverage of the log sources a responder relies on', () => {
  it('lists every known source, with the consequence of each missing one', () => {
    const coverage = assessCoverage(
      inventory({ sources: [{ source: 'cloudtrail', location: 's3://trail-bucket/' }] }),
    );
    expect(coverage.find((c) => c.source === 'cloudtrail')).toMatchObject({
      status: 'present',
      consequence: null,
    });
    expect(coverage.find((c) => c.source === 'vpcflow')).toMatchObject({
      status: 'missing',
      consequence: expect.stringMatching(/network connections/),
    });
  });

  it('keeps an adapter’s reason when a source covers only part of the estate', () => {
    const coverage = assessCoverage(
      inventory({
        sources: [
          { source: 'vpcflow', location: 's3://flow/', details: { coverage: 'vpc-0abc has no flow log' } },
        ],
      }),
    );
    expect(coverage.find((c) => c.source === 'vpcflow')).toMatchObject({
      status: 'partial',
      consequence: expect.stringContaining('vpc-0abc has no flow log'),
    });
  });

  it('marks a CloudWatch-only source partial when retention already dropped the start of the window', () => {
    const coverage = assessCoverage(
      inventory({
        exports: [
          {
            logGroup: '/aws/eks/prod/cluster',
            account: '111122223333',
            region: 'eu-west-1',
            from: '2024-04-20T00:00:00.000Z',
            to: '2024-05-01T00:00:00.000Z',
            lostBefore: '2024-04-20T00:00:00.000Z',
          },
        ],
      }),
    );
    expect(coverage.find((c) => c.source === 'eksaudit')).toMatchObject({
      status: 'partial',
      detail: expect.stringContaining('events before 2024-04-20T00:00:00.000Z expired'),
    });
  });

  it('marks a source out of retention from the inventory’s gap, not from the wording of a note', () => {
    const reason =
      'Log group /aws/lambda/api in eu-west-1 keeps events for 7 days: nothing of the window is left.';
    const coverage = assessCoverage(
      inventory({
        notes: ['Log group /aws/eks/prod/cluster: without DescribeLogGroups its retention is unknown.'],
        gaps: [{ source: 'lambda', reason, status: 'out-of-retention' }],
      }),
    );
    expect(coverage.find((c) => c.source === 'lambda')).toMatchObject({
      status: 'out-of-retention',
      detail: reason,
    });
    expect(coverage.find((c) => c.source === 'eksaudit')).toMatchObject({ status: 'missing' });
  });

  it('says why a source is missing, and makes one partial, from the inventory’s gaps', () => {
    const coverage = assessCoverage(
      inventory({
        sources: [{ source: 'vpcflow', location: 's3://flow/' }],
        gaps: [
          { source: 'vpcflow', reason: 'vpc-0abc in eu-west-1 has no flow log' },
          { source: 'eksaudit', reason: 'EKS cluster prod in eu-west-1 has audit logging off' },
          { source: 'eksaudit', reason: 'EKS cluster prod in eu-west-1 has audit logging off' },
        ],
      }),
    );
    expect(coverage.find((c) => c.source === 'vpcflow')).toMatchObject({
      status: 'partial',
      detail: 'vpc-0abc in eu-west-1 has no flow log',
    });
    expect(coverage.find((c) => c.source === 'eksaudit')).toMatchObject({
      status: 'missing',
      detail: 'EKS cluster prod in eu-west-1 has audit logging off',
      consequence: expect.stringMatching(/^No EKS audit logs/),
    });
  });

  it('counts an exported group as the source the service writing it named', () => {
    const coverage = assessCoverage(
      inventory({
        exports: [
          {
            logGroup: 'vpc-flow-prod',
            account: '111122223333',
            region: 'eu-west-1',
            from: '2024-04-20T00:00:00.000Z',
            to: '2024-05-01T00:00:00.000Z',
            lostBefore: null,
            source: 'vpcflow',
          },
        ],
      }),
    );
    expect(coverage.find((c) => c.source === 'vpcflow')).toMatchObject({
      status: 'present',
      detail: 'CloudWatch Logs vpc-flow-prod',
    });
  });
});

describe('coverage once the tables are built', () => {
  it('counts a source read from exported CloudWatch logs as present', () => {
    const [eks] = completeCoverage(
      [
        {
          source: 'eksaudit',
          title: 'EKS',
          status: 'missing',
          detail: 'not found',
          consequence: 'No EKS audit logs.',
        },
      ],
      [{ source: 'eksaudit', recordCount: 12, locations: ['/cases/c1/exports/eks/'] }],
    );
    expect(eks).toMatchObject({
      status: 'present',
      consequence: null,
      detail: 'read from /cases/c1/exports/eks/',
    });
  });

  it('leaves a source missing when its table is empty', () => {
    const [eks] = completeCoverage(
      [
        {
          source: 'eksaudit',
          title: 'EKS',
          status: 'missing',
          detail: 'not found',
          consequence: 'No EKS audit logs.',
        },
      ],
      [{ source: 'eksaudit', recordCount: 0, locations: [] }],
    );
    expect(eks?.status).toBe('missing');
  });
});
