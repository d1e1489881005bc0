import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { attempt } from './api-failures.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** Whose resources the clients read: the function's own account, or one reached through a role. */
export interface AccountAccess {
  /** Known when configured; the own account's id is asked of STS when a service needs it. */
  accountId?: string;
  roleArn?: string;
  /** Absent: the function's own credentials. */
  credentials?: CredentialsProvider;
}

/** Makes the client of one service for one region and account. */
export type ClientFactory<T> = (region: string, access: AccountAccess) => T;

export interface InventoryClients {
  cloudTrail: ClientFactory<CloudTrailClient>;
  /** Log buckets may sit in any region: the default clients follow S3's region redirects. */
  s3: ClientFactory<S3Client>;
  cloudWatchLogs: ClientFactory<CloudWatchLogsClient>;
  ec2: ClientFactory<EC2Client>;
  route53Resolver: ClientFactory<Route53ResolverClient>;
  elasticLoadBalancing: ClientFactory<ElasticLoadBalancingV2Client>;
  cloudFront: ClientFactory<CloudFrontClient>;
  wafv2: ClientFactory<WAFV2Client>;
  eks: ClientFactory<EKSClient>;
  guardDuty: ClientFactory<GuardDutyClient>;
  securityHub: ClientFactory<SecurityHubClient>;
  config: ClientFactory<ConfigServiceClient>;
  /** The own account's STS: GetCallerIdentity, and AssumeRole into the other accounts. */
  sts: ClientFactory<STSClient>;
}

const credentialsOf = (access: AccountAccess) =>
  access.credentials ? { credentials: access.credentials } : {};

export const defaultInventoryClients: InventoryClients = {
  cloudTrail: (region, access) => new CloudTrailClient({ region, ...credentialsOf(access) }),
  s3: (region, access) => new S3Client({ region, followRegionRedirects: true, ...credentialsOf(access) }),
  cloudWatchLogs: (region, access) => new CloudWatchLogsClient({ region, ...credentialsOf(access) }),
  ec2: (region, access) => new EC2Client({ region, ...credentialsOf(access) }),
  route53Resolver: (region, access) => new Route53ResolverClient({ region, ...credentialsOf(access) }),
  elasticLoadBalancing: (region, access) =>
    new ElasticLoadBalancingV2Client({ region, ...credentialsOf(access) }),
  cloudFront: (region, access) => new CloudFrontClient({ region, ...credentialsOf(access) }),
  wafv2: (region, access) => new WAFV2Client({ region, ...credentialsOf(access) }),
  eks: (region, access) => new EKSClient({ region, ...credentialsOf(access) }),
  guardDuty: (region, access) => new GuardDutyClient({ region, ...credentialsOf(access) }),
  securityHub: (region, access) => new SecurityHubClient({ region, ...credentialsOf(access) }),
  config: (region, access) => new ConfigServiceClient({ region, ...credentialsOf(access) }),
  sts: (region, access) => new STSClient({ region, ...credentialsOf(access) }),
};

/** CloudFront, and WAF for CloudFront, answer only in this region. */
export const GLOBAL_SERVICES_REGION = 'us-east-1';

/**
 * One account as the inventory sees it: the regions to look at and its clients, one per service and
 * region, made on first use and reused. Answers several services need (the VPCs of a region) are
 * asked once.
 */
export class AccountScope {
  private readonly clients = new Map<string, unknown>();
  private readonly answers = new Map<string, Promise<unknown>>();

  constructor(
    readonly regions: string[],
    readonly access: AccountAccess,
    private readonly factories: InventoryClients,
  ) {}

  /** The first configured region: where global listings (S3 buckets, STS) are asked. */
  get homeRegion(): string {
    return this.regions[0] ?? GLOBAL_SERVICES_REGION;
  }

  /** Reached through a role rather than with the function's own credentials. */
  get assumed(): boolean {
    return this.access.roleArn !== undefined;
  }

  client<K extends keyof InventoryClients>(service: K, region: string): ReturnType<InventoryClients[K]> {
    const key = `${service}/${region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.factories[service](region, this.access);
      this.clients.set(key, client);
    }
    return client as ReturnType<InventoryClients[K]>;
  }

  /** The answer of `load`, asked once per key; every caller gets the same promise. */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let answer = this.answers.get(key);
    if (!answer) {
      answer = load();
      this.answers.set(key, answer);
    }
    return answer as Promise<T>;
  }

  /** The account id: configured, or asked of STS (GetCallerIdentity needs no permission). */
  accountId(notes: string[]): Promise<string | undefined> {
    const configured = this.access.accountId;
    if (configured) return Promise.resolve(configured);
    return this.once('account-id', async () => {
      const identity = await attempt(notes, 'STS GetCallerIdentity', () =>
        this.client('sts', this.homeRegion).send(new GetCallerIdentityCommand({})),
      );
      return identity?.Account;
    });
  }
}
