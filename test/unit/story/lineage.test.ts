import { describe, expect, it } from 'vitest';
import { buildLineage, type CredentialUse } from '../../../shared/story/lineage.js';
import { assumeRole, storyEvent } from '../../support/story-events.js';

const use = (
  accessKeyId: string,
  actorArn: string,
  firstSeen: string,
  extra: Partial<CredentialUse> = {},
): CredentialUse => ({
  accessKeyId,
  actorArn,
  identityType: accessKeyId.startsWith('ASIA') ? 'AssumedRole' : 'IAMUser',
  account: '111122223333',
  firstSeen,
  lastSeen: firstSeen,
  events: 3,
  addresses: 1,
  anAddress: '203.0.113.77',
  fromConsole: false,
  ...extra,
});

const leaked = {
  accessKeyId: 'AKIALEAKED0000000001',
  actorArn: 'arn:aws:iam::111122223333:user/svc-reporting',
  sourceIp: '203.0.113.77',
};

describe('credential lineage', () => {
  it('traces a role session to the AssumeRole that created it: caller, key, address and source identity', () => {
    const events = [
      assumeRole('2025-03-11T03:00:00Z', leaked, {
        key: 'ASIASESSION000000001',
        role: 'deploy',
        name: 'x',
        sourceIdentity: 'mallory',
      }),
    ];
    const lineage = buildLineage(events, [
      use('ASIASESSION000000001', 'arn:aws:sts::111122223333:assumed-role/deploy/x', '2025-03-11T03:00:05Z'),
    ]);
    const session = lineage.nodes.find((n) => n.id === 'ASIASESSION000000001');
    expect(session).toMatchObject({
      kind: 'role session',
      principal: 'arn:aws:sts::111122223333:assumed-role/deploy/x',
      parent: 'AKIALEAKED0000000001',
      mintedBy: {
        eventName: 'AssumeRole',
        callerKey: 'AKIALEAKED0000000001',
        sourceIp: '203.0.113.77',
        sourceIdentity: 'mallory',
        roleArn: 'arn:aws:iam::111122223333:role/deploy',
      },
      use: { events: 3 },
    });
    expect(lineage.sessions.find((s) => s.credential === 'ASIASESSION000000001')?.root).toBe(
      'AKIALEAKED0000000001',
    );
  });

  it('follows role chaining back to the first credential in the logs', () => {
    const events = [
      assumeRole('2025-03-11T03:00:00Z', leaked, { key: 'ASIAFIRST00000000001', role: 'a', name: 'one' }),
      assumeRole(
        '2025-03-11T03:05:00Z',
        { accessKeyId: 'ASIAFIRST00000000001', actorArn: 'arn:aws:sts::111122223333:assumed-role/a/one' },
        { key: 'ASIASECOND0000000001', role: 'b', name: 'two' },
      ),
    ];
    const lineage = buildLineage(events, [
      use('ASIASECOND0000000001', 'arn:aws:sts::111122223333:assumed-role/b/two', '2025-03-11T03:06:00Z'),
    ]);
    expect(lineage.sessions).toEqual([
      {
        credential: 'ASIASECOND0000000001',
        principal: 'arn:aws:sts::111122223333:assumed-role/b/two',
        chain: ['AKIALEAKED0000000001', 'ASIAFIRST00000000001', 'ASIASECOND0000000001'],
        root: 'AKIALEAKED0000000001',
      },
    ]);
  });

  it('mints nothing from a denied AssumeRole, whose response is empty', () => {
    const denied = storyEvent({
      eventName: 'AssumeRole',
      time: '2025-03-11T03:19:30Z',
      ...leaked,
      errorCode: 'AccessDenied',
      request: { roleArn: 'arn:aws:iam::444455556666:role/OrganizationAccountAccessRole' },
    });
    expect(buildLineage([denied], []).nodes).toEqual([]);
  });

  it('ties a key created for a new user, and that user console session, to the key that created them', () => {
    const events = [
      storyEvent({
        eventName: 'CreateUser',
        time: '2025-03-11T02:52:10Z',
        ...leaked,
        request: { userName: 'svc-backup' },
        response: { user: { userName: 'svc-backup', arn: 'arn:aws:iam::111122223333:user/svc-backup' } },
      }),
      // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
      storyEvent({
        eventName: 'CreateAccessKey',
        time: '2025-03-11T02:52:31Z',
        ...leaked,
        request: { userName: 'svc-backup' },
        response: {
          accessKey: { userName: 'svc-backup', accessKeyId: 'AKIABACKDOOR00000001', status: 'Active' },
        },
      }),
      storyEvent({
        eventName: 'CreateLoginProfile',
        time: '2025-03-11T02:53:15Z',
        ...leaked,
        request: { userName: 'svc-backup', passwordResetRequired: false },
      }),
      storyEvent({
        eventName: 'ConsoleLogin',
        eventSource: 'signin.amazonaws.com',
        time: '2025-03-11T02:55:40Z',
        eventId: 'signin-1',
        actorArn: 'arn:aws:iam::111122223333:user/svc-backup',
        accessKeyId: null,
        response: { ConsoleLogin: 'Success' },
      }),
    ];
    const lineage = buildLineage(events, [
      use('AKIABACKDOOR00000001', 'arn:aws:iam::111122223333:user/svc-backup', '2025-03-11T02:55:02Z'),
      use('ASIACONSOLE000000001', 'arn:aws:iam::111122223333:user/svc-backup', '2025-03-11T02:56:02Z', {
        fromConsole: true,
      }),
    ]);
    const chains = Object.fromEntries(lineage.sessions.map((s) => [s.credential, s.chain]));
    expect(chains.AKIABACKDOOR00000001).toEqual(['AKIALEAKED0000000001', 'AKIABACKDOOR00000001']);
    expect(chains.ASIACONSOLE000000001).toEqual([
      'AKIALEAKED0000000001',
      'console:signin-1',
      'ASIACONSOLE000000001',
    ]);
  });

  it('does not tie console calls to a sign-in that failed, or to one more than 12 hours earlier', () => {
    const signIn = (eventId: string, time: string, outcome: string) =>
      storyEvent({
        eventName: 'ConsoleLogin',
        time,
        eventId,
        actorArn: 'arn:aws:iam::111122223333:user/bob',
        accessKeyId: null,
        response: { ConsoleLogin: outcome },
      });
    const lineage = buildLineage(
      [signIn('old', '2025-03-10T01:00:00Z', 'Success'), signIn('failed', '2025-03-11T02:00:00Z', 'Failure')],
      [
        use('ASIACONSOLE000000002', 'arn:aws:iam::111122223333:user/bob', '2025-03-11T02:01:00Z', {
          fromConsole: true,
        }),
      ],
    );
    expect(lineage.sessions[0]?.chain).toEqual(['ASIACONSOLE000000002']);
    expect(lineage.nodes.map((n) => n.id)).not.toContain('console:failed');
  });

  it('traces GetSessionToken and GetFederationToken credentials to the key that asked for them', () => {
    const events = [
      // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
      storyEvent({
        eventName: 'GetSessionToken',
        time: '2025-03-11T04:00:00Z',
        ...leaked,
        response: { credentials: { accessKeyId: 'ASIATOKEN00000000001' } },
      }),
      // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
      storyEvent({
        eventName: 'GetFederationToken',
        time: '2025-03-11T04:01:00Z',
        ...leaked,
        request: { name: 'stratus' },
        response: {
          credentials: { accessKeyId: 'ASIAFEDERATED0000001' },
          federatedUser: { arn: 'arn:aws:sts::111122223333:federated-user/stratus' },
        },
      }),
    ];
    const nodes = Object.fromEntries(buildLineage(events, []).nodes.map((n) => [n.id, n]));
    expect(nodes.ASIATOKEN00000000001).toMatchObject({
      kind: 'session token',
      parent: 'AKIALEAKED0000000001',
    });
    expect(nodes.ASIAFEDERATED0000001).toMatchObject({
      kind: 'federation token',
      parent: 'AKIALEAKED0000000001',
      principal: 'arn:aws:sts::111122223333:federated-user/stratus',
    });
  });

  it('adds up one key used in two accounts (a cross-account call is recorded in both)', () => {
    const lineage = buildLineage(
      [],
      [
        use('AKIAKEY0000000000001', 'arn:aws:iam::111122223333:user/a', '2025-03-11T01:00:00Z', {
          events: 5,
          lastSeen: '2025-03-11T02:00:00Z',
        }),
        use('AKIAKEY0000000000001', 'arn:aws:iam::111122223333:user/a', '2025-03-11T00:30:00Z', {
          account: '444455556666',
          events: 1,
        }),
      ],
    );
    expect(lineage.nodes[0]?.use).toMatchObject({
      events: 6,
      firstSeen: '2025-03-11T00:30:00Z',
      lastSeen: '2025-03-11T02:00:00Z',
    });
  });
});
