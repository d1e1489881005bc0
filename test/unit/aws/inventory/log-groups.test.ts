import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type LogGroup,
  AccessDeniedException as LogsAccessDeniedException,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import type { LogGroupCandidate } from '../../../../shared/aws/inventory/findings.js';
import { EXPORTED_BY_NAME, findLogGroupExports } from '../../../../shared/aws/inventory/log-groups.js';
import { ACCOUNT, accountScope, deniedMessage, regional } from '../../../support/aws-inventory-kit.js';

const window = { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' };
const now = new Date('2024-05-02T10:00:00Z');

function logGroup(name: string, fields: Partial<LogGroup> = {}): LogGroup {
  const arn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${name}`;
  return {
    logGroupName: name,
    creationTime: Date.parse('2023-06-01T00:00:00Z'),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    logGroupArn: arn,
    storedBytes: 1_048_576,
    logGroupClass: 'STANDARD',
    ...fields,
  };
}

const candidate = (logGroup: string, fields: Partial<LogGroupCandidate> = {}): LogGroupCandidate => ({
  logGroup,
  region: 'us-east-1',
  source: 'vpcflow',
  writer: `flow log fl-01 (vpc-0aaa)`,
  ...fields,
});

function setUp() {
  const logs = regional((region) => new CloudWatchLogsClient({ region }), ['us-east-1']);
  return { logs, scope: accountScope(['us-east-1'], { cloudWatchLogs: logs.factory }) };
}

describe('findLogGroupExports', () => {
  it('exports the groups services write to with their source, once, and notes those missing or empty', async () => {
    const { logs, scope } = setUp();
    logs
      .mock('us-east-1')
      .on(DescribeLogGroupsCommand)
      .resolves({
        logGroups: [
          logGroup('/aws/eks/prod/cluster'),
          logGroup('vpc-flow-prod', { retentionInDays: 14 }),
          logGroup('aws-waf-logs-api', { storedBytes: 0 }),
          logGroup('/ecs/web'),
        ],
      });
    const notes: string[] = [];

    const exports = await findLogGroupExports(
      scope,
      {
        window,
        now,
        patterns: EXPORTED_BY_NAME,
        candidates: [
          candidate('/aws/eks/prod/cluster', { source: 'eksaudit', writer: 'EKS cluster prod' }),
          candidate('vpc-flow-prod'),
          candidate('vpc-flow-prod', { writer: 'flow log fl-02 (subnet-0bbb)' }),
          candidate('aws-waf-logs-api', { source: 'waf', writer: 'web ACL api (us-east-1)' }),
          candidate('/dns/deleted', { source: 'route53resolver', writer: 'the Resolver configuration dns' }),
        ],
        exportable: true,
      },
      { notes, gaps: [] },
    );

    const retained = { ...window, lostBefore: null };
    expect(exports).toEqual([
      {
        logGroup: '/aws/eks/prod/cluster',
        account: ACCOUNT,
        region: 'us-east-1',
        ...retained,
        source: 'eksaudit',
      },
      { logGroup: 'vpc-flow-prod', account: ACCOUNT, region: 'us-east-1', ...retained, source: 'vpcflow' },
    ]);
    expect(notes).toEqual([
      'Log group aws-waf-logs-api in us-east-1, written by web ACL api (us-east-1), holds no events.',
      'Log group /dns/deleted in us-east-1, written by the Resolver configuration dns, does not exist: it was ' +
        'deleted, or nothing was ever delivered.',
    ]);
  });

  it('makes a group whose retention lost the whole window a coverage gap of its source', async () => {
    const { logs, scope } = setUp();
    const expired = logGroup('/aws/lambda/api', { retentionInDays: 1 });
    logs
      .mock('us-east-1')
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [expired] });
    const found = { notes: [] as string[], gaps: [] };

    const exports = await findLogGroupExports(
      scope,
      {
        window,
        now: new Date('2024-05-10T00:00:00Z'),
        patterns: EXPORTED_BY_NAME,
        candidates: [],
        exportable: true,
      },
      found,
    );

    expect(exports).toEqual([]);
    const reason = expect.stringMatching(
      /^Log group \/aws\/lambda\/api in us-east-1 keeps events for 1 days: /,
    );
    expect(found.notes).toEqual([reason]);
    expect(found.gaps).toEqual([
      { source: 'lambda', region: 'us-east-1', reason, status: 'out-of-retention' },
    ]);
  });

  it('notes rather than exports the groups of an account the export step cannot reach', async () => {
    const { logs, scope } = setUp();
    logs
      .mock('us-east-1')
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [logGroup('/aws/lambda/api'), logGroup('vpc-flow-prod')] });
    const notes: string[] = [];

    const exports = await findLogGroupExports(
      scope,
      {
        window,
        now,
        patterns: EXPORTED_BY_NAME,
        candidates: [candidate('vpc-flow-prod')],
        exportable: false,
      },
      { notes, gaps: [] },
    );

    expect(exports).toEqual([]);
    expect(notes).toEqual([
      "2 log group(s) in us-east-1 are not exported (/aws/lambda/api, vpc-flow-prod): export tasks run with the case account's " +
        "own credentials, which cannot read this account's groups.",
    ]);
  });

  it('says which candidates cannot be looked up when DescribeLogGroups is denied', async () => {
    const { logs, scope } = setUp();
    logs
      .mock('us-east-1')
      .on(DescribeLogGroupsCommand)
      .rejects(
        new LogsAccessDeniedException({
          message: deniedMessage('logs:DescribeLogGroups'),
          $metadata: { httpStatusCode: 400 },
        }),
      );
    const notes: string[] = [];

    await findLogGroupExports(
      scope,
      { window, now, patterns: EXPORTED_BY_NAME, candidates: [candidate('vpc-flow-prod')], exportable: true },
      { notes, gaps: [] },
    );

    expect(notes).toEqual([
      expect.stringMatching(/^CloudWatch Logs DescribeLogGroups in us-east-1 was denied/),
      'Log group vpc-flow-prod in us-east-1 (written by flow log fl-01 (vpc-0aaa)) is not exported: without ' +
        'DescribeLogGroups its existence and retention are unknown.',
    ]);
  });
});
