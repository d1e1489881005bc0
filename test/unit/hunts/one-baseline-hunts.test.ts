import { describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../../shared/domain/hunt-definition.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

/**
 * Two hunts read who-acts-where once, grouped, through `cloudtrail_activity`, and join their evidence
 * to it with window functions instead of three scans of the events (in Athena each scan of every event
 * reads the trail's ids again). Over random trails they must answer what their definition says, here
 * written out plainly in TypeScript.
 */
const hunts = await loadHuntLibrary();
const hunt = (id: string): HuntDefinition => {
  const found = hunts.find((h) => h.id === id);
  if (!found) throw new Error(`${id} is not in the library`);
  return found;
};

/** A small deterministic generator, so a failing trail can be replayed from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T };
}

interface Caller {
  userIdentity: Record<string, unknown>;
  /** Null where CloudTrail names no principal: no ARN and no principal id. */
  actor: string | null;
  principalId: string;
  fromInstance: boolean;
  byService: boolean;
}

const ACCOUNT = '111122223333';
const CALLERS: Caller[] = [
  ...['i-0a1b2c3d4e5f60701', 'i-0a1b2c3d4e5f60702'].map((instance) => {
    const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/web-app-role/${instance}`;
    const principalId = `AROAQEXAMPLEROLE0002:${instance}`;
    return {
      userIdentity: {
        type: 'AssumedRole',
        principalId,
        arn,
        accountId: ACCOUNT,
        sessionContext: { ec2RoleDelivery: '2.0' },
      },
      actor: arn,
      principalId,
      fromInstance: true,
      byService: false,
    };
  }),
  // An instance session recorded without ec2RoleDelivery: known by its session name alone.
  {
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAQEXAMPLEROLE0003:i-0fedcba9876543210',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/batch-role/i-0fedcba9876543210`,
      accountId: ACCOUNT,
    },
    actor: `arn:aws:sts::${ACCOUNT}:assumed-role/batch-role/i-0fedcba9876543210`,
    principalId: 'AROAQEXAMPLEROLE0003:i-0fedcba9876543210',
    fromInstance: true,
    byService: false,
  },
  ...['ci-deployer', 'maria'].map((user, i) => ({
    userIdentity: {
      type: 'IAMUser',
      principalId: `AIDAQEXAMPLEUSER000${i}`,
      arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      accountId: ACCOUNT,
      userName: user,
    },
    actor: `arn:aws:iam::${ACCOUNT}:user/${user}`,
    principalId: `AIDAQEXAMPLEUSER000${i}`,
    fromInstance: false,
    byService: false,
  })),
  // A console sign-in refused for a user name that does not exist: CloudTrail hides the name and
  // records neither an ARN nor a principal id.
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
  {
    userIdentity: {
      type: 'IAMUser',
      accountId: ACCOUNT,
      accessKeyId: '',
      userName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    },
    actor: null,
    principalId: '',
    fromInstance: false,
    byService: false,
  },
  {
    userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
    actor: 'ec2.amazonaws.com',
    principalId: '',
    fromInstance: false,
    byService: true,
  },
];
const ADDRESSES = ['198.51.100.9', '203.0.113.44', '54.210.1.20', '10.0.12.7', 'ec2.amazonaws.com'];
/** Most calls in the home region; a few in regions nobody else may touch. */
const AWAY_REGIONS = ['eu-west-1', 'ap-northeast-3', 'me-central-1', 'sa-east-1', 'af-south-1'];
const NAMES = [
  'DescribeInstances',
  'RunInstances',
  'CreateKeyPair',
  'CreateTags',
  'ModifyInstanceAttribute',
  'GetCallerIdentity',
];
const READ_ONLY = new Set(['DescribeInstances', 'GetCallerIdentity']);

interface Call {
  caller: Caller;
  ip: string;
  region: string;
  name: string;
  time: string;
  id: string;
}

function trail(seed: number, size: number): Call[] {
  const r = random(seed);
  return Array.from({ length: size }, (_, i) => ({
    caller: r.pick(CALLERS),
    ip: r.pick(ADDRESSES),
    region: r.next() < 0.8 ? 'us-east-1' : r.pick(AWAY_REGIONS),
    name: r.pick(NAMES),
    // Repeated times, so the order of the evidence falls back to the id.
    time: `2024-05-22T01:0${Math.floor(r.next() * 6)}:00Z`,
    id: `6f0e5d1a-0000-4000-8000-${String(seed * 1000 + i).padStart(12, '0')}`,
  }));
}

const record = (c: Call) => ({
  eventVersion: '1.09',
  userIdentity: c.caller.userIdentity,
  eventTime: c.time,
  eventSource: 'ec2.amazonaws.com',
  eventName: c.name,
  awsRegion: c.region,
  sourceIPAddress: c.ip,
  eventID: c.id,
  readOnly: READ_ONLY.has(c.name),
  eventType: 'AwsApiCall',
  recipientAccountId: ACCOUNT,
});

const byTimeThenId = (a: Call, b: Call) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id);

/** Groups calls by a key into "key|count|first 50 ids", sorted: the rows' gist. */
function gist(calls: Call[], key: (c: Call) => string): string[] {
  const groups = new Map<string, Call[]>();
  for (const c of calls) groups.set(key(c), [...(groups.get(key(c)) ?? []), c]);
  return [...groups]
    .map(
      ([k, list]) =>
        `${k}|${list.length}|${[...list]
          .sort(byTimeThenId)
          .slice(0, 50)
          .map((c) => c.id)
          .join(',')}`,
    )
    .sort();
}

/** The definition of ec2-instance-credentials-used-elsewhere, over the public addresses of non-service calls. */
function instanceCredentialsUsedElsewhere(calls: Call[]): string[] {
  const kept = calls.filter((c) => !c.caller.byService && /^[0-9.]+$/.test(c.ip) && !c.ip.startsWith('10.'));
  const shared = (ip: string) =>
    kept.some((c) => c.ip === ip && c.caller.fromInstance) &&
    kept.some((c) => c.ip === ip && !c.caller.fromInstance);
  const roaming = (principalId: string) =>
    new Set(
      kept.filter((c) => c.caller.fromInstance && c.caller.principalId === principalId).map((c) => c.ip),
    ).size > 1;
  const evidence = kept.filter(
    (c) => c.caller.fromInstance && (shared(c.ip) || roaming(c.caller.principalId)),
  );
  return gist(evidence, (c) => `${c.caller.actor}|${c.ip}`);
}

/**
 * The definition of region-used-by-one-principal: launches in a region only their principal uses, by
 * one that works elsewhere too. A call that names no principal is no other principal at work there.
 */
function regionUsedByOnePrincipal(calls: Call[]): string[] {
  const kept = calls.filter(
    (c) => !c.caller.byService && !c.ip.endsWith('amazonaws.com') && c.caller.actor !== null,
  );
  const actorsIn = (region: string) =>
    new Set(kept.filter((c) => c.region === region).map((c) => c.caller.actor)).size;
  const regionsOf = (actor: string | null) =>
    new Set(kept.filter((c) => c.caller.actor === actor).map((c) => c.region)).size;
  const launches = kept.filter(
    (c) => /^(Create|Run)/.test(c.name) && actorsIn(c.region) === 1 && regionsOf(c.caller.actor) > 1,
  );
  return gist(launches, (c) => `${c.caller.actor}|${c.region}`);
}

describe('hunts that read their baseline once, over random trails', () => {
  const scratch = useHuntTestEngine('casefile-one-baseline-');
  const cases = [
    ['ec2-instance-credentials-used-elsewhere', instanceCredentialsUsedElsewhere, 'source_ip'],
    ['region-used-by-one-principal', regionUsedByOnePrincipal, 'region'],
  ] as const;
  const seeds = Array.from({ length: 12 }, (_, i) => i + 1);

  it.each(cases)('%s answers as its definition says', async (id, definition, place) => {
    let findings = 0;
    for (const seed of seeds) {
      const calls = trail(seed, 12 + seed * 6);
      await loadTestRecords(scratch.engine, scratch.dir, calls.map(record), 'cloudtrail');
      const result = await scratch.engine.run(hunt(id).sql, { parameters: [] });
      const rows = result.rows
        .map((row) => `${row.actor}|${row[place]}|${Number(row.event_count)}|${row.eventids}`)
        .sort();
      expect(rows, `seed ${seed}`).toEqual(definition(calls));
      findings += rows.length;
    }
    // The trails are varied enough to find something, or the comparison proves nothing.
    expect(findings).toBeGreaterThan(3);
  });
});
