import { deniedException, ec2Unauthorized } from './access-denied.js';
import type { ApiCall } from './cloudtrail-record.js';
import { type Account, type Actor, type IamRole, type IamUser, iamRole, iamUser } from './principals.js';
import { agents } from './user-agents.js';

// The estate: two accounts of one organisation, the people and the workloads in them.

export interface Stack {
  name: string;
  repo: string;
  functions: string[];
}

export interface Person {
  user: IamUser;
  ip: string;
  userAgent: string;
  /** Earliest and latest hour (UTC, fractional) of the first console login of a workday. */
  logsInBetween: [number, number];
  /** One benign mistake on one day: a call the person is not allowed to make. */
  mistake?: { day: 'first' | 'last'; call: (actor: Actor, at: number) => Omit<ApiCall, 'at' | 'actor'> };
}

export interface Estate {
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

export const ORG_ID = 'o-4x8k2m9q7r';
export const PROD: Account = { id: '482915730264', alias: 'acme-prod', logPrefix: 'AWSLogs/482915730264' };
export const STAGING: Account = {
  id: '739104826551',
  alias: 'acme-staging',
  logPrefix: `AWSLogs/${ORG_ID}/739104826551`,
};
export const EXTERNAL_ACCOUNT_ID = '361987425013';
export const OFFICE_IP = '198.51.100.24';
export const ATTACKER_IP = '203.0.113.77';

export const US_EAST_1 = 'us-east-1';
export const EU_WEST_1 = 'eu-west-1';
export const US_WEST_2 = 'us-west-2';
export const AP_SOUTHEAST_1 = 'ap-southeast-1';

export const TRAIL_ARN = `arn:aws:cloudtrail:${US_EAST_1}:${PROD.id}:trail/prod-management-events`;
export const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

export const maria = iamUser(PROD, 'maria.schmidt');
export const tom = iamUser(PROD, 'tom.becker');
export const svcReporting = iamUser(PROD, 'svc-reporting', 'AKIAXBQ7LRM2HN5TWK4E');
export const svcBackup = iamUser(PROD, 'svc-backup', 'AKIAXBQ7S3UDP6JY2ZCM');
const jonas = iamUser(STAGING, 'jonas.weber');
const lena = iamUser(STAGING, 'lena.hoffmann');

const stacksOf = (stage: string): Stack[] => [
  { name: 'payments-api', repo: 'acme-corp/payments-api', functions: ['payments-webhook-handler'] },
  { name: 'invoice-service', repo: 'acme-corp/invoice-service', functions: ['invoice-pdf-renderer'] },
  { name: `ledger-export-${stage}`, repo: 'acme-corp/ledger-export', functions: ['nightly-ledger-export'] },
];

export const prodEstate: Estate = {
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

export const stagingEstate: Estate = {
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
