import { describe, expect, it } from 'vitest';
import {
  type ActivityRow,
  type AttackerCallers,
  type FetchActivity,
  type Indicator,
  MAX_ROUNDS,
  pivotToClosure,
} from '../../../shared/story/closure.js';
import { buildLineage } from '../../../shared/story/lineage.js';
import type { StoryEvent } from '../../../shared/story/story-event.js';
import { assumeRole, storyEvent } from '../../support/story-events.js';

const LEAKED = 'AKIALEAKED0000000001';
const BACKDOOR = 'AKIABACKDOOR00000001';
const ATTACKER_IP = '203.0.113.77';
const JOB_IP = '198.51.100.24';
const REPORTING = 'arn:aws:iam::111122223333:user/svc-reporting';
const BACKUP = 'arn:aws:iam::111122223333:user/svc-backup';

const activity = (fields: Partial<ActivityRow> & Pick<ActivityRow, 'firstSeen'>): ActivityRow => ({
  accessKeyId: null,
  actorArn: null,
  issuerArn: null,
  identityAccount: '111122223333',
  sourceIp: null,
  userAgent: 'aws-cli/2.13.25 command/s3.cp',
  lastSeen: fields.firstSeen,
  events: 1,
  ...fields,
});

/** The calls in the logs, as the activity queries would group them. */
const calls: ActivityRow[] = [
  // The nightly job: the leaked key from its usual address, every night of three days.
  activity({
    accessKeyId: LEAKED,
    actorArn: REPORTING,
    sourceIp: JOB_IP,
    firstSeen: '2025-03-10T01:26:45Z',
    lastSeen: '2025-03-12T01:30:51Z',
    events: 24,
  }),
  // The intruder with the same key, from a new address, on the second night.
  activity({
    accessKeyId: LEAKED,
    actorArn: REPORTING,
    sourceIp: ATTACKER_IP,
    userAgent: 'Boto3/1.34.69',
    firstSeen: '2025-03-11T02:47:13Z',
    lastSeen: '2025-03-11T02:53:15Z',
    events: 27,
  }),
  activity({
    accessKeyId: BACKDOOR,
    actorArn: BACKUP,
    sourceIp: ATTACKER_IP,
    firstSeen: '2025-03-11T02:55:02Z',
    lastSeen: '2025-03-11T03:21:34Z',
    events: 44,
  }),
];

/** The activity query over these rows: those naming any subject; `log` gets each kind's values. */
const fetchFrom =
  (rows: ActivityRow[], log: string[][] = []): FetchActivity =>
  async (subjects) => {
    const column = {
      accessKey: 'accessKeyId',
      principal: 'actorArn',
      ip: 'sourceIp',
      account: 'identityAccount',
      userAgent: 'userAgent',
    } as const;
    const kinds = Object.entries(subjects) as [keyof typeof column, string[]][];
    for (const [kind, values] of kinds) log.push([kind, ...values]);
    return rows.filter((r) => kinds.some(([kind, values]) => values.includes(String(r[column[kind]]))));
  };

const attackEvents: StoryEvent[] = [
  storyEvent({
    eventName: 'CreateUser',
    time: '2025-03-11T02:52:10Z',
    accessKeyId: LEAKED,
    actorArn: REPORTING,
    sourceIp: ATTACKER_IP,
    request: { userName: 'svc-backup' },
    response: { user: { arn: BACKUP } },
  }),
  storyEvent({
    eventName: 'CreateAccessKey',
    time: '2025-03-11T02:52:31Z',
    accessKeyId: LEAKED,
    actorArn: REPORTING,
    sourceIp: ATTACKER_IP,
    request: { userName: 'svc-backup' },
    response: { accessKey: { accessKeyId: BACKDOOR, userName: 'svc-backup' } },
  }),
  storyEvent({
    eventName: 'ModifySnapshotAttribute',
    time: '2025-03-11T03:14:37Z',
    accessKeyId: BACKDOOR,
    actorArn: BACKUP,
    sourceIp: ATTACKER_IP,
    request: {
      snapshotId: 'snap-1',
      createVolumePermission: { add: { items: [{ userId: '999988887777' }] } },
    },
  }),
];

const seed = (kind: Indicator['kind'], value: string): Indicator => ({
  kind,
  value,
  round: 0,
  origin: 'seed',
  reason: 'case IOC',
});

describe('pivot to closure', () => {
  it('from the leaked key reaches the attacker address, the new user, its key and the outside account, then stops', async () => {
    const log: string[][] = [];
    const closure = await pivotToClosure(
      [seed('accessKey', LEAKED)],
      attackEvents,
      buildLineage(attackEvents, []),
      fetchFrom(calls, log),
    );
    const found = closure.indicators.map((i) => `${i.kind}:${i.value}:${i.origin}`);
    expect(found).toEqual(
      expect.arrayContaining([
        `ip:${ATTACKER_IP}:observed`,
        `principal:${BACKUP}:created`,
        `accessKey:${BACKDOOR}:created`,
        'account:999988887777:created',
      ]),
    );
    expect(closure.stoppedAtLimit).toBe(false);
    expect(closure.rounds.at(-1)?.found.filter((f) => f.kind !== 'userAgent')).toEqual([]);
    // Round by round: each indicator is queried once, in the round after it was found.
    expect(log.flat().filter((v) => v === LEAKED)).toHaveLength(1);
    expect(closure.rounds[0]?.queried).toEqual([`accessKey:${LEAKED}`]);
  });

  it('leaves the nightly job sharing the leaked key to the legitimate side, and says how it decided', async () => {
    const closure = await pivotToClosure(
      [seed('accessKey', LEAKED)],
      attackEvents,
      buildLineage(attackEvents, []),
      fetchFrom(calls),
    );
    const split = closure.rounds[0]?.phases.find((p) => p.indicator === `accessKey:${LEAKED}`);
    expect(split).toMatchObject({
      attackerEvents: 27,
      legitimateEvents: 24,
      attackerFirstSeen: '2025-03-11T02:47:13Z',
    });
    expect(split?.decision).toMatch(
      /baseline: address 198\.51\.100\.24 used in the first 24 hours.*calls from 203\.0\.113\.77/,
    );
    expect(closure.indicators.map((i) => i.value)).not.toContain(JOB_IP);
    // The attack's sessions, in time order: the nightly job's calls are not among them.
    expect(closure.sessions.map((r) => [r.accessKeyId, r.sourceIp, r.firstSeen])).toEqual([
      [LEAKED, ATTACKER_IP, '2025-03-11T02:47:13Z'],
      [BACKDOOR, ATTACKER_IP, '2025-03-11T02:55:02Z'],
    ]);
  });

  it('counts every call of a key with less than two days of activity as the attacker, saying there was no baseline', async () => {
    const short = calls.map((c) => (c.sourceIp === JOB_IP ? { ...c, firstSeen: '2025-03-11T01:26:45Z' } : c));
    const closure = await pivotToClosure(
      [seed('accessKey', LEAKED)],
      [],
      buildLineage([], []),
      fetchFrom(short),
    );
    const split = closure.rounds[0]?.phases[0];
    expect(split).toMatchObject({ attackerEvents: 51, legitimateEvents: 0 });
    expect(split?.decision).toMatch(/no baseline/);
  });

  it('does not follow what a legitimate workload did with the shared key (a user it created is not the attacker)', async () => {
    const jobCreatesUser = storyEvent({
      eventName: 'CreateUser',
      time: '2025-03-12T01:30:00Z',
      accessKeyId: LEAKED,
      actorArn: REPORTING,
      sourceIp: JOB_IP,
      request: { userName: 'report-reader' },
    });
    const closure = await pivotToClosure(
      [seed('accessKey', LEAKED)],
      [...attackEvents, jobCreatesUser],
      buildLineage([], []),
      fetchFrom(calls),
    );
    expect(closure.indicators.map((i) => i.value)).not.toContain(
      'arn:aws:iam::111122223333:user/report-reader',
    );
  });

  it('never pivots on a value from a hostile record that is not a well-formed indicator', async () => {
    const hostile = [
      ...calls,
      activity({
        accessKeyId: 'AKIA1\nAKIA2',
        actorArn: REPORTING,
        sourceIp: ATTACKER_IP,
        firstSeen: '2025-03-11T02:50:00Z',
      }),
    ];
    const closure = await pivotToClosure(
      [seed('ip', ATTACKER_IP)],
      [],
      buildLineage([], []),
      fetchFrom(hostile),
    );
    expect(closure.rejected).toEqual([{ kind: 'accessKey', value: 'AKIA1\nAKIA2' }]);
    expect(closure.indicators.map((i) => i.value)).not.toContain('AKIA1\nAKIA2');
  });

  it("asks for the mintings of the attacker's callers each round, and pivots on a session they minted and never used", async () => {
    const unused = assumeRole(
      '2025-03-11T03:20:00Z',
      { accessKeyId: BACKDOOR, actorArn: BACKUP, sourceIp: ATTACKER_IP },
      { key: 'ASIAUNUSED0000000001', role: 'admin', name: 'quiet' },
    );
    const asked: AttackerCallers[] = [];
    const closure = await pivotToClosure(
      [seed('accessKey', LEAKED)],
      attackEvents,
      buildLineage(attackEvents, []),
      fetchFrom(calls),
      async (callers) => {
        asked.push(callers);
        return callers.keys.has(BACKDOOR) ? [...attackEvents, unused] : attackEvents;
      },
    );
    expect([...(asked[0]?.ips ?? [])]).toEqual([ATTACKER_IP]);
    expect(asked.some((c) => c.keys.has(BACKDOOR) && c.principals.has('111122223333:user/svc-backup'))).toBe(
      true,
    );
    expect(closure.indicators).toContainEqual(
      expect.objectContaining({ kind: 'accessKey', value: 'ASIAUNUSED0000000001', origin: 'created' }),
    );
  });

  it('stops at the round limit on an endless chain and says so', async () => {
    // Every address shows a key, and every key is also used from the next address: a pivot that never closes.
    const chain: FetchActivity = async (subjects) => [
      ...(subjects.ip ?? []).map((value) =>
        activity({
          sourceIp: value,
          accessKeyId: `AKIACHAINKEY${String(Number(/(\d+)$/.exec(value)?.[1])).padStart(8, '0')}`,
          firstSeen: '2025-03-11T00:00:00Z',
        }),
      ),
      ...(subjects.accessKey ?? []).map((value) =>
        activity({
          sourceIp: `10.0.0.${Number(/(\d+)$/.exec(value)?.[1]) + 1}`,
          accessKeyId: value,
          firstSeen: '2025-03-11T00:00:00Z',
        }),
      ),
    ];
    const closure = await pivotToClosure([seed('ip', '10.0.0.1')], [], buildLineage([], []), chain);
    expect(closure.rounds).toHaveLength(MAX_ROUNDS);
    expect(closure.stoppedAtLimit).toBe(true);
  });
});
