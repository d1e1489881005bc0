import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseTimeWindow } from '../../domain/time-window.js';
import { InvalidRequestError } from '../../errors.js';

/**
 * A CloudTrail corpus for the demo investigation: a few days of an ordinary company's two AWS
 * accounts, delivered the way CloudTrail writes to S3, with one intrusion woven into the second day.
 * Same seed, same bytes: a seeded generator instead of Math.random, no clock, a fixed gzip level.
 */

export interface DemoLogsOptions {
  seed?: number;
  /** Whole UTC days of activity; the intrusion happens on the second (on the only one if 1). */
  days?: number;
  /** The first day, as an ISO date or timestamp; the window starts at that day's UTC midnight. */
  start?: string;
}

export interface DemoLogs {
  files: number;
  records: number;
  /** Every delivered event the intruder caused, including KMS calls made on their behalf. */
  attackEventIds: string[];
  window: { from: string; to: string };
}

export const demoLogDefaults = { seed: 20250310, days: 3, start: '2025-03-10' } as const;

/** Used by `casefile demo` with the defaults: about 7,500 records in well under a second. */
export async function generateDemoLogs(outDir: string, options: DemoLogsOptions = {}): Promise<DemoLogs> {
  const seed = options.seed ?? demoLogDefaults.seed;
  const days = options.days ?? demoLogDefaults.days;
  if (!Number.isSafeInteger(seed)) throw new InvalidRequestError(`The seed must be an integer, got ${seed}.`);
  if (!Number.isInteger(days) || days < 1 || days > 31) {
    throw new InvalidRequestError(`The demo covers 1 to 31 days, got ${days}.`);
  }
  const from = utcMidnight(options.start ?? demoLogDefaults.start);
  const rng = new Rng(seed);
  const scene: Scene = {
    from,
    to: from + days * DAY,
    days,
    attackDay: Math.min(1, days - 1),
    rng,
    timeline: new Timeline(rng.fork('event-ids')),
  };

  for (const estate of [prodEstate, stagingEstate]) {
    for (const instance of planFleet(scene, estate)) instanceActivity(scene, instance);
    lambdaColdStarts(scene, estate);
    configRecorder(scene, estate);
    ciDeploys(scene, estate);
    consoleWork(scene, estate);
  }
  trustedAdvisor(scene, prodEstate);
  nightlyJobs(scene);
  crossAccountAdministration(scene);
  const stoppedAt = intrusion(scene);
  const restartedAt = loggingRestored(scene);

  const delivered = scene.timeline.entries.filter(
    (e) =>
      e.at >= scene.from &&
      e.at < scene.to &&
      !(e.account === PROD && e.at > stoppedAt && e.at < restartedAt),
  );
  const deliveredIds = new Set(delivered.map((e) => e.eventId));
  const files = intoLogFiles(delivered, rng.fork('delivery'));
  await writeLogFiles(outDir, files);
  return {
    files: files.length,
    records: delivered.length,
    attackEventIds: scene.timeline.attackEventIds.filter((id) => deliveredIds.has(id)),
    window: { from: iso(scene.from), to: iso(scene.to) },
  };
}

// ---------------------------------------------------------------------------------------------
// Randomness and time (first: the estate below is built when the module loads).

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The alphabet of IAM unique ids and access key ids. */
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** mulberry32; `fork` gives each part of the story its own stream, so one part's changes leave the others be. */
class Rng {
  private state: number;

  constructor(private readonly seed: number) {
    this.state = seed >>> 0;
  }

  fork(label: string): Rng {
    return new Rng(fnv1a(`${this.seed}/${label}`));
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return itemAt(items, this.int(0, items.length - 1));
  }

  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(this.next() * alphabet.length));
    return out;
  }

  hex(length: number): string {
    return this.chars(HEX, length);
  }

  /** Whole seconds between `min` and `max`, in milliseconds. */
  seconds(min: number, max: number): number {
    return this.int(min, max) * SECOND;
  }

  /** The wait until the next event of a Poisson process with this mean, in whole seconds. */
  wait(mean: number): number {
    return Math.max(1, Math.round((-Math.log(1 - this.next()) * mean) / SECOND)) * SECOND;
  }

  uuid(): string {
    const h = this.hex(30);
    const variant = '89ab'.charAt(this.int(0, 3));
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-${variant}${h.slice(15, 18)}-${h.slice(18, 30)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The estate: two accounts of one organisation, the people and the workloads in them.

interface Account {
  id: string;
  alias: string;
  /** Where its trail delivers: an account trail, or the organisation trail of the management account. */
  logPrefix: string;
}

interface IamUser {
  account: Account;
  name: string;
  userId: string;
  accessKeyId: string;
}

interface IamRole {
  account: Account;
  name: string;
  roleId: string;
  path: string;
}

interface Stack {
  name: string;
  repo: string;
  functions: string[];
}

interface Person {
  user: IamUser;
  ip: string;
  userAgent: string;
  /** Earliest and latest hour (UTC, fractional) of the first console login of a workday. */
  logsInBetween: [number, number];
  /** One benign mistake on one day: a call the person is not allowed to make. */
  mistake?: { day: 'first' | 'last'; call: (actor: Actor, at: number) => Omit<ApiCall, 'at' | 'actor'> };
}

interface Estate {
  account: Account;
  appRegion: string;
  regions: string[];
  natIp: string;
  stacks: Stack[];
  ciRole: IamRole;
  appRole: IamRole;
  gitRef: string;
  artifactsBucket: string;
  /** The production trail also records S3 writes to the artifacts bucket (a data event selector). */
  recordsArtifactWrites: boolean;
  buckets: string[];
  appSecret: string;
  secretsKeyArn: string;
  parameters: string[];
  deploysPerWorkday: [number, number];
  people: Person[];
  detectors: Record<string, string>;
  baseInstances: { id: string; role: IamRole; runsApp: boolean; privateIp: string; az: string }[];
  scaledInstancesPerWorkday: number;
}

const ORG_ID = 'o-4x8k2m9q7r';
const PROD: Account = { id: '482915730264', alias: 'acme-prod', logPrefix: 'AWSLogs/482915730264' };
const STAGING: Account = {
  id: '739104826551',
  alias: 'acme-staging',
  logPrefix: `AWSLogs/${ORG_ID}/739104826551`,
};
const EXTERNAL_ACCOUNT_ID = '361987425013';
const OFFICE_IP = '198.51.100.24';
const ATTACKER_IP = '203.0.113.77';

const US_EAST_1 = 'us-east-1';
const EU_WEST_1 = 'eu-west-1';
const US_WEST_2 = 'us-west-2';
const AP_SOUTHEAST_1 = 'ap-southeast-1';

const TRAIL_ARN = `arn:aws:cloudtrail:${US_EAST_1}:${PROD.id}:trail/prod-management-events`;
const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

const agents = {
  chromeMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0',
  ssmAgent: 'aws-sdk-go/1.50.38 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.131.0',
  javaApp:
    'aws-sdk-java/2.25.21 Linux/6.1.79-99.167.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy',
  lambdaNode: (api: string) =>
    `aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.214-223.822.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/${api}#3.540.0 exec-env/AWS_Lambda_nodejs20.x`,
  githubCredentials: 'configure-aws-credentials-for-github-actions',
  runnerCli: (command: string) =>
    `aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/${command}`,
  reportingCli: (command: string) =>
    `aws-cli/2.13.25 Python/3.11.5 Linux/5.15.0-101-generic exe/x86_64.ubuntu.22 prompt/off command/${command}`,
  awsVault: (api: string) =>
    `aws-sdk-go-v2/1.24.1 os/macos lang/go#1.21.6 md/GOOS#darwin md/GOARCH#arm64 api/${api}#1.26.7`,
  intruderBoto3:
    'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  intruderCli: (command: string) =>
    `aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off command/${command}`,
};

const maria = iamUser(PROD, 'maria.schmidt');
const tom = iamUser(PROD, 'tom.becker');
const svcReporting = iamUser(PROD, 'svc-reporting', 'AKIAXBQ7LRM2HN5TWK4E');
const svcBackup = iamUser(PROD, 'svc-backup', 'AKIAXBQ7S3UDP6JY2ZCM');
const jonas = iamUser(STAGING, 'jonas.weber');
const lena = iamUser(STAGING, 'lena.hoffmann');

const stacksOf = (stage: string): Stack[] => [
  { name: 'payments-api', repo: 'acme-corp/payments-api', functions: ['payments-webhook-handler'] },
  { name: 'invoice-service', repo: 'acme-corp/invoice-service', functions: ['invoice-pdf-renderer'] },
  { name: `ledger-export-${stage}`, repo: 'acme-corp/ledger-export', functions: ['nightly-ledger-export'] },
];

const prodEstate: Estate = {
  account: PROD,
  appRegion: EU_WEST_1,
  regions: [US_EAST_1, EU_WEST_1, US_WEST_2],
  natIp: '34.247.61.182',
  stacks: stacksOf('prod'),
  ciRole: iamRole(PROD, 'github-actions-deploy'),
  appRole: iamRole(PROD, 'payments-app-instance-role'),
  gitRef: 'refs/heads/main',
  artifactsBucket: 'acme-prod-deploy-artifacts',
  recordsArtifactWrites: true,
  buckets: ['acme-prod-deploy-artifacts', 'acme-prod-cloudtrail-logs', 'acme-prod-customer-exports'],
  appSecret: 'prod/payments/db-credentials',
  secretsKeyArn: `arn:aws:kms:${EU_WEST_1}:${PROD.id}:key/6f2b9d41-3c8e-4a7f-b5d0-91e2c4a8f36b`,
  parameters: ['/payments/prod/feature-flags', '/payments/prod/service-endpoints'],
  deploysPerWorkday: [3, 6],
  people: [
    {
      user: maria,
      ip: OFFICE_IP,
      userAgent: agents.chromeMac,
      logsInBetween: [7.6, 9.2],
    },
    {
      user: tom,
      ip: '192.0.2.146',
      userAgent: agents.firefoxWindows,
      logsInBetween: [8.8, 10.5],
      mistake: {
        day: 'first',
        call: (actor) => ({
          account: PROD,
          region: US_EAST_1,
          service: 'organizations',
          name: 'DescribeOrganization',
          error: deniedException(actor, 'organizations:DescribeOrganization'),
        }),
      },
    },
  ],
  detectors: {
    [US_EAST_1]: '4ec2a1b98f3d7e6c0a5b2d9f1e8c7a34',
    [EU_WEST_1]: '8ac6d2f07b1e4c93a5d8e2f6b0c47d19',
  },
  baseInstances: [
    {
      id: 'i-0a3f9c2e7b1d45e68',
      role: iamRole(PROD, 'payments-app-instance-role'),
      runsApp: true,
      privateIp: '10.20.1.37',
      az: 'eu-west-1a',
    },
    {
      id: 'i-0c71e4b9a2f3d8061',
      role: iamRole(PROD, 'payments-app-instance-role'),
      runsApp: true,
      privateIp: '10.20.2.118',
      az: 'eu-west-1b',
    },
    {
      id: 'i-07f3b2c9e1d4a6b85',
      role: iamRole(PROD, 'ledger-db-instance-role'),
      runsApp: false,
      privateIp: '10.20.3.21',
      az: 'eu-west-1c',
    },
  ],
  scaledInstancesPerWorkday: 2,
};

const stagingEstate: Estate = {
  account: STAGING,
  appRegion: EU_WEST_1,
  regions: [US_EAST_1, EU_WEST_1],
  natIp: '52.49.208.17',
  stacks: stacksOf('staging'),
  ciRole: iamRole(STAGING, 'github-actions-deploy'),
  appRole: iamRole(STAGING, 'payments-app-instance-role'),
  gitRef: 'refs/heads/develop',
  artifactsBucket: 'acme-staging-deploy-artifacts',
  recordsArtifactWrites: false,
  buckets: ['acme-staging-deploy-artifacts', 'acme-staging-test-fixtures'],
  appSecret: 'staging/payments/db-credentials',
  secretsKeyArn: `arn:aws:kms:${EU_WEST_1}:${STAGING.id}:key/0d7c3e58-91a4-4f26-8b3e-c5a9f1d24e70`,
  parameters: ['/payments/staging/feature-flags', '/payments/staging/service-endpoints'],
  deploysPerWorkday: [5, 9],
  people: [
    {
      user: jonas,
      ip: OFFICE_IP,
      userAgent: agents.edgeWindows,
      logsInBetween: [8.0, 9.5],
      mistake: {
        day: 'first',
        call: (actor) => ({
          account: STAGING,
          region: US_EAST_1,
          service: 'ce',
          name: 'GetCostAndUsage',
          request: {
            timePeriod: { start: '2025-02-01', end: '2025-03-01' },
            granularity: 'MONTHLY',
            metrics: ['UnblendedCost'],
          },
          error: deniedException(
            actor,
            'ce:GetCostAndUsage',
            `arn:aws:ce:${US_EAST_1}:${STAGING.id}:/GetCostAndUsage`,
          ),
        }),
      },
    },
    {
      user: lena,
      ip: '198.51.100.187',
      userAgent: agents.chromeMac,
      logsInBetween: [9.0, 11.0],
      mistake: {
        day: 'last',
        call: (actor) => ({
          account: STAGING,
          region: EU_WEST_1,
          service: 'ec2',
          name: 'TerminateInstances',
          request: { instancesSet: { items: [{ instanceId: 'i-09b2d7e4c1a6f3850' }] } },
          error: ec2Unauthorized(actor, 'ec2:TerminateInstances', true),
        }),
      },
    },
  ],
  detectors: {
    [US_EAST_1]: '2b7e0c9d4a1f83e6b5c2d7a9f0e14c68',
    [EU_WEST_1]: 'd41e8a6c2f9b07d3e5a1c8b6f2094e7a',
  },
  baseInstances: [
    {
      id: 'i-09b2d7e4c1a6f3850',
      role: iamRole(STAGING, 'payments-app-instance-role'),
      runsApp: true,
      privateIp: '10.40.1.52',
      az: 'eu-west-1a',
    },
  ],
  scaledInstancesPerWorkday: 0,
};

/** The names and values the intrusion uses, for the README and for tests that tell the story. */
export const demoScenario = {
  organisationId: ORG_ID,
  productionAccountId: PROD.id,
  stagingAccountId: STAGING.id,
  trailArn: TRAIL_ARN,
  leakedUser: svcReporting.name,
  leakedAccessKeyId: svcReporting.accessKeyId,
  backdoorUser: svcBackup.name,
  backdoorAccessKeyId: svcBackup.accessKeyId,
  intruderIp: ATTACKER_IP,
  externalAccountId: EXTERNAL_ACCOUNT_ID,
  newRegion: AP_SOUTHEAST_1,
  sharedSnapshotId: 'snap-0a4e9c1f7b3d28e65',
  publicBucket: 'acme-prod-customer-exports',
} as const;

// ---------------------------------------------------------------------------------------------
// Benign background: machines, services, deployments and people.

interface Instance {
  id: string;
  estate: Estate;
  role: IamRole;
  runsApp: boolean;
  privateIp: string;
  az: string;
  launchedAt: number;
  terminatedAt: number;
}

/** The always-on instances, and each workday's extra capacity launched and retired by Auto Scaling. */
function planFleet(scene: Scene, estate: Estate): Instance[] {
  const rng = scene.rng.fork(`fleet/${estate.account.id}`);
  const fleet: Instance[] = estate.baseInstances.map((base) => ({
    ...base,
    estate,
    launchedAt: scene.from - 9 * DAY,
    terminatedAt: scene.to + DAY,
  }));
  const autoscaling = serviceLinkedRole(
    estate.account,
    'autoscaling.amazonaws.com',
    'AWSServiceRoleForAutoScaling',
  );
  for (const day of workdays(scene)) {
    for (let n = 0; n < estate.scaledInstancesPerWorkday; n++) {
      const launchedAt = day + 7.8 * HOUR + rng.seconds(0, 600) + n * rng.seconds(2, 20);
      const subnet = n % 2 === 0 ? 'a' : 'b';
      const instance: Instance = {
        id: `i-0${rng.hex(16)}`,
        estate,
        role: estate.appRole,
        runsApp: true,
        privateIp: `10.20.${n % 2 === 0 ? 1 : 2}.${rng.int(10, 250)}`,
        az: `${estate.appRegion}${subnet}`,
        launchedAt,
        terminatedAt: day + 18.1 * HOUR + rng.seconds(0, 900),
      };
      fleet.push(instance);
      const session = roleSession(rng, autoscaling, 'AutoScaling', launchedAt - HOUR);
      const asg = onBehalfOf(roleActor(session, '', ''), 'autoscaling.amazonaws.com');
      scene.timeline.emit({
        at: launchedAt,
        account: estate.account,
        region: estate.appRegion,
        service: 'ec2',
        name: 'RunInstances',
        actor: asg,
        request: runInstancesRequest(rng, instance),
        response: runInstancesResponse(rng, instance),
      });
      scene.timeline.emit({
        at: instance.terminatedAt,
        account: estate.account,
        region: estate.appRegion,
        service: 'ec2',
        name: 'TerminateInstances',
        actor: asg,
        request: { instancesSet: { items: [{ instanceId: instance.id }] } },
        response: {
          requestId: rng.uuid(),
          instancesSet: {
            items: [
              {
                instanceId: instance.id,
                currentState: { code: 32, name: 'shutting-down' },
                previousState: { code: 16, name: 'running' },
              },
            ],
          },
        },
      });
    }
  }
  return fleet;
}

/**
 * What an instance does on its own: EC2 refreshes its role credentials about hourly, the SSM agent
 * checks in every five minutes, and the payments app reads its configuration hourly and its
 * database secret at boot and twice a day (KMS decrypts the secret for Secrets Manager).
 */
function instanceActivity(scene: Scene, instance: Instance): void {
  const { estate } = instance;
  const rng = scene.rng.fork(`instance/${instance.id}`);
  const begin = Math.max(instance.launchedAt, scene.from - HOUR);
  const end = Math.min(instance.terminatedAt, scene.to);
  const sessions: RoleSession[] = [];
  for (let t = begin + rng.seconds(15, 40); t < end; t += HOUR + rng.seconds(-90, 90)) {
    const session = { ...roleSession(rng, instance.role, instance.id, t), ec2: true };
    sessions.push(session);
    scene.timeline.emit({
      at: t,
      account: estate.account,
      region: estate.appRegion,
      service: 'sts',
      name: 'AssumeRole',
      actor: serviceActor('ec2.amazonaws.com'),
      request: { roleArn: roleArn(instance.role), roleSessionName: instance.id },
      response: assumeRoleResponse(rng, session, 6 * HOUR),
      resources: [roleResource(instance.role)],
    });
  }
  const actorAt = (at: number, userAgent: string): Actor => {
    const session = sessions.findLast((s) => s.createdAt <= at) ?? itemAt(sessions, 0);
    return roleActor(session, estate.natIp, userAgent);
  };
  if (sessions.length === 0) return;
  const firstSession = itemAt(sessions, 0).createdAt;

  for (let t = firstSession + rng.seconds(20, 60); t < end; t += 5 * MINUTE + rng.seconds(-6, 6)) {
    scene.timeline.emit({
      at: t,
      account: estate.account,
      region: estate.appRegion,
      service: 'ssm',
      name: 'UpdateInstanceInformation',
      actor: actorAt(t, agents.ssmAgent),
      request: {
        instanceId: instance.id,
        agentVersion: '3.3.131.0',
        agentStatus: 'Active',
        platformType: 'Linux',
        platformName: 'Amazon Linux',
        platformVersion: '2023',
        iPAddress: instance.privateIp,
        computerName: `ip-${instance.privateIp.replaceAll('.', '-')}.${estate.appRegion}.compute.internal`,
        agentName: 'amazon-ssm-agent',
        availabilityZone: instance.az,
        availabilityZoneId: `euw1-az${instance.az.endsWith('a') ? 1 : instance.az.endsWith('b') ? 2 : 3}`,
      },
    });
  }
  if (!instance.runsApp) return;

  for (let t = firstSession + rng.seconds(40, 90); t < end; t += HOUR + rng.seconds(-30, 30)) {
    scene.timeline.emit({
      at: t,
      account: estate.account,
      region: estate.appRegion,
      service: 'ssm',
      name: 'GetParameters',
      actor: actorAt(t, agents.javaApp),
      request: { names: estate.parameters, withDecryption: false },
    });
  }
  const bootRead = instance.launchedAt >= scene.from - HOUR;
  const firstRead = bootRead ? firstSession + rng.seconds(45, 75) : scene.from + rng.seconds(0, 12 * 3600);
  for (let t = firstRead; t < end; t += 12 * HOUR + rng.seconds(-20, 20)) {
    const app = actorAt(t, agents.javaApp);
    scene.timeline.emit({
      at: t,
      account: estate.account,
      region: estate.appRegion,
      service: 'secretsmanager',
      name: 'GetSecretValue',
      actor: app,
      request: { secretId: estate.appSecret },
    });
    scene.timeline.emit(
      secretDecrypt(
        estate,
        onBehalfOf(app, 'secretsmanager.amazonaws.com'),
        t,
        secretArn(estate, estate.appSecret),
      ),
    );
  }
}

/** Lambda assumes each function's role when it starts a new execution environment. */
function lambdaColdStarts(scene: Scene, estate: Estate): void {
  for (const stack of estate.stacks) {
    for (const fn of stack.functions) {
      const rng = scene.rng.fork(`lambda/${estate.account.id}/${fn}`);
      const role = iamRole(estate.account, `${fn}-role`);
      for (let t = scene.from + rng.seconds(0, 3600); t < scene.to; ) {
        const session = roleSession(rng, role, fn, t);
        scene.timeline.emit({
          at: t,
          account: estate.account,
          region: estate.appRegion,
          service: 'sts',
          name: 'AssumeRole',
          actor: serviceActor('lambda.amazonaws.com'),
          request: { roleArn: roleArn(role), roleSessionName: fn },
          response: assumeRoleResponse(rng, session, 12 * HOUR),
          resources: [roleResource(role)],
        });
        const hour = hourOfDay(t);
        t += rng.wait(hour >= 7 && hour < 19 ? 50 * MINUTE : 150 * MINUTE);
      }
    }
  }
}

/** AWS Config describes the configuration of every recorded resource type every couple of hours. */
function configRecorder(scene: Scene, estate: Estate): void {
  const role = serviceLinkedRole(estate.account, 'config.amazonaws.com', 'AWSServiceRoleForConfig');
  for (const region of estate.regions) {
    const rng = scene.rng.fork(`config/${estate.account.id}/${region}`);
    const reads = configReads(estate, region);
    for (let t = scene.from + rng.seconds(0, 7200); t < scene.to; t += 2 * HOUR + rng.seconds(-1200, 1200)) {
      const session = roleSession(rng, role, 'AWSConfig-Describe', t);
      scene.timeline.emit({
        at: t,
        account: estate.account,
        region,
        service: 'sts',
        name: 'AssumeRole',
        actor: serviceActor('config.amazonaws.com'),
        request: { roleArn: roleArn(role), roleSessionName: 'AWSConfig-Describe' },
        response: assumeRoleResponse(rng, session, HOUR),
        resources: [roleResource(role)],
      });
      const config = onBehalfOf(roleActor(session, '', ''), 'config.amazonaws.com');
      let at = t + rng.seconds(1, 4);
      for (const read of reads) {
        if (!rng.chance(0.75)) continue;
        scene.timeline.emit({ ...read, at, account: estate.account, actor: config });
        at += rng.seconds(1, 9);
      }
    }
  }
}

type Read = Pick<ApiCall, 'region' | 'service' | 'name' | 'request' | 'error' | 'host'>;

function configReads(estate: Estate, region: string): Read[] {
  const ec2: Read[] = [
    { region, service: 'ec2', name: 'DescribeInstances', request: { instancesSet: {}, filterSet: {} } },
    {
      region,
      service: 'ec2',
      name: 'DescribeSecurityGroups',
      request: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} },
    },
    { region, service: 'ec2', name: 'DescribeVolumes', request: { volumeSet: {}, filterSet: {} } },
    { region, service: 'ec2', name: 'DescribeVpcs', request: { vpcSet: {}, filterSet: {} } },
    { region, service: 'ec2', name: 'DescribeSubnets', request: { subnetSet: {}, filterSet: {} } },
    { region, service: 'ec2', name: 'DescribeNetworkAcls', request: { networkAclIdSet: {}, filterSet: {} } },
    { region, service: 'ec2', name: 'DescribeRouteTables', request: { routeTableIdSet: {}, filterSet: {} } },
  ];
  if (region !== US_EAST_1) return ec2;
  const [artifacts, withPolicy] = [estate.artifactsBucket, itemAt(estate.buckets, 1)];
  return [
    ...ec2,
    { region, service: 'iam', name: 'ListRoles', request: { maxItems: 100 } },
    { region, service: 'iam', name: 'ListUsers', request: { maxItems: 100 } },
    { region, service: 'iam', name: 'ListPolicies', request: { scope: 'Local', onlyAttached: false } },
    { region, service: 's3', name: 'GetBucketAcl', request: s3Request(artifacts, region, { acl: '' }) },
    {
      region,
      service: 's3',
      name: 'GetBucketVersioning',
      request: s3Request(artifacts, region, { versioning: '' }),
    },
    {
      region,
      service: 's3',
      name: 'GetBucketPolicy',
      request: s3Request(artifacts, region, { policy: '' }),
      error: { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' },
    },
    {
      region,
      service: 's3',
      name: 'GetBucketPolicy',
      request: s3Request(withPolicy, region, { policy: '' }),
    },
  ];
}

/** Trusted Advisor refreshes its checks a few times a day through its service-linked role. */
function trustedAdvisor(scene: Scene, estate: Estate): void {
  const rng = scene.rng.fork(`trusted-advisor/${estate.account.id}`);
  const role = serviceLinkedRole(
    estate.account,
    'trustedadvisor.amazonaws.com',
    'AWSServiceRoleForTrustedAdvisor',
  );
  for (
    let t = scene.from + rng.seconds(0, 6 * 3600);
    t < scene.to;
    t += 6 * HOUR + rng.seconds(-3600, 3600)
  ) {
    const name = `TrustedAdvisor_${estate.account.id}_${rng.uuid()}`;
    const session = roleSession(rng, role, name, t);
    scene.timeline.emit({
      at: t,
      account: estate.account,
      region: US_EAST_1,
      service: 'sts',
      name: 'AssumeRole',
      actor: serviceActor('trustedadvisor.amazonaws.com'),
      request: { roleArn: roleArn(role), roleSessionName: name },
      response: assumeRoleResponse(rng, session, HOUR),
      resources: [roleResource(role)],
    });
    const advisor = onBehalfOf(roleActor(session, '', ''), 'trustedadvisor.amazonaws.com');
    const reads: Read[] = [
      { region: US_EAST_1, service: 'iam', name: 'GetAccountSummary' },
      { region: US_EAST_1, service: 'iam', name: 'GetAccountPasswordPolicy' },
      {
        region: US_EAST_1,
        service: 'cloudtrail',
        name: 'DescribeTrails',
        request: { includeShadowTrails: true },
      },
      { region: US_EAST_1, service: 's3', name: 'ListBuckets', request: { Host: 's3.amazonaws.com' } },
      ...estate.regions.flatMap((region): Read[] => [
        {
          region,
          service: 'ec2',
          name: 'DescribeSecurityGroups',
          request: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} },
        },
        { region, service: 'ec2', name: 'DescribeAddresses', request: { publicIpsSet: {}, filterSet: {} } },
        { region, service: 'ec2', name: 'DescribeVolumes', request: { volumeSet: {}, filterSet: {} } },
      ]),
    ];
    let at = t + rng.seconds(1, 3);
    for (const read of reads) {
      scene.timeline.emit({ ...read, at, account: estate.account, actor: advisor });
      at += rng.seconds(0, 4);
    }
  }
}

/**
 * GitHub Actions deploys through OIDC: upload the artifacts, create and execute a CloudFormation
 * change set, poll the stack. CloudFormation then updates the functions with the caller's
 * credentials; now and then a stack adds a function with a new, narrowly scoped role.
 */
function ciDeploys(scene: Scene, estate: Estate): void {
  const rng = scene.rng.fork(`ci/${estate.account.id}`);
  let deploys = 0;
  const lastDay = scene.from + (scene.days - 1) * DAY;
  for (const day of workdays(scene)) {
    const times = Array.from({ length: rng.int(...estate.deploysPerWorkday) }, () =>
      rng.int(Math.round(8.5 * 3600), Math.round(17.5 * 3600)),
    ).sort((a, b) => a - b);
    for (const [index, offset] of times.entries()) {
      const addsFunction = deploys === 0 || rng.chance(0.12);
      const misconfigured = estate === prodEstate && day === lastDay && index === 0;
      deploy(scene, estate, rng, day + offset * SECOND, addsFunction, misconfigured);
      deploys++;
    }
  }
}

function deploy(
  scene: Scene,
  estate: Estate,
  rng: Rng,
  startedAt: number,
  addsFunction: boolean,
  misconfigured: boolean,
): void {
  const { account, appRegion: region } = estate;
  const emit = (call: Omit<ApiCall, 'account' | 'region'> & { region?: string }) =>
    scene.timeline.emit({ account, region, ...call });
  const stack = rng.pick(estate.stacks);
  const sha = rng.hex(40);
  const runnerIp = `${rng.pick(['20.57', '4.227', '172.183', '52.176', '40.84'])}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  const subject = `repo:${stack.repo}:ref:${estate.gitRef}`;
  const provider = `arn:aws:iam::${account.id}:oidc-provider/token.actions.githubusercontent.com`;
  const session: RoleSession = {
    ...roleSession(rng, estate.ciRole, 'GitHubActions', startedAt),
    webIdentityProvider: provider,
  };
  emit({
    at: startedAt,
    service: 'sts',
    name: 'AssumeRoleWithWebIdentity',
    actor: {
      identity: {
        type: 'WebIdentityUser',
        principalId: `${provider}:sts.amazonaws.com:${subject}`,
        userName: subject,
        identityProvider: provider,
      },
      ip: runnerIp,
      userAgent: agents.githubCredentials,
    },
    request: { roleArn: roleArn(estate.ciRole), roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    response: {
      ...assumeRoleResponse(rng, session, HOUR),
      subjectFromWebIdentityToken: subject,
      provider,
      audience: 'sts.amazonaws.com',
    },
    resources: [roleResource(estate.ciRole)],
  });
  const runner = (command: string) => roleActor(session, runnerIp, agents.runnerCli(command));
  emit({
    at: startedAt + rng.seconds(1, 2),
    service: 'sts',
    name: 'GetCallerIdentity',
    actor: roleActor(session, runnerIp, agents.githubCredentials),
  });
  let t = startedAt + rng.seconds(4, 10);
  const next = (min: number, max: number) => {
    t += rng.seconds(min, max);
    return t;
  };

  if (misconfigured) {
    const name = '/payments/prod/sentry-dsn';
    emit({
      at: next(1, 3),
      service: 'ssm',
      name: 'GetParameter',
      actor: runner('ssm.get-parameter'),
      request: { name, withDecryption: true },
      error: deniedException(
        runner(''),
        'ssm:GetParameter',
        `arn:aws:ssm:${region}:${account.id}:parameter${name}`,
      ),
    });
  }
  const prefix = `${stack.name}/${sha}`;
  const templateKey = `${prefix}/template.yaml`;
  const codeKey = `${prefix}/function.zip`;
  if (estate.recordsArtifactWrites) {
    for (const [key, size] of [
      [codeKey, rng.int(900_000, 4_800_000)],
      [templateKey, rng.int(4_000, 18_000)],
    ] as const) {
      const bucketArn = `arn:aws:s3:::${estate.artifactsBucket}`;
      emit({
        at: next(2, 12),
        service: 's3',
        name: 'PutObject',
        actor: runner('s3.cp'),
        dataEvent: true,
        request: { ...s3Request(estate.artifactsBucket, region), key },
        response: { 'x-amz-server-side-encryption': 'AES256' },
        additionalEventData: s3Extra(rng, size, 0, { SSEApplied: 'Default_SSE_S3' }),
        resources: [
          { type: 'AWS::S3::Object', ARN: `${bucketArn}/${key}` },
          { accountId: account.id, type: 'AWS::S3::Bucket', ARN: bucketArn },
        ],
        host: `${estate.artifactsBucket}.s3.${region}.amazonaws.com`,
      });
    }
  } else {
    next(4, 15);
  }

  const stackId = `arn:aws:cloudformation:${region}:${account.id}:stack/${stack.name}/${stableUuid(`${account.id}/${stack.name}`)}`;
  const changeSetName = `deploy-${sha.slice(0, 7)}`;
  const changeSetId = `arn:aws:cloudformation:${region}:${account.id}:changeSet/${changeSetName}/${rng.uuid()}`;
  emit({
    at: next(3, 8),
    service: 'cloudformation',
    name: 'CreateChangeSet',
    actor: runner('cloudformation.create-change-set'),
    request: {
      stackName: stack.name,
      templateURL: `https://${estate.artifactsBucket}.s3.${region}.amazonaws.com/${templateKey}`,
      parameters: [
        { parameterKey: 'ArtifactKey', parameterValue: codeKey },
        { parameterKey: 'GitSha', parameterValue: sha },
      ],
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      changeSetName,
      changeSetType: 'UPDATE',
    },
    response: { id: changeSetId, stackId },
  });
  for (let n = rng.int(2, 3); n > 0; n--) {
    emit({
      at: next(3, 9),
      service: 'cloudformation',
      name: 'DescribeChangeSet',
      actor: runner('cloudformation.describe-change-set'),
      request: { changeSetName: changeSetId, stackName: stack.name },
    });
  }
  emit({
    at: next(1, 4),
    service: 'cloudformation',
    name: 'ExecuteChangeSet',
    actor: runner('cloudformation.execute-change-set'),
    request: { changeSetName: changeSetId, stackName: stack.name },
  });

  const cloudformation = onBehalfOf(roleActor(session, '', ''), 'cloudformation.amazonaws.com');
  let cfnAt = t + rng.seconds(2, 6);
  const cfn = (call: Omit<ApiCall, 'account' | 'region' | 'at' | 'actor'> & { region?: string }) => {
    emit({ ...call, at: cfnAt, actor: cloudformation });
    cfnAt += rng.seconds(1, 8);
  };
  if (addsFunction) {
    const fn = `${stack.name.replace(/-(prod|staging)$/, '')}-archiver`;
    const role = iamRole(account, `${stack.name}-ArchiverRole-${rng.chars(UPPER_ALNUM, 12)}`);
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    const tags = [
      { key: 'aws:cloudformation:stack-name', value: stack.name },
      { key: 'aws:cloudformation:logical-id', value: 'ArchiverRole' },
      { key: 'aws:cloudformation:stack-id', value: stackId },
    ];
    cfn({
      region: US_EAST_1,
      service: 'iam',
      name: 'CreateRole',
      request: { roleName: role.name, assumeRolePolicyDocument: trust, tags },
      response: {
        role: {
          path: '/',
          roleName: role.name,
          roleId: role.roleId,
          arn: roleArn(role),
          createDate: iamDate(cfnAt),
          assumeRolePolicyDocument: encodeURIComponent(trust),
          tags,
        },
      },
    });
    cfn({
      region: US_EAST_1,
      service: 'iam',
      name: 'AttachRolePolicy',
      request: {
        roleName: role.name,
        policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      },
    });
    cfn({
      region: US_EAST_1,
      service: 'iam',
      name: 'PutRolePolicy',
      request: {
        roleName: role.name,
        policyName: 'archive-bucket-write',
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:PutObject'],
              Resource: `arn:aws:s3:::${estate.artifactsBucket.replace('deploy-artifacts', 'archive')}/*`,
            },
          ],
        }),
      },
    });
    cfn({ region: US_EAST_1, service: 'iam', name: 'GetRole', request: { roleName: role.name } });
    cfnAt += rng.seconds(8, 15);
    cfn({
      service: 'lambda',
      name: 'CreateFunction20150331',
      request: {
        functionName: fn,
        runtime: 'nodejs20.x',
        role: roleArn(role),
        handler: 'index.handler',
        code: { s3Bucket: estate.artifactsBucket, s3Key: codeKey },
        timeout: 30,
        memorySize: 256,
        architectures: ['arm64'],
        publish: false,
      },
      response: functionConfiguration(rng, estate, fn, role, cfnAt),
    });
  }
  for (const fn of stack.functions) {
    cfn({
      service: 'lambda',
      name: 'UpdateFunctionCode20150331v2',
      request: {
        functionName: fn,
        s3Bucket: estate.artifactsBucket,
        s3Key: codeKey,
        publish: false,
        dryRun: false,
      },
      response: functionConfiguration(rng, estate, fn, iamRole(account, `${fn}-role`), cfnAt),
    });
    cfn({ service: 'lambda', name: 'GetFunction20150331v2', request: { functionName: fn } });
  }

  t += rng.seconds(5, 10);
  while (t < cfnAt + 20 * SECOND) {
    emit({
      at: next(5, 15),
      service: 'cloudformation',
      name: 'DescribeStacks',
      actor: runner('cloudformation.deploy'),
      request: { stackName: stack.name },
    });
    emit({
      at: next(0, 1),
      service: 'cloudformation',
      name: 'DescribeStackEvents',
      actor: runner('cloudformation.deploy'),
      request: { stackName: stack.name },
    });
  }
}

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
function consoleWork(scene: Scene, estate: Estate): void {
  const reads = consoleReads(estate);
  const lastDay = scene.from + (scene.days - 1) * DAY;
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
  const { user } = person;
  scene.timeline.emit({
    at,
    account: user.account,
    region: US_EAST_1,
    service: 'signin',
    name: 'ConsoleLogin',
    actor: { identity: iamUserIdentity(user, false), ip: person.ip, userAgent: person.userAgent },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
    response: { ConsoleLogin: 'Success' },
    additionalEventData: {
      LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_${rng.hex(16)}`,
      MobileVersion: 'No',
      MFAIdentifier: `arn:aws:iam::${user.account.id}:mfa/${user.name}`,
      MFAUsed: 'Yes',
    },
    requestId: null,
  });
  return consoleActor(user, sessionKey(rng), at, true, person.ip, person.userAgent);
}

/**
 * Nightly work: the reporting job's IAM credential report and cost report (the same long-term
 * key the intruder later uses), the ledger export, and AWS Backup's job for the payments database.
 */
function nightlyJobs(scene: Scene): void {
  const rng = scene.rng.fork('nightly');
  const exportRole = iamRole(PROD, 'nightly-ledger-export-role');
  const backupRole = iamRole(PROD, 'AWSBackupDefaultServiceRole', 'service-role/');
  for (let day = scene.from; day < scene.to; day += DAY) {
    let t = day + 90 * MINUTE + rng.seconds(-240, 240);
    const job = (command: string) => keyActor(svcReporting, OFFICE_IP, agents.reportingCli(command));
    const report = (
      name: string,
      command: string,
      request: Json = null,
      response: Json = null,
      region = US_EAST_1,
    ) => {
      scene.timeline.emit({
        at: t,
        account: PROD,
        region,
        service: 'iam',
        name,
        actor: job(command),
        request,
        response,
      });
      t += rng.seconds(1, 4);
    };
    report('GenerateCredentialReport', 'iam.generate-credential-report', null, {
      state: 'STARTED',
      description: 'No report exists. Starting a new report generation task',
    });
    t += rng.seconds(8, 15);
    report('GenerateCredentialReport', 'iam.generate-credential-report', null, { state: 'COMPLETE' });
    report('GetCredentialReport', 'iam.get-credential-report');
    report('ListUsers', 'iam.list-users');
    for (const user of [maria, tom, svcReporting]) {
      report('ListAccessKeys', 'iam.list-access-keys', { userName: user.name });
    }
    const yesterday = iso(day - DAY).slice(0, 10);
    scene.timeline.emit({
      at: t,
      account: PROD,
      region: US_EAST_1,
      service: 'ce',
      name: 'GetCostAndUsage',
      actor: job('ce.get-cost-and-usage'),
      request: {
        timePeriod: { start: yesterday, end: iso(day).slice(0, 10) },
        granularity: 'DAILY',
        metrics: ['UnblendedCost'],
        groupBy: [{ type: 'DIMENSION', key: 'SERVICE' }],
      },
      host: 'ce.us-east-1.amazonaws.com',
    });

    const exportAt = day + 65 * MINUTE + rng.seconds(0, 120);
    const session = roleSession(rng, exportRole, 'nightly-ledger-export', exportAt);
    scene.timeline.emit({
      at: exportAt,
      account: PROD,
      region: EU_WEST_1,
      service: 'sts',
      name: 'AssumeRole',
      actor: serviceActor('lambda.amazonaws.com'),
      request: { roleArn: roleArn(exportRole), roleSessionName: 'nightly-ledger-export' },
      response: assumeRoleResponse(rng, session, 12 * HOUR),
      resources: [roleResource(exportRole)],
    });
    const fn = roleActor(
      session,
      rng.pick(['3.250.14.90', '54.154.201.33', '52.211.76.4']),
      agents.lambdaNode('dynamodb'),
    );
    const tableArn = `arn:aws:dynamodb:${EU_WEST_1}:${PROD.id}:table/ledger-entries`;
    const exportArn = `${tableArn}/export/${Math.floor(exportAt / SECOND)}000-${rng.hex(8)}`;
    let at = exportAt + rng.seconds(1, 3);
    scene.timeline.emit({
      at,
      account: PROD,
      region: EU_WEST_1,
      service: 'dynamodb',
      name: 'ExportTableToPointInTime',
      actor: fn,
      request: {
        tableArn,
        s3Bucket: 'acme-prod-ledger-exports',
        s3Prefix: `daily/${iso(day).slice(0, 10)}`,
        exportFormat: 'DYNAMODB_JSON',
      },
      response: { exportDescription: { exportArn, exportStatus: 'IN_PROGRESS', tableArn } },
    });
    for (let n = rng.int(2, 4); n > 0; n--) {
      at += rng.seconds(60, 180);
      scene.timeline.emit({
        at,
        account: PROD,
        region: EU_WEST_1,
        service: 'dynamodb',
        name: 'DescribeExport',
        actor: fn,
        request: { exportArn },
      });
    }

    const backupAt = day + 75 * MINUTE + rng.seconds(0, 1200);
    const backupJobId = rng.uuid().toUpperCase();
    scene.timeline.emit({
      at: backupAt,
      account: PROD,
      region: EU_WEST_1,
      service: 'backup',
      name: 'BackupJobCompleted',
      actor: {
        identity: { accountId: PROD.id, invokedBy: 'backup.amazonaws.com' },
        ip: 'backup.amazonaws.com',
        userAgent: 'backup.amazonaws.com',
        viaService: true,
      },
      eventType: 'AwsServiceEvent',
      readOnly: false,
      requestId: null,
      serviceEventDetails: {
        backupJobId,
        backupVaultName: 'Default',
        backupVaultArn: `arn:aws:backup:${EU_WEST_1}:${PROD.id}:backup-vault:Default`,
        recoveryPointArn: `arn:aws:rds:${EU_WEST_1}:${PROD.id}:snapshot:awsbackup:job-${backupJobId.toLowerCase()}`,
        resourceArn: `arn:aws:rds:${EU_WEST_1}:${PROD.id}:db:payments-db`,
        resourceType: 'RDS',
        iamRoleArn: roleArn(backupRole),
        state: 'COMPLETED',
        creationDate: iso(backupAt - rng.seconds(300, 900)),
        completionDate: iso(backupAt),
        percentDone: '100.0',
      },
    });
  }
  const rotateAt = scene.to - DAY + 4 * HOUR + rng.seconds(0, 3600);
  const keyArn = prodEstate.secretsKeyArn;
  scene.timeline.emit({
    at: rotateAt,
    account: PROD,
    region: EU_WEST_1,
    service: 'kms',
    name: 'RotateKey',
    actor: {
      identity: { accountId: PROD.id, invokedBy: 'AWS Internal' },
      ip: 'AWS Internal',
      userAgent: 'AWS Internal',
      viaService: true,
    },
    eventType: 'AwsServiceEvent',
    readOnly: false,
    requestId: null,
    additionalEventData: { keyId: keyArn.slice(keyArn.lastIndexOf('/') + 1) },
    resources: [{ accountId: PROD.id, type: 'AWS::KMS::Key', ARN: keyArn }],
  });
}

/**
 * Maria administers staging from her laptop: aws-vault asks for her MFA code and assumes the
 * staging platform role. A cross-account AssumeRole is logged in both accounts under one shared id.
 */
function crossAccountAdministration(scene: Scene): void {
  const rng = scene.rng.fork('cross-account');
  const platformAdmin = iamRole(STAGING, 'platform-admin');
  const lastDay = scene.from + (scene.days - 1) * DAY;
  for (const day of workdays(scene)) {
    if (day !== scene.from && day !== lastDay) continue;
    const at = day + 15 * HOUR + rng.seconds(0, 3600);
    const session: RoleSession = { ...roleSession(rng, platformAdmin, maria.name, at), mfa: true };
    emitInBothAccounts(scene, rng, {
      at,
      region: EU_WEST_1,
      service: 'sts',
      name: 'AssumeRole',
      actor: keyActor(maria, OFFICE_IP, agents.awsVault('sts')),
      request: {
        roleArn: roleArn(platformAdmin),
        roleSessionName: maria.name,
        durationSeconds: 3600,
        serialNumber: `arn:aws:iam::${PROD.id}:mfa/${maria.name}`,
      },
      response: assumeRoleResponse(rng, session, HOUR),
      resources: [roleResource(platformAdmin)],
    });
    const admin = (api: string) => roleActor(session, OFFICE_IP, agents.awsVault(api));
    let t = at + rng.seconds(5, 20);
    const stack = rng.pick(stagingEstate.stacks);
    const reads: [string, string, Json, string][] = [
      ['cloudformation', 'DescribeStacks', { stackName: stack.name }, 'cloudformation'],
      ['cloudformation', 'DescribeStackEvents', { stackName: stack.name }, 'cloudformation'],
      ['lambda', 'GetFunction20150331v2', { functionName: itemAt(stack.functions, 0) }, 'lambda'],
      [
        'logs',
        'FilterLogEvents',
        { logGroupName: `/aws/lambda/${itemAt(stack.functions, 0)}`, startTime: t - 2 * HOUR, endTime: t },
        'cloudwatchlogs',
      ],
      ['ssm', 'DescribeInstanceInformation', { maxResults: 50 }, 'ssm'],
    ];
    for (const [service, name, request, api] of reads) {
      scene.timeline.emit({
        at: t,
        account: STAGING,
        region: EU_WEST_1,
        service,
        name,
        actor: admin(api),
        request,
      });
      t += rng.seconds(3, 40);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The intrusion, on the second day at night (UTC), when only machines are working.

/**
 * The reporting job's long-term key leaked. From a new address, with tools nobody here uses, the
 * intruder checks whose key it is, maps IAM and probes what else the key can do (mostly denied),
 * tries the root password, then uses the key's legacy IAM rights to create a backdoor administrator,
 * switches to that user, blinds GuardDuty and the flow logs, reads every secret, shares a database
 * snapshot with an outside account, opens a bucket to the world, fails to pivot into staging, and
 * stops the trail. Returns when logging stopped.
 */
function intrusion(scene: Scene): number {
  const day = attackDayStart(scene);
  const rng = scene.rng.fork('intrusion');
  const at = (clock: string) => day + clockToMs(clock);
  const emit = (call: ApiCall) => scene.timeline.emit(call, 'attack');
  const prod = (clock: string, call: Omit<ApiCall, 'at' | 'account'>) =>
    emit({ ...call, at: at(clock), account: PROD });

  const leakedBoto = keyActor(svcReporting, ATTACKER_IP, agents.intruderBoto3);
  const leakedCli = (command: string) => keyActor(svcReporting, ATTACKER_IP, agents.intruderCli(command));
  const backdoor = (command: string) => keyActor(svcBackup, ATTACKER_IP, agents.intruderCli(command));
  const leakedArn = userArn(svcReporting);

  prod('02:47:13', { region: US_EAST_1, service: 'sts', name: 'GetCallerIdentity', actor: leakedBoto });
  const iamRecon: [string, string, Json][] = [
    ['02:47:41', 'ListUsers', null],
    ['02:47:44', 'ListRoles', null],
    ['02:47:46', 'ListGroups', null],
    ['02:47:52', 'ListAttachedUserPolicies', { userName: svcReporting.name }],
    ['02:47:55', 'ListUserPolicies', { userName: svcReporting.name }],
    ['02:47:58', 'GetUserPolicy', { userName: svcReporting.name, policyName: 'legacy-iam-maintenance' }],
    ['02:48:06', 'GetAccountAuthorizationDetails', null],
  ];
  for (const [clock, name, request] of iamRecon) {
    prod(clock, { region: US_EAST_1, service: 'iam', name, actor: leakedBoto, request });
  }
  const ec2Denied = (region: string) => ({
    region,
    service: 'ec2',
    name: 'DescribeInstances',
    request: { instancesSet: {}, filterSet: {} },
    error: ec2Unauthorized(leakedBoto, 'ec2:DescribeInstances', false),
  });
  const probes: [string, Omit<ApiCall, 'at' | 'account' | 'actor'>][] = [
    [
      '02:48:21',
      {
        region: US_EAST_1,
        service: 's3',
        name: 'ListBuckets',
        request: { Host: 's3.amazonaws.com' },
        error: { code: 'AccessDenied', message: 'Access Denied' },
      },
    ],
    ['02:48:24', ec2Denied(US_EAST_1)],
    ['02:48:26', ec2Denied(EU_WEST_1)],
    ['02:48:27', ec2Denied(US_WEST_2)],
    ['02:48:29', ec2Denied(AP_SOUTHEAST_1)],
    [
      '02:48:33',
      {
        region: EU_WEST_1,
        service: 'secretsmanager',
        name: 'ListSecrets',
        error: accessDenied(leakedArn, 'secretsmanager:ListSecrets'),
      },
    ],
    [
      '02:48:36',
      {
        region: EU_WEST_1,
        service: 'rds',
        name: 'DescribeDBInstances',
        error: accessDenied(leakedArn, 'rds:DescribeDBInstances', `arn:aws:rds:${EU_WEST_1}:${PROD.id}:db:*`),
      },
    ],
    [
      '02:48:39',
      {
        region: EU_WEST_1,
        service: 'lambda',
        name: 'ListFunctions20150331',
        error: accessDenied(leakedArn, 'lambda:ListFunctions'),
      },
    ],
    [
      '02:48:42',
      {
        region: EU_WEST_1,
        service: 'dynamodb',
        name: 'ListTables',
        error: deniedException(
          leakedBoto,
          'dynamodb:ListTables',
          `arn:aws:dynamodb:${EU_WEST_1}:${PROD.id}:table/*`,
        ),
      },
    ],
    [
      '02:48:45',
      {
        region: EU_WEST_1,
        service: 'kms',
        name: 'ListKeys',
        error: deniedException(leakedBoto, 'kms:ListKeys'),
      },
    ],
    [
      '02:48:48',
      {
        region: EU_WEST_1,
        service: 'ssm',
        name: 'DescribeParameters',
        error: deniedException(leakedBoto, 'ssm:DescribeParameters'),
      },
    ],
    [
      '02:48:52',
      {
        region: US_EAST_1,
        service: 'cloudtrail',
        name: 'DescribeTrails',
        request: { includeShadowTrails: true },
        error: accessDenied(leakedArn, 'cloudtrail:DescribeTrails'),
      },
    ],
    [
      '02:48:55',
      {
        region: US_EAST_1,
        service: 'guardduty',
        name: 'ListDetectors',
        error: { code: 'AccessDeniedException' },
        response: {
          message: `User: ${leakedArn} is not authorized to perform: guardduty:ListDetectors on resource: arn:aws:guardduty:${US_EAST_1}:${PROD.id}:detector/* because no identity-based policy allows the guardduty:ListDetectors action`,
        },
      },
    ],
    [
      '02:48:58',
      {
        region: US_EAST_1,
        service: 'organizations',
        name: 'DescribeOrganization',
        error: deniedException(leakedBoto, 'organizations:DescribeOrganization'),
      },
    ],
    [
      '02:49:03',
      {
        region: EU_WEST_1,
        service: 'ec2',
        name: 'DescribeSnapshots',
        request: { snapshotSet: {}, ownersSet: { items: [{ owner: 'self' }] }, filterSet: {} },
        error: ec2Unauthorized(leakedBoto, 'ec2:DescribeSnapshots', false),
      },
    ],
  ];
  for (const [clock, call] of probes) prod(clock, { ...call, actor: leakedBoto });

  const root: Actor = {
    identity: { type: 'Root', principalId: PROD.id, arn: `arn:aws:iam::${PROD.id}:root`, accountId: PROD.id },
    ip: ATTACKER_IP,
    userAgent: agents.firefoxLinux,
  };
  for (const clock of ['02:50:32', '02:50:58']) {
    prod(clock, {
      region: US_EAST_1,
      service: 'signin',
      name: 'ConsoleLogin',
      actor: root,
      eventType: 'AwsConsoleSignIn',
      readOnly: false,
      error: { message: 'Failed authentication' },
      response: { ConsoleLogin: 'Failure' },
      additionalEventData: {
        LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true',
        MobileVersion: 'No',
        MFAUsed: 'No',
      },
      requestId: null,
    });
  }

  const created = at('02:52:10');
  prod('02:52:10', {
    region: US_EAST_1,
    service: 'iam',
    name: 'CreateUser',
    actor: leakedCli('iam.create-user'),
    request: { userName: svcBackup.name },
    response: {
      user: {
        path: '/',
        userName: svcBackup.name,
        userId: svcBackup.userId,
        arn: userArn(svcBackup),
        createDate: iamDate(created),
      },
    },
  });
  prod('02:52:31', {
    region: US_EAST_1,
    service: 'iam',
    name: 'CreateAccessKey',
    actor: leakedCli('iam.create-access-key'),
    request: { userName: svcBackup.name },
    response: {
      accessKey: {
        userName: svcBackup.name,
        accessKeyId: svcBackup.accessKeyId,
        status: 'Active',
        createDate: iamDate(at('02:52:31')),
      },
    },
  });
  prod('02:52:48', {
    region: US_EAST_1,
    service: 'iam',
    name: 'AttachUserPolicy',
    actor: leakedCli('iam.attach-user-policy'),
    request: { userName: svcBackup.name, policyArn: ADMINISTRATOR_ACCESS },
  });
  prod('02:53:15', {
    region: US_EAST_1,
    service: 'iam',
    name: 'CreateLoginProfile',
    actor: leakedCli('iam.create-login-profile'),
    request: { userName: svcBackup.name, passwordResetRequired: false },
    response: {
      loginProfile: {
        userName: svcBackup.name,
        createDate: iamDate(at('02:53:15')),
        passwordResetRequired: false,
      },
    },
  });

  prod('02:55:02', {
    region: US_EAST_1,
    service: 'sts',
    name: 'GetCallerIdentity',
    actor: backdoor('sts.get-caller-identity'),
  });
  prod('02:55:40', {
    region: US_EAST_1,
    service: 'signin',
    name: 'ConsoleLogin',
    actor: { identity: iamUserIdentity(svcBackup, false), ip: ATTACKER_IP, userAgent: agents.firefoxLinux },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
    response: { ConsoleLogin: 'Success' },
    additionalEventData: {
      LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_${rng.hex(16)}`,
      MobileVersion: 'No',
      MFAUsed: 'No',
    },
    requestId: null,
  });
  const consoleIntruder = consoleActor(
    svcBackup,
    sessionKey(rng),
    at('02:55:40'),
    false,
    ATTACKER_IP,
    agents.firefoxLinux,
  );
  prod('02:56:02', {
    region: US_EAST_1,
    service: 'iam',
    name: 'GetAccountSummary',
    actor: consoleIntruder,
  });
  prod('02:56:19', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'DescribeRegions',
    actor: backdoor('ec2.describe-regions'),
    request: { regionSet: {} },
  });
  for (const [clock, region] of [
    ['02:56:31', US_EAST_1],
    ['02:56:35', EU_WEST_1],
    ['02:56:38', US_WEST_2],
    ['02:56:42', AP_SOUTHEAST_1],
  ] as const) {
    prod(clock, {
      region,
      service: 'ec2',
      name: 'DescribeInstances',
      actor: backdoor('ec2.describe-instances'),
      request: { instancesSet: {}, filterSet: {} },
    });
  }

  const [eastDetector, westDetector] = [
    itemAt(Object.values(prodEstate.detectors), 0),
    itemAt(Object.values(prodEstate.detectors), 1),
  ];
  prod('02:58:40', {
    region: US_EAST_1,
    service: 'guardduty',
    name: 'ListDetectors',
    actor: backdoor('guardduty.list-detectors'),
  });
  prod('02:58:52', {
    region: US_EAST_1,
    service: 'guardduty',
    name: 'UpdateDetector',
    actor: backdoor('guardduty.update-detector'),
    request: { detectorId: eastDetector, enable: false },
  });
  prod('02:59:20', {
    region: EU_WEST_1,
    service: 'guardduty',
    name: 'ListDetectors',
    actor: backdoor('guardduty.list-detectors'),
  });
  prod('02:59:31', {
    region: EU_WEST_1,
    service: 'guardduty',
    name: 'DeleteDetector',
    actor: backdoor('guardduty.delete-detector'),
    request: { detectorId: westDetector },
  });
  const flowLogId = 'fl-0b7e4d2a9c3f16e58';
  prod('03:00:05', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'DescribeFlowLogs',
    actor: backdoor('ec2.describe-flow-logs'),
    request: { DescribeFlowLogsRequest: {} },
  });
  const deleteFlowLogsRequestId = rng.uuid();
  prod('03:00:19', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'DeleteFlowLogs',
    actor: backdoor('ec2.delete-flow-logs'),
    request: { DeleteFlowLogsRequest: { FlowLogId: { content: flowLogId, tag: 1 } } },
    response: {
      DeleteFlowLogsResponse: {
        xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
        requestId: deleteFlowLogsRequestId,
        unsuccessful: '',
      },
    },
    requestId: deleteFlowLogsRequestId,
  });

  prod('03:02:10', {
    region: EU_WEST_1,
    service: 'secretsmanager',
    name: 'ListSecrets',
    actor: backdoor('secretsmanager.list-secrets'),
  });
  const secrets = [
    'prod/payments/db-credentials',
    'prod/payments/stripe-api-key',
    'prod/auth/jwt-signing-key',
    'prod/ledger/db-credentials',
    'prod/reporting/warehouse-password',
    'prod/integrations/salesforce-oauth',
    'prod/integrations/sendgrid-api-key',
    'prod/ops/pagerduty-token',
    'prod/ci/github-deploy-key',
    'prod/partners/bank-sftp-credentials',
  ];
  for (const [index, name] of secrets.entries()) {
    const t = at('03:02:24') + index * 5 * SECOND + (index % 3) * SECOND;
    const reader = backdoor('secretsmanager.get-secret-value');
    const arn = secretArn(prodEstate, name);
    emit({
      at: t,
      account: PROD,
      region: EU_WEST_1,
      service: 'secretsmanager',
      name: 'GetSecretValue',
      actor: reader,
      request: { secretId: arn },
    });
    emit(secretDecrypt(prodEstate, onBehalfOf(reader, 'secretsmanager.amazonaws.com'), t, arn));
  }

  const volumeId = 'vol-0d9a3f7c21b8e4a56';
  const snapshotId = demoScenario.sharedSnapshotId;
  prod('03:08:40', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'DescribeVolumes',
    actor: backdoor('ec2.describe-volumes'),
    request: {
      volumeSet: {},
      filterSet: {
        items: [{ name: 'attachment.instance-id', valueSet: { items: [{ value: 'i-07f3b2c9e1d4a6b85' }] } }],
      },
    },
  });
  const snapshotRequestId = rng.uuid();
  prod('03:09:02', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'CreateSnapshot',
    actor: backdoor('ec2.create-snapshot'),
    request: { volumeId, description: 'backup' },
    response: {
      requestId: snapshotRequestId,
      snapshotId,
      volumeId,
      status: 'pending',
      startTime: at('03:09:02'),
      progress: '',
      ownerId: PROD.id,
      description: 'backup',
      volumeSize: 200,
      encrypted: false,
    },
    requestId: snapshotRequestId,
  });
  const shareRequestId = rng.uuid();
  prod('03:14:37', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'ModifySnapshotAttribute',
    actor: backdoor('ec2.modify-snapshot-attribute'),
    request: {
      snapshotId,
      attributeType: 'CREATE_VOLUME_PERMISSION',
      createVolumePermission: { add: { items: [{ userId: EXTERNAL_ACCOUNT_ID }] } },
    },
    response: { requestId: shareRequestId, _return: true },
    requestId: shareRequestId,
  });

  const bucket = demoScenario.publicBucket;
  prod('03:16:20', {
    region: EU_WEST_1,
    service: 's3',
    name: 'GetBucketPolicy',
    actor: backdoor('s3api.get-bucket-policy'),
    request: s3Request(bucket, EU_WEST_1, { policy: '' }),
    error: { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' },
  });
  prod('03:16:41', {
    region: EU_WEST_1,
    service: 's3',
    name: 'DeleteBucketPublicAccessBlock',
    actor: backdoor('s3api.delete-public-access-block'),
    request: s3Request(bucket, EU_WEST_1, { publicAccessBlock: '' }),
  });
  prod('03:17:02', {
    region: EU_WEST_1,
    service: 's3',
    name: 'PutBucketPolicy',
    actor: backdoor('s3api.put-bucket-policy'),
    request: {
      bucketPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PublicRead',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${bucket}/*`,
          },
        ],
      },
      ...s3Request(bucket, EU_WEST_1, { policy: '' }),
    },
  });

  const pivotRole = `arn:aws:iam::${STAGING.id}:role/OrganizationAccountAccessRole`;
  emitInBothAccounts(
    scene,
    rng,
    {
      at: at('03:19:30'),
      region: US_EAST_1,
      service: 'sts',
      name: 'AssumeRole',
      actor: backdoor('sts.assume-role'),
      request: { roleArn: pivotRole, roleSessionName: 'backup' },
      error: {
        code: 'AccessDenied',
        message: `User: ${userArn(svcBackup)} is not authorized to perform: sts:AssumeRole on resource: ${pivotRole}`,
      },
    },
    'attack',
  );

  prod('03:21:05', {
    region: US_EAST_1,
    service: 'cloudtrail',
    name: 'DescribeTrails',
    actor: backdoor('cloudtrail.describe-trails'),
    request: { includeShadowTrails: true },
  });
  prod('03:21:18', {
    region: US_EAST_1,
    service: 'cloudtrail',
    name: 'GetTrailStatus',
    actor: backdoor('cloudtrail.get-trail-status'),
    request: { name: TRAIL_ARN },
  });
  prod('03:21:34', {
    region: US_EAST_1,
    service: 'cloudtrail',
    name: 'StopLogging',
    actor: backdoor('cloudtrail.stop-logging'),
    request: { name: TRAIL_ARN },
  });
  return at('03:21:34');
}

/**
 * The next morning Maria finds the production trail stopped and starts it again; her sign-in
 * happened while the trail was off, so only the session's later calls are recorded.
 */
function loggingRestored(scene: Scene): number {
  const rng = scene.rng.fork('logging-restored');
  const day = attackDayStart(scene);
  const signedIn = day + clockToMs('08:41:09');
  const person = itemAt(prodEstate.people, 0);
  const actor = consoleActor(maria, sessionKey(rng), signedIn, true, person.ip, person.userAgent);
  const restartedAt = day + clockToMs('08:52:37');
  const calls: [number, string, Json][] = [
    [restartedAt, 'StartLogging', { name: TRAIL_ARN }],
    [restartedAt + 4 * SECOND, 'GetTrailStatus', { name: TRAIL_ARN }],
    [restartedAt + 9 * SECOND, 'DescribeTrails', { includeShadowTrails: true }],
    [
      restartedAt + 71 * SECOND,
      'LookupEvents',
      { maxResults: 50, lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'StopLogging' }] },
    ],
  ];
  for (const [at, name, request] of calls) {
    scene.timeline.emit({
      at,
      account: PROD,
      region: US_EAST_1,
      service: 'cloudtrail',
      name,
      actor,
      request,
    });
  }
  return restartedAt;
}

// ---------------------------------------------------------------------------------------------
// Identities and the shapes of their calls.

interface Actor {
  identity: JsonObject;
  ip: string;
  userAgent: string;
  /** An AWS service made the call on the principal's behalf: no TLS session of the caller's. */
  viaService?: boolean;
  console?: boolean;
}

interface RoleSession {
  role: IamRole;
  name: string;
  accessKeyId: string;
  createdAt: number;
  mfa?: boolean;
  ec2?: boolean;
  webIdentityProvider?: string;
}

function iamUser(account: Account, name: string, accessKeyId?: string): IamUser {
  return {
    account,
    name,
    userId: stableId('AIDA', `${account.id}/user/${name}`, 17),
    accessKeyId: accessKeyId ?? stableId('AKIA', `${account.id}/key/${name}`, 16),
  };
}

function iamRole(account: Account, name: string, path = ''): IamRole {
  return { account, name, path, roleId: stableId('AROA', `${account.id}/role/${name}`, 17) };
}

function serviceLinkedRole(account: Account, service: string, name: string): IamRole {
  return iamRole(account, name, `aws-service-role/${service}/`);
}

const userArn = (user: IamUser) => `arn:aws:iam::${user.account.id}:user/${user.name}`;
const roleArn = (role: IamRole) => `arn:aws:iam::${role.account.id}:role/${role.path}${role.name}`;
const roleResource = (role: IamRole): JsonObject => ({
  accountId: role.account.id,
  type: 'AWS::IAM::Role',
  ARN: roleArn(role),
});

function iamUserIdentity(user: IamUser, withKey: boolean): JsonObject {
  return compact({
    type: 'IAMUser',
    principalId: user.userId,
    arn: userArn(user),
    accountId: user.account.id,
    accessKeyId: withKey ? user.accessKeyId : undefined,
    userName: user.name,
  });
}

function keyActor(user: IamUser, ip: string, userAgent: string): Actor {
  return { identity: iamUserIdentity(user, true), ip, userAgent };
}

function consoleActor(
  user: IamUser,
  accessKeyId: string,
  signedInAt: number,
  mfa: boolean,
  ip: string,
  userAgent: string,
): Actor {
  return {
    identity: {
      ...iamUserIdentity(user, false),
      accessKeyId,
      sessionContext: {
        sessionIssuer: {},
        webIdFederationData: {},
        attributes: { creationDate: iso(signedInAt), mfaAuthenticated: String(mfa) },
      },
    },
    ip,
    userAgent,
    console: true,
  };
}

function roleSession(rng: Rng, role: IamRole, name: string, createdAt: number): RoleSession {
  return { role, name, accessKeyId: sessionKey(rng), createdAt };
}

function roleActor(session: RoleSession, ip: string, userAgent: string): Actor {
  const { role } = session;
  return {
    identity: {
      type: 'AssumedRole',
      principalId: `${role.roleId}:${session.name}`,
      arn: `arn:aws:sts::${role.account.id}:assumed-role/${role.name}/${session.name}`,
      accountId: role.account.id,
      accessKeyId: session.accessKeyId,
      sessionContext: compact({
        sessionIssuer: {
          type: 'Role',
          principalId: role.roleId,
          arn: roleArn(role),
          accountId: role.account.id,
          userName: role.name,
        },
        webIdFederationData: session.webIdentityProvider
          ? { federatedProvider: session.webIdentityProvider, attributes: {} }
          : {},
        attributes: { creationDate: iso(session.createdAt), mfaAuthenticated: String(session.mfa ?? false) },
        ec2RoleDelivery: session.ec2 ? '2.0' : undefined,
      }),
    },
    ip,
    userAgent,
  };
}

/** The same principal, but the call was made for it by an AWS service (Secrets Manager, CloudFormation...). */
function onBehalfOf(actor: Actor, service: string): Actor {
  return {
    identity: { ...actor.identity, invokedBy: service },
    ip: service,
    userAgent: service,
    viaService: true,
  };
}

function serviceActor(service: string): Actor {
  return {
    identity: { type: 'AWSService', invokedBy: service },
    ip: service,
    userAgent: service,
    viaService: true,
  };
}

function assumeRoleResponse(rng: Rng, session: RoleSession, lifetime: number): JsonObject {
  const { role } = session;
  return {
    credentials: {
      accessKeyId: session.accessKeyId,
      sessionToken: `IQoJb3JpZ2luX2Vj${rng.chars(BASE64, 180)}`,
      expiration: stsDate(session.createdAt + lifetime),
    },
    assumedRoleUser: {
      assumedRoleId: `${role.roleId}:${session.name}`,
      arn: `arn:aws:sts::${role.account.id}:assumed-role/${role.name}/${session.name}`,
    },
  };
}

function secretArn(estate: Estate, name: string): string {
  const suffix = stableId('', `${estate.account.id}/secret/${name}`, 6, ALNUM);
  return `arn:aws:secretsmanager:${estate.appRegion}:${estate.account.id}:secret:${name}-${suffix}`;
}

function secretDecrypt(estate: Estate, actor: Actor, at: number, arn: string): ApiCall {
  return {
    at,
    account: estate.account,
    region: estate.appRegion,
    service: 'kms',
    name: 'Decrypt',
    actor,
    request: {
      encryptionContext: { SecretARN: arn, SecretVersionId: stableUuid(arn) },
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    },
    resources: [{ accountId: estate.account.id, type: 'AWS::KMS::Key', ARN: estate.secretsKeyArn }],
  };
}

function s3Request(bucket: string, region: string, extra: JsonObject = {}): JsonObject {
  return { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, ...extra };
}

function s3Extra(rng: Rng, bytesIn: number, bytesOut: number, extra: JsonObject = {}): JsonObject {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: bytesIn,
    ...extra,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': rng.chars(BASE64, 76),
    bytesTransferredOut: bytesOut,
  };
}

function functionConfiguration(rng: Rng, estate: Estate, fn: string, role: IamRole, at: number): JsonObject {
  const arn = `arn:aws:lambda:${estate.appRegion}:${estate.account.id}:function:${fn}`;
  return {
    functionName: fn,
    functionArn: arn,
    runtime: 'nodejs20.x',
    role: roleArn(role),
    handler: 'index.handler',
    codeSize: rng.int(900_000, 4_800_000),
    description: '',
    timeout: 30,
    memorySize: 256,
    lastModified: `${iso(at).slice(0, 19)}.000+0000`,
    codeSha256: `${rng.chars(BASE64, 43)}=`,
    version: '$LATEST',
    tracingConfig: { mode: 'PassThrough' },
    revisionId: rng.uuid(),
    state: 'Active',
    lastUpdateStatus: 'InProgress',
    lastUpdateStatusReason: 'The function is being created.',
    lastUpdateStatusReasonCode: 'Creating',
    packageType: 'Zip',
    architectures: ['arm64'],
    ephemeralStorage: { size: 512 },
    snapStart: { applyOn: 'None', optimizationStatus: 'Off' },
    loggingConfig: { logFormat: 'Text', logGroup: `/aws/lambda/${fn}` },
  };
}

function runInstancesRequest(rng: Rng, instance: Instance): JsonObject {
  return {
    instancesSet: { items: [{ minCount: 1, maxCount: 1 }] },
    availabilityZone: instance.az,
    subnetId: `subnet-0${stableId('', `${instance.az}/subnet`, 16, HEX)}`,
    launchTemplate: { launchTemplateId: 'lt-0d4c7a92e1b3f5608', version: '14' },
    monitoring: { enabled: false },
    disableApiTermination: false,
    disableApiStop: false,
    clientToken: `fleet-${rng.uuid()}-0`,
    tagSpecificationSet: {
      items: [
        { resourceType: 'instance', tags: [{ key: 'aws:autoscaling:groupName', value: 'payments-api-asg' }] },
      ],
    },
  };
}

function runInstancesResponse(rng: Rng, instance: Instance): JsonObject {
  const { estate } = instance;
  return {
    requestId: rng.uuid(),
    reservationId: `r-0${rng.hex(16)}`,
    ownerId: estate.account.id,
    groupSet: {},
    instancesSet: {
      items: [
        {
          instanceId: instance.id,
          imageId: 'ami-0e3f2a9c4d8b71650',
          launchTemplate: { launchTemplateId: 'lt-0d4c7a92e1b3f5608', version: '14' },
          instanceState: { code: 0, name: 'pending' },
          privateDnsName: `ip-${instance.privateIp.replaceAll('.', '-')}.${estate.appRegion}.compute.internal`,
          amiLaunchIndex: 0,
          productCodes: {},
          instanceType: 'm6i.large',
          launchTime: instance.launchedAt,
          placement: { availabilityZone: instance.az, tenancy: 'default' },
          monitoring: { state: 'disabled' },
          subnetId: `subnet-0${stableId('', `${instance.az}/subnet`, 16, HEX)}`,
          vpcId: 'vpc-0e1a7c4b92d3f5a68',
          privateIpAddress: instance.privateIp,
          stateReason: { code: 'pending', message: 'pending' },
          architecture: 'x86_64',
          rootDeviceType: 'ebs',
          rootDeviceName: '/dev/xvda',
          blockDeviceMapping: {},
          virtualizationType: 'hvm',
          hypervisor: 'xen',
          tagSet: { items: [{ key: 'aws:autoscaling:groupName', value: 'payments-api-asg' }] },
          groupSet: { items: [{ groupId: 'sg-0b3e7d1a9c4f26e85', groupName: 'payments-app' }] },
          sourceDestCheck: true,
          iamInstanceProfile: {
            arn: `arn:aws:iam::${estate.account.id}:instance-profile/${instance.role.name}`,
            id: stableId('AIPA', `${estate.account.id}/profile/${instance.role.name}`, 17),
          },
          ebsOptimized: false,
          enaSupport: true,
          cpuOptions: { coreCount: 1, threadsPerCore: 2 },
          metadataOptions: {
            state: 'pending',
            httpTokens: 'required',
            httpPutResponseHopLimit: 2,
            httpEndpoint: 'enabled',
            httpProtocolIpv4: 'enabled',
            httpProtocolIpv6: 'disabled',
            instanceMetadataTags: 'disabled',
          },
        },
      ],
    },
  };
}

function errorPrincipal(actor: Actor): string {
  const arn = actor.identity.arn;
  return typeof arn === 'string' ? arn : 'unknown';
}

function accessDenied(arn: string, action: string, resource = '*'): { code: string; message: string } {
  return {
    code: 'AccessDenied',
    message: `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  };
}

function deniedException(actor: Actor, action: string, resource = '*'): { code: string; message: string } {
  return { ...accessDenied(errorPrincipal(actor), action, resource), code: 'AccessDeniedException' };
}

/** EC2 spells out the denial for reads; for writes it hands back an encoded message instead. */
function ec2Unauthorized(actor: Actor, action: string, encoded: boolean): { code: string; message: string } {
  const principal = errorPrincipal(actor);
  const message = encoded
    ? `You are not authorized to perform this operation. Encoded authorization failure message: ${stableId('', `${principal}/${action}`, 412, `${ALNUM}-_`)}`
    : `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
  return { code: 'Client.UnauthorizedOperation', message };
}

/**
 * A cross-account STS call is recorded in the caller's account and in the role's account: two
 * records with one requestID and one sharedEventID.
 */
function emitInBothAccounts(
  scene: Scene,
  rng: Rng,
  call: Omit<ApiCall, 'account'>,
  origin: 'benign' | 'attack' = 'benign',
): void {
  const requestId = rng.uuid();
  const sharedEventId = rng.uuid();
  for (const account of [PROD, STAGING]) {
    scene.timeline.emit({ ...call, account, requestId, sharedEventId }, origin);
  }
}

// ---------------------------------------------------------------------------------------------
// CloudTrail records.

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface ApiCall {
  at: number;
  account: Account;
  region: string;
  /** The service's endpoint prefix: `iam` for iam.amazonaws.com, `monitoring` for CloudWatch. */
  service: string;
  name: string;
  actor: Actor;
  request?: Json;
  response?: Json;
  /** A failed sign-in has a message and no code. */
  error?: { code?: string; message?: string };
  readOnly?: boolean;
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn' | 'AwsServiceEvent';
  dataEvent?: boolean;
  additionalEventData?: JsonObject;
  resources?: JsonObject[];
  serviceEventDetails?: JsonObject;
  /** `null` for events that carry none (sign-in, service events). */
  requestId?: string | null;
  sharedEventId?: string;
  host?: string;
}

interface Scene {
  from: number;
  to: number;
  days: number;
  attackDay: number;
  rng: Rng;
  timeline: Timeline;
}

interface Entry {
  at: number;
  account: Account;
  region: string;
  eventId: string;
  record: JsonObject;
}

/** Every event in the order it was made up; delivery sorts and cuts them into files later. */
class Timeline {
  readonly entries: Entry[] = [];
  readonly attackEventIds: string[] = [];

  constructor(private readonly ids: Rng) {}

  emit(call: ApiCall, origin: 'benign' | 'attack' = 'benign'): void {
    const record = toRecord(call, this.ids);
    const eventId = String(record.eventID);
    this.entries.push({ at: call.at, account: call.account, region: call.region, eventId, record });
    if (origin === 'attack') this.attackEventIds.push(eventId);
  }
}

const EVENT_VERSION_1_08 = new Set([
  'sts',
  'ssm',
  'signin',
  'kms',
  'lambda',
  'logs',
  'ce',
  'health',
  'backup',
]);

/** Fields in the order CloudTrail writes them. */
function toRecord(call: ApiCall, ids: Rng): JsonObject {
  const s3 = call.service === 's3';
  const record: JsonObject = {
    eventVersion: EVENT_VERSION_1_08.has(call.service) ? '1.08' : '1.09',
    userIdentity: call.actor.identity,
    eventTime: iso(call.at),
    eventSource: `${call.service}.amazonaws.com`,
    eventName: call.name,
    awsRegion: call.region,
    sourceIPAddress: call.actor.ip,
    userAgent: s3 && !call.actor.viaService ? `[${call.actor.userAgent}]` : call.actor.userAgent,
  };
  if (call.error) {
    if (call.error.code !== undefined) record.errorCode = call.error.code;
    if (call.error.message !== undefined) record.errorMessage = call.error.message;
  }
  record.requestParameters = call.request ?? null;
  record.responseElements = call.response ?? null;
  const additional = call.additionalEventData ?? (s3 ? s3Extra(ids, 0, call.error ? 243 : 512) : undefined);
  if (additional) record.additionalEventData = additional;
  if (call.requestId !== null)
    record.requestID = call.requestId ?? (s3 ? ids.chars(UPPER_ALNUM, 16) : ids.uuid());
  record.eventID = ids.uuid();
  record.readOnly = call.readOnly ?? READ_ONLY.test(call.name);
  if (call.resources) record.resources = call.resources;
  record.eventType = call.eventType ?? 'AwsApiCall';
  if (call.serviceEventDetails) record.serviceEventDetails = call.serviceEventDetails;
  record.managementEvent = !call.dataEvent;
  record.recipientAccountId = call.account.id;
  if (call.sharedEventId) record.sharedEventID = call.sharedEventId;
  record.eventCategory = call.dataEvent ? 'Data' : 'Management';
  if (!call.actor.viaService) {
    const legacyTls = call.service === 'ssm';
    record.tlsDetails = {
      tlsVersion: legacyTls ? 'TLSv1.2' : 'TLSv1.3',
      cipherSuite: legacyTls ? 'ECDHE-RSA-AES128-GCM-SHA256' : 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: call.host ?? endpoint(call),
    };
  }
  if (call.actor.console) record.sessionCredentialFromConsole = 'true';
  return record;
}

const READ_ONLY = /^(Get|List|Describe|Lookup|Head|Filter|Search|BatchGet|Decrypt|AssumeRole)/;

function endpoint(call: ApiCall): string {
  if (call.service === 'iam') return 'iam.amazonaws.com';
  if (call.service === 'signin') return 'signin.aws.amazon.com';
  const request = call.request;
  if (call.service === 's3' && request && typeof request === 'object' && !Array.isArray(request)) {
    const host = request.Host;
    if (typeof host === 'string') return host;
  }
  return `${call.service}.${call.region}.amazonaws.com`;
}

// ---------------------------------------------------------------------------------------------
// Delivery: CloudTrail's S3 layout, one file per region per few minutes of activity.

interface LogFile {
  path: string;
  records: JsonObject[];
}

function intoLogFiles(entries: Entry[], rng: Rng): LogFile[] {
  const streams = new Map<string, Entry[]>();
  for (const entry of entries) {
    const key = `${entry.account.id}/${entry.region}`;
    const stream = streams.get(key) ?? [];
    stream.push(entry);
    streams.set(key, stream);
  }
  const files: LogFile[] = [];
  for (const key of [...streams.keys()].sort()) {
    const stream = (streams.get(key) ?? []).sort(
      (a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
    );
    for (let i = 0; i < stream.length; ) {
      const first = itemAt(stream, i);
      const closes = first.at + rng.int(5, 15) * MINUTE;
      let j = i;
      while (j < stream.length && itemAt(stream, j).at < closes) j++;
      const deliveredAt = closes + rng.seconds(30, 240);
      files.push({
        path: logFilePath(first.account, first.region, deliveredAt, rng.chars(ALNUM, 16)),
        records: stream.slice(i, j).map((e) => e.record),
      });
      i = j;
    }
  }
  return files;
}

function logFilePath(account: Account, region: string, deliveredAt: number, unique: string): string {
  const stamp = iso(deliveredAt);
  const [yyyy, mm, dd] = [stamp.slice(0, 4), stamp.slice(5, 7), stamp.slice(8, 10)];
  const name = `${account.id}_CloudTrail_${region}_${yyyy}${mm}${dd}T${stamp.slice(11, 13)}${stamp.slice(14, 16)}Z_${unique}.json.gz`;
  return `${account.logPrefix}/CloudTrail/${region}/${yyyy}/${mm}/${dd}/${name}`;
}

async function writeLogFiles(outDir: string, files: LogFile[]): Promise<void> {
  const folders = new Set(files.map((f) => dirname(join(outDir, f.path))));
  await Promise.all([...folders].map((folder) => mkdir(folder, { recursive: true })));
  const batch = 64;
  for (let i = 0; i < files.length; i += batch) {
    await Promise.all(
      files
        .slice(i, i + batch)
        .map((f) =>
          writeFile(join(outDir, f.path), gzipSync(JSON.stringify({ Records: f.records }), { level: 6 })),
        ),
    );
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** An id that depends only on what it names, so the story's principals keep their ids across seeds. */
function stableId(prefix: string, key: string, length: number, alphabet = ID_ALPHABET): string {
  return prefix + new Rng(fnv1a(key)).chars(alphabet, length);
}

function stableUuid(key: string): string {
  return new Rng(fnv1a(key)).uuid();
}

function sessionKey(rng: Rng): string {
  return `ASIA${rng.chars(ID_ALPHABET, 16)}`;
}

function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`No item at ${index} of ${items.length}`);
  return item;
}

function compact(fields: { [key: string]: Json | undefined }): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

function utcMidnight(start: string): number {
  const { from } = parseTimeWindow(start, null);
  if (from === null) throw new InvalidRequestError('The demo needs a start date.');
  const ms = Date.parse(from);
  return ms - (((ms % DAY) + DAY) % DAY);
}

function attackDayStart(scene: Scene): number {
  return scene.from + scene.attackDay * DAY;
}

function workdays(scene: Scene): number[] {
  const days: number[] = [];
  for (let day = scene.from; day < scene.to; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(day);
  }
  return days;
}

function hourOfDay(at: number): number {
  return Math.floor((((at % DAY) + DAY) % DAY) / HOUR);
}

function clockToMs(clock: string): number {
  const [h, m, s] = clock.split(':').map(Number);
  return ((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0)) * SECOND;
}

function iso(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19)}Z`;
}

function clock12(at: number): string {
  const d = new Date(at);
  const hours = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${hours % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** IAM's createDate style: `Mar 11, 2025 2:52:31 AM`. */
function iamDate(at: number): string {
  const d = new Date(at);
  return `${itemAt(MONTHS, d.getUTCMonth())} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${clock12(at)}`;
}

/** STS's expiration style: `Mar 11, 2025, 3:52:31 AM`. */
function stsDate(at: number): string {
  const d = new Date(at);
  return `${itemAt(MONTHS, d.getUTCMonth())} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${clock12(at)}`;
}
