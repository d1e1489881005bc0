import { HOUR, MINUTE, SECOND } from './clock.js';
import { type ApiCall, compact, type Json, s3Request } from './cloudtrail-record.js';
import { type Estate, maria, type Person, US_EAST_1 } from './estate.js';
import { type Actor, consoleActor, type IamUser, iamUserIdentity, sessionKey } from './principals.js';
import { attackDayStart, lastDayStart, type Scene, workdays } from './scene.js';
import type { Rng } from './seeded-random.js';

interface ConsoleRead {
  service: string;
  name: string;
  region?: string;
  request?: (rng: Rng, at: number) => Json;
}

/** What people look at in the console: mostly their app region, IAM and S3 from us-east-1. */
function consoleReads(estate: Estate): ConsoleRead[] {
  const functions = estate.stacks.flatMap((s) => s.functions);
  const stackName = (rng: Rng) => ({ stackName: rng.pick(estate.stacks).name });
  return [
    { service: 'ec2', name: 'DescribeInstances', request: () => ({ instancesSet: {}, filterSet: {} }) },
    {
      service: 'ec2',
      name: 'DescribeSecurityGroups',
      request: () => ({ securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }),
    },
    {
      service: 'ec2',
      name: 'DescribeVolumes',
      request: () => ({ volumeSet: {}, filterSet: {}, maxResults: 1000 }),
    },
    {
      service: 'ec2',
      name: 'DescribeInstanceStatus',
      request: () => ({ instancesSet: {}, filterSet: {}, includeAllInstances: true }),
    },
    {
      service: 'autoscaling',
      name: 'DescribeAutoScalingGroups',
      request: () => ({ autoScalingGroupNames: ['payments-api-asg'] }),
    },
    { service: 'cloudformation', name: 'DescribeStacks', request: stackName },
    { service: 'cloudformation', name: 'DescribeStackEvents', request: stackName },
    {
      service: 'cloudformation',
      name: 'ListStacks',
      request: () => ({
        stackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'],
      }),
    },
    { service: 'lambda', name: 'ListFunctions20150331' },
    {
      service: 'lambda',
      name: 'GetFunction20150331v2',
      request: (rng) => ({ functionName: rng.pick(functions) }),
    },
    {
      service: 'logs',
      name: 'DescribeLogGroups',
      request: () => ({ limit: 50, logGroupNamePrefix: '/aws/lambda/' }),
    },
    {
      service: 'logs',
      name: 'FilterLogEvents',
      request: (rng, at) => ({
        logGroupName: `/aws/lambda/${rng.pick(functions)}`,
        startTime: at - HOUR,
        endTime: at,
        filterPattern: 'ERROR',
        interleaved: true,
      }),
    },
    { service: 'monitoring', name: 'DescribeAlarms', request: () => ({ maxRecords: 100 }) },
    { service: 'rds', name: 'DescribeDBInstances' },
    {
      service: 'secretsmanager',
      name: 'ListSecrets',
      request: () => ({ maxResults: 100, sortOrder: 'asc' }),
    },
    { service: 'secretsmanager', name: 'DescribeSecret', request: () => ({ secretId: estate.appSecret }) },
    { service: 'ssm', name: 'DescribeInstanceInformation', request: () => ({ maxResults: 50 }) },
    { service: 'iam', name: 'ListRoles', region: US_EAST_1, request: () => ({ maxItems: 1000 }) },
    {
      service: 'iam',
      name: 'GetRole',
      region: US_EAST_1,
      request: (rng) => ({ roleName: `${rng.pick(functions)}-role` }),
    },
    {
      service: 'iam',
      name: 'ListAttachedRolePolicies',
      region: US_EAST_1,
      request: () => ({ roleName: estate.ciRole.name }),
    },
    { service: 'iam', name: 'GetAccountSummary', region: US_EAST_1 },
    { service: 's3', name: 'ListBuckets', region: US_EAST_1, request: () => ({ Host: 's3.amazonaws.com' }) },
    {
      service: 's3',
      name: 'GetBucketPolicyStatus',
      request: (rng) => s3Request(rng.pick(estate.buckets), estate.appRegion, { policyStatus: '' }),
    },
    {
      service: 'cloudtrail',
      name: 'LookupEvents',
      request: () => ({
        maxResults: 50,
        lookupAttributes: [{ attributeKey: 'ReadOnly', attributeValue: 'false' }],
      }),
    },
    {
      service: 'guardduty',
      name: 'ListFindings',
      region: US_EAST_1,
      request: () => ({
        detectorId: estate.detectors[US_EAST_1] ?? '',
        maxResults: 50,
        sortCriteria: { attributeName: 'updatedAt', orderBy: 'DESC' },
      }),
    },
    {
      service: 'health',
      name: 'DescribeEventAggregates',
      region: US_EAST_1,
      request: () => ({
        aggregateField: 'eventTypeCategory',
        filter: { eventStatusCodes: ['open', 'upcoming'] },
      }),
    },
  ];
}

/** Each workday people sign in to the console with MFA and look around; some come back after lunch. */
export function consoleWork(scene: Scene, estate: Estate): void {
  const reads = consoleReads(estate);
  const lastDay = lastDayStart(scene);
  for (const person of estate.people) {
    const rng = scene.rng.fork(`console/${person.user.account.id}/${person.user.name}`);
    for (const day of workdays(scene)) {
      if (person.user === maria && day === attackDayStart(scene)) continue;
      const mistakeToday =
        person.mistake && day === (person.mistake.day === 'first' ? scene.from : lastDay)
          ? person.mistake
          : undefined;
      if (!mistakeToday && !rng.chance(0.85)) continue;
      const [earliest, latest] = person.logsInBetween;
      const login = day + rng.int(Math.round(earliest * 3600), Math.round(latest * 3600)) * SECOND;
      const actor = consoleSession(scene, person, login, rng);
      let t = login + rng.seconds(10, 60);
      const calls = rng.int(12, 40);
      for (let n = 0; n < calls; n++) {
        const read = rng.pick(reads);
        if (mistakeToday && n === Math.floor(calls / 2)) {
          scene.timeline.emit({ ...mistakeToday.call(actor, t), at: t, actor });
          t += rng.seconds(5, 40);
        }
        scene.timeline.emit({
          at: t,
          account: estate.account,
          region: read.region ?? (rng.chance(0.85) ? estate.appRegion : rng.pick(estate.regions)),
          service: read.service,
          name: read.name,
          actor,
          request: read.request?.(rng, t) ?? null,
        });
        t += rng.wait(4 * MINUTE);
      }
      if (rng.chance(0.35)) {
        const afternoon = Math.max(t + HOUR, day + 13.5 * HOUR + rng.seconds(0, 3 * 3600));
        const later = consoleSession(scene, person, afternoon, rng);
        let at = afternoon + rng.seconds(10, 60);
        for (let n = rng.int(4, 15); n > 0; n--) {
          const read = rng.pick(reads);
          scene.timeline.emit({
            at,
            account: estate.account,
            region: read.region ?? estate.appRegion,
            service: read.service,
            name: read.name,
            actor: later,
            request: read.request?.(rng, at) ?? null,
          });
          at += rng.wait(3 * MINUTE);
        }
      }
    }
  }
}

/** A console sign-in with MFA; returns the actor its console calls carry. */
function consoleSession(scene: Scene, person: Person, at: number, rng: Rng): Actor {
  const { signIn, actor } = consoleSignIn(rng, person.user, at, true, person.ip, person.userAgent);
  scene.timeline.emit(signIn);
  return actor;
}

/** A successful console sign-in, and the actor the session's console calls carry. */
export function consoleSignIn(
  rng: Rng,
  user: IamUser,
  at: number,
  mfa: boolean,
  ip: string,
  userAgent: string,
): { signIn: ApiCall; actor: Actor } {
  const signIn: ApiCall = {
    at,
    account: user.account,
    region: US_EAST_1,
    service: 'signin',
    name: 'ConsoleLogin',
    actor: { identity: iamUserIdentity(user, false), ip, userAgent },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
    response: { ConsoleLogin: 'Success' },
    additionalEventData: compact({
      LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_${rng.hex(16)}`,
      MobileVersion: 'No',
      MFAIdentifier: mfa ? `arn:aws:iam::${user.account.id}:mfa/${user.name}` : undefined,
      MFAUsed: mfa ? 'Yes' : 'No',
    }),
    requestId: null,
  };
  return { signIn, actor: consoleActor(user, sessionKey(rng), at, mfa, ip, userAgent) };
}
