import { describe, expect, it } from 'vitest';
import { openCaseContext } from '../../../shared/domain/case.js';
import { narrowInventory, parseCaseScope } from '../../../shared/domain/case-scope.js';
import type { HuntDefinition } from '../../../shared/domain/hunt-definition.js';
import { selectHunts } from '../../../shared/domain/hunt-selection.js';
import type { Inventory } from '../../../shared/domain/inventory.js';
import { InvalidRequestError } from '../../../shared/errors.js';

const huntDefinition = (hunt: Pick<HuntDefinition, 'id' | 'sources'>) => hunt as unknown as HuntDefinition;
const now = new Date('2024-05-10T00:00:00Z');

describe("a case's scope", () => {
  it('is every account, region and source when the request names none', () => {
    expect(openCaseContext({}, 'duckdb', now).scope).toEqual({
      accounts: null,
      regions: null,
      sources: null,
    });
  });

  it('keeps the asked lists, sorted and without repeats, in the case context', () => {
    const context = openCaseContext(
      {
        accounts: ['222233334444', '111122223333', '222233334444'],
        regions: ['eu-west-1'],
        sources: ['vpcflow', 'cloudtrail'],
      },
      'athena',
      now,
    );
    expect(context.scope).toEqual({
      accounts: ['111122223333', '222233334444'],
      regions: ['eu-west-1'],
      sources: ['cloudtrail', 'vpcflow'],
    });
  });

  it.each([
    ['an empty list', { regions: [] }, /'regions' is an empty list/],
    ['an unknown source', { sources: ['cloudtrial'] }, /'cloudtrial' in 'sources' is not a known source/],
    ['an account id that is not 12 digits', { accounts: ['12345678901'] }, /not a 12-digit account id/],
    [
      'a region that is not a region name',
      { regions: ['eu-west'] },
      /'eu-west' in 'regions' is not a region name/,
    ],
    ['a list of something else', { accounts: '111122223333' }, /'accounts' must be a list/],
    ['a number among the accounts', { accounts: [111122223333] }, /not a 12-digit account id/],
    [
      'more accounts than a workflow state should carry',
      { accounts: Array.from({ length: 1001 }, (_, i) => String(100000000000 + i)) },
      /'accounts' names 1001 items; at most 1000/,
    ],
  ])('refuses %s, naming the field', (_, request, message) => {
    expect(() => parseCaseScope(request)).toThrow(InvalidRequestError);
    expect(() => parseCaseScope(request)).toThrow(message);
  });
});

const organisationTrail: Inventory['sources'][number] = {
  source: 'cloudtrail',
  location: 's3://org-trail/AWSLogs/o-abcdefghij/',
  organizationId: 'o-abcdefghij',
  accounts: ['111122223333', '222233334444', '333344445555'],
  regions: ['eu-west-1', 'us-east-1'],
};
const inventory: Inventory = {
  discoveredAt: '2024-05-10T00:00:00.000Z',
  sources: [
    organisationTrail,
    {
      source: 'vpcflow',
      location: 's3://flows/AWSLogs/',
      accounts: ['333344445555'],
      regions: ['eu-west-1'],
    },
    { source: 's3access', location: 's3://access-logs/' },
  ],
  skipped: [],
  notes: [],
  exports: [
    {
      logGroup: '/aws/eks/prod/cluster',
      account: '111122223333',
      region: 'eu-west-1',
      from: 'a',
      to: 'b',
      lostBefore: null,
    },
    {
      logGroup: '/aws/eks/dev/cluster',
      account: '333344445555',
      region: 'eu-west-1',
      from: 'a',
      to: 'b',
      lostBefore: null,
    },
    {
      logGroup: 'waf-logs',
      account: '111122223333',
      region: 'eu-west-1',
      from: 'a',
      to: 'b',
      lostBefore: null,
      source: 'waf',
    },
  ],
};

describe('an inventory narrowed to the scope', () => {
  it('is unchanged for the whole estate', () => {
    expect(narrowInventory(inventory, { accounts: null, regions: null, sources: null })).toBe(inventory);
  });

  it('keeps only the asked accounts and regions of a shared trail, so the Athena projection lists only those', () => {
    const narrowed = narrowInventory(inventory, {
      accounts: ['111122223333'],
      regions: ['eu-west-1'],
      sources: null,
    });
    const trail = narrowed.sources.find((s) => s.source === 'cloudtrail');
    expect(trail).toMatchObject({ accounts: ['111122223333'], regions: ['eu-west-1'] });
    expect(trail?.details?.outOfScope).toBe('not read for this case: 222233334444, 333344445555, us-east-1');
  });

  it('lists a location or log group of other accounts as skipped with the reason, never silently', () => {
    const narrowed = narrowInventory(inventory, { accounts: ['111122223333'], regions: null, sources: null });
    expect(narrowed.sources.map((s) => s.source)).toEqual(['cloudtrail', 's3access']);
    expect(narrowed.exports?.map((e) => e.logGroup)).toEqual(['/aws/eks/prod/cluster', 'waf-logs']);
    expect(narrowed.skipped).toEqual([
      {
        input: 'vpcflow logs at s3://flows/AWSLogs/',
        reason:
          "outside the case's scope: it holds accounts 333344445555, none of those asked for (111122223333)",
        stage: 'inventory',
      },
      {
        input: 'log group /aws/eks/dev/cluster',
        reason: "outside the case's scope: account 333344445555 is not among those asked for (111122223333)",
        stage: 'inventory',
      },
    ]);
  });

  it('drops sources not asked for, with their log groups, and says in the coverage why they are missing', () => {
    const narrowed = narrowInventory(inventory, {
      accounts: null,
      regions: null,
      sources: ['cloudtrail', 'eksaudit'],
    });
    expect(narrowed.sources.map((s) => s.source)).toEqual(['cloudtrail']);
    expect(narrowed.exports?.map((e) => e.logGroup)).toEqual([
      '/aws/eks/prod/cluster',
      '/aws/eks/dev/cluster',
    ]);
    expect(narrowed.skipped.map((s) => s.input)).toEqual([
      'vpcflow logs at s3://flows/AWSLogs/',
      's3access logs at s3://access-logs/',
      'log group waf-logs',
    ]);
    expect(narrowed.gaps).toContainEqual({
      source: 'vpcflow',
      reason: "not asked for (the case's sources: cloudtrail, eksaudit)",
    });
    expect(narrowed.gaps?.some((g) => g.source === 'cloudtrail')).toBe(false);
  });

  it('names an asked account or region that no log names (a typo, or an account with no logs)', () => {
    const narrowed = narrowInventory(inventory, {
      accounts: ['111122223333', '999988887777'],
      regions: ['eu-west-1', 'eu-wset-1'],
      sources: ['cloudtrail', 'guardduty'],
    });
    expect(narrowed.notes).toEqual([
      expect.stringMatching(/^No guardduty logs were found in the case's scope/),
      expect.stringMatching(/^Account 999988887777 was asked for, but no log found names it/),
      expect.stringMatching(/^Region eu-wset-1 was asked for, but no log found names it/),
      expect.stringMatching(
        /^CloudTrail records IAM, STS and CloudFront calls in us-east-1, which is not among/,
      ),
    ]);
  });

  it('warns that IAM, STS and CloudFront events are left out only when CloudTrail is read without us-east-1', () => {
    const note = /^CloudTrail records IAM, STS and CloudFront calls in us-east-1/;
    const notes = (scope: Parameters<typeof narrowInventory>[1]) => narrowInventory(inventory, scope).notes;
    expect(notes({ accounts: null, regions: ['eu-west-1'], sources: null })).toContainEqual(
      expect.stringMatching(note),
    );
    expect(notes({ accounts: null, regions: ['eu-west-1', 'us-east-1'], sources: null })).not.toContainEqual(
      expect.stringMatching(note),
    );
    expect(notes({ accounts: null, regions: ['eu-west-1'], sources: ['vpcflow'] })).not.toContainEqual(
      expect.stringMatching(note),
    );
  });
});

describe('hunts and the scope', () => {
  it('says a hunt was not run because its source is outside the scope, not because logs are missing', () => {
    const library = [
      huntDefinition({ id: 'flow-to-bad-ip', sources: ['vpcflow'] }),
      huntDefinition({ id: 'dns-tunnel', sources: ['route53resolver'] }),
      huntDefinition({ id: 'root-login', sources: ['cloudtrail'] }),
    ];
    const selection = selectHunts(library, ['cloudtrail'], null, {}, ['cloudtrail', 'route53resolver']);
    expect(selection.run).toEqual(['root-login']);
    expect(selection.notRun).toEqual([
      {
        huntId: 'flow-to-bad-ip',
        reason: "reads vpcflow, outside the case's sources (cloudtrail, route53resolver)",
      },
      { huntId: 'dns-tunnel', reason: 'no readable route53resolver logs for this case' },
    ]);
  });
});
