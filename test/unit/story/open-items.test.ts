import { describe, expect, it } from 'vitest';
import { findOpenItems } from '../../../shared/story/open-items.js';
import type { StoryEvent } from '../../../shared/story/story-event.js';
import { storyEvent } from '../../support/story-events.js';

const ATTACKER_IP = '203.0.113.77';
const byAttacker = (e: StoryEvent) => e.sourceIp === ATTACKER_IP;
const attacker = { sourceIp: ATTACKER_IP };
const responder = { sourceIp: '198.51.100.24', actorArn: 'arn:aws:iam::111122223333:user/maria' };

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html
const share = (time: string, side: 'add' | 'remove', who: Partial<StoryEvent>) =>
  storyEvent({
    eventName: 'ModifySnapshotAttribute',
    eventSource: 'ec2.amazonaws.com',
    region: 'eu-west-1',
    time,
    ...who,
    request: {
      snapshotId: 'snap-0a4e9c1f7b3d28e65',
      attributeType: 'CREATE_VOLUME_PERMISSION',
      createVolumePermission: { [side]: { items: [{ userId: '999988887777' }] } },
    },
  });

describe('what the attacker left open at the end of the logs', () => {
  it('lists a snapshot shared with an outside account, with the event that shared it, while no later event removes it', () => {
    const items = findOpenItems([share('2025-03-11T03:14:37Z', 'add', attacker)], byAttacker);
    expect(items).toMatchObject([
      {
        kind: 'snapshot share',
        resource: 'snapshot/snap-0a4e9c1f7b3d28e65',
        outsideAccounts: ['999988887777'],
        closed: null,
        opened: { eventName: 'ModifySnapshotAttribute', time: '2025-03-11T03:14:37Z' },
      },
    ]);
  });

  it('marks it undone by the later removal, and lists what is still open first', () => {
    const items = findOpenItems(
      [
        share('2025-03-11T03:14:37Z', 'add', attacker),
        storyEvent({
          eventName: 'CreateUser',
          time: '2025-03-11T03:15:00Z',
          ...attacker,
          request: { userName: 'svc-backup' },
        }),
        share('2025-03-12T09:00:00Z', 'remove', responder),
      ],
      byAttacker,
    );
    expect(items.map((i) => [i.kind, i.closed?.time ?? null])).toEqual([
      ['IAM user', null],
      ['snapshot share', '2025-03-12T09:00:00Z'],
    ]);
  });

  it('does not list what someone other than the attacker created', () => {
    expect(
      findOpenItems(
        [storyEvent({ eventName: 'CreateUser', time: 't', ...responder, request: { userName: 'new-hire' } })],
        byAttacker,
      ),
    ).toEqual([]);
  });

  it('pairs StopLogging with the StartLogging of the same trail, named by ARN or by name', () => {
    const items = findOpenItems(
      [
        storyEvent({
          eventName: 'StopLogging',
          time: '2025-03-11T03:21:34Z',
          ...attacker,
          request: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/prod' },
        }),
        storyEvent({
          eventName: 'StartLogging',
          time: '2025-03-11T08:52:37Z',
          ...responder,
          request: { name: 'other-trail' },
        }),
      ],
      byAttacker,
    );
    expect(items[0]?.closed).toBeNull();
    const restarted = findOpenItems(
      [
        storyEvent({
          eventName: 'StopLogging',
          time: '2025-03-11T03:21:34Z',
          ...attacker,
          request: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/prod' },
        }),
        storyEvent({
          eventName: 'StartLogging',
          time: '2025-03-11T08:52:37Z',
          ...responder,
          request: { name: 'prod' },
        }),
      ],
      byAttacker,
    );
    expect(restarted[0]?.closed?.time).toBe('2025-03-11T08:52:37Z');
  });

  it('a GuardDuty detector disabled stays open until enabled again, not when updated otherwise', () => {
    const detector = (time: string, enable: boolean, who: Partial<StoryEvent>) =>
      storyEvent({
        eventName: 'UpdateDetector',
        eventSource: 'guardduty.amazonaws.com',
        time,
        ...who,
        request: { detectorId: 'd-1', enable },
      });
    expect(
      findOpenItems([detector('t1', false, attacker), detector('t2', false, responder)], byAttacker)[0]
        ?.closed,
    ).toBeNull();
    expect(
      findOpenItems([detector('t1', false, attacker), detector('t2', true, responder)], byAttacker)[0]?.closed
        ?.time,
    ).toBe('t2');
  });

  it('a batch call that succeeded keeps out the items it lists as unsuccessful (DeleteFlowLogs partial failure)', () => {
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteFlowLogs.html: the response lists
    // the flow logs that could not be deleted in `unsuccessful`, each with its resource id and error.
    const deletion = storyEvent({
      eventName: 'DeleteFlowLogs',
      eventSource: 'ec2.amazonaws.com',
      time: '2025-03-11T03:00:19Z',
      ...attacker,
      request: {
        DeleteFlowLogsRequest: {
          FlowLogId: [{ content: 'fl-0b7e4d2a9c3f16e58' }, { content: 'fl-01234567890abcdef' }],
        },
      },
      response: {
        DeleteFlowLogsResponse: {
          unsuccessful: {
            item: {
              resourceId: 'fl-01234567890abcdef',
              error: { code: 'InvalidFlowLogId.NotFound', message: 'not found' },
            },
          },
        },
      },
    });
    expect(findOpenItems([deletion], byAttacker).map((i) => i.resource)).toEqual([
      'flow-logs-exist/fl-0b7e4d2a9c3f16e58',
    ]);
  });

  it('a new flow log in the same account closes every flow log the attacker deleted there, and only there', () => {
    const deleted = (account: string, id: string) =>
      storyEvent({
        eventName: 'DeleteFlowLogs',
        eventSource: 'ec2.amazonaws.com',
        time: '2025-03-11T03:00:00Z',
        ...attacker,
        account,
        request: { DeleteFlowLogsRequest: { FlowLogId: [{ content: id }] } },
      });
    const created = storyEvent({
      eventName: 'CreateFlowLogs',
      eventSource: 'ec2.amazonaws.com',
      time: '2025-03-11T05:00:00Z',
      ...responder,
    });
    const items = findOpenItems(
      [
        deleted('111122223333', 'fl-0b7e4d2a9c3f16e58'),
        deleted('444455556666', 'fl-01234567890abcdef'),
        created,
      ],
      byAttacker,
    );
    expect(items.map((i) => [i.account, i.closed?.eventName ?? null])).toEqual([
      ['444455556666', null],
      ['111122223333', 'CreateFlowLogs'],
    ]);
  });

  it('a bucket policy is an exposure only when it opens the bucket to everyone or to another account', () => {
    const policy = (principal: unknown) =>
      storyEvent({
        eventName: 'PutBucketPolicy',
        eventSource: 's3.amazonaws.com',
        time: 't',
        ...attacker,
        request: {
          bucketName: 'exports',
          bucketPolicy: { Statement: [{ Effect: 'Allow', Principal: principal, Action: 's3:GetObject' }] },
        },
      });
    expect(findOpenItems([policy('*')], byAttacker)[0]?.kind).toBe('public bucket policy');
    expect(findOpenItems([policy({ AWS: 'arn:aws:iam::999988887777:root' })], byAttacker)[0]).toMatchObject({
      kind: 'bucket shared',
      outsideAccounts: ['999988887777'],
    });
    expect(findOpenItems([policy({ AWS: 'arn:aws:iam::111122223333:role/reader' })], byAttacker)).toEqual([]);
  });

  it('a role created to trust an outside account stays open until deleted (Stratus iam-create-backdoor-role shape)', () => {
    const created = storyEvent({
      eventName: 'CreateRole',
      time: '2024-07-31T20:00:00Z',
      ...attacker,
      request: {
        roleName: 'stratus-red-team-malicious-iam-role',
        assumeRolePolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::193672423079:root"},"Action":"sts:AssumeRole"}]}',
      },
    });
    expect(findOpenItems([created], byAttacker)).toMatchObject([
      { kind: 'role created', outsideAccounts: ['193672423079'], closed: null },
    ]);
    const deleted = storyEvent({
      eventName: 'DeleteRole',
      time: '2024-08-01T09:00:00Z',
      ...responder,
      request: { roleName: 'stratus-red-team-malicious-iam-role' },
    });
    expect(findOpenItems([created, deleted], byAttacker)[0]?.closed?.eventName).toBe('DeleteRole');
  });

  it('a security group opened to any address, in either request form, stays open until the rule is revoked', () => {
    const opened = (request: Record<string, unknown>) =>
      storyEvent({
        eventName: 'AuthorizeSecurityGroupIngress',
        eventSource: 'ec2.amazonaws.com',
        time: 't1',
        ...attacker,
        request,
      });
    const short = opened({
      groupId: 'sg-1',
      cidrIp: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
    });
    const long = opened({
      groupId: 'sg-1',
      ipPermissions: { items: [{ ipProtocol: 'tcp', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
    });
    const office = opened({
      groupId: 'sg-1',
      cidrIp: '198.51.100.0/24',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
    });
    expect(findOpenItems([short], byAttacker)[0]?.kind).toBe('security group opened to the internet');
    expect(findOpenItems([long], byAttacker)).toHaveLength(1);
    expect(findOpenItems([office], byAttacker)).toEqual([]);
    const revoked = storyEvent({
      eventName: 'RevokeSecurityGroupIngress',
      time: 't2',
      ...responder,
      request: { groupId: 'sg-1', cidrIp: '0.0.0.0/0' },
    });
    expect(findOpenItems([short, revoked], byAttacker)[0]?.closed?.time).toBe('t2');
  });
});
