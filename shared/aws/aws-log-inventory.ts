import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import type { CaseContext } from '../domain/case.js';
import { within } from '../domain/case-scope.js';
import type { CoverageGap, Inventory, SkippedInput, SourceLocation } from '../domain/inventory.js';
import { mergeInventories } from '../domain/inventory-merge.js';
import type { ExportOutcome, LogGroupExport } from '../domain/log-exports.js';
import type { LogSourceId } from '../domain/log-sources.js';
import { InvalidRequestError, UnreadableLogError } from '../errors.js';
import type { LogInventory } from '../ports/log-inventory.js';
import { type Classification, classifyLogFile } from '../sources/classify-log-file.js';
import { mapConcurrently } from '../util/async.js';
import { globPattern } from '../util/glob.js';
import {
  AccountScope,
  type ClientFactory,
  defaultInventoryClients,
  type InventoryClients,
} from './inventory/account-scope.js';
import { asTransient, classify, describe } from './inventory/api-failures.js';
import { assumedRoleCredentials, inventorySessionName } from './inventory/assumed-role.js';
import { bucketLoggingInventory } from './inventory/bucket-logging.js';
import { cloudFrontInventory, wafInventory } from './inventory/cloudfront-waf.js';
import { cloudTrailLakeInventory } from './inventory/cloudtrail-lake.js';
import { eksInventory } from './inventory/eks.js';
import { StreamFamilies, type StreamFamily } from './inventory/export-streams.js';
import {
  emptyFindings,
  type Findings,
  type Gap,
  type InventoriedService,
  type InventoryService,
  inParallel,
  inventoriedServices,
} from './inventory/findings.js';
import { flowLogsInventory } from './inventory/flow-logs.js';
import { guardDutyInventory } from './inventory/guardduty.js';
import { loadBalancersInventory } from './inventory/load-balancers.js';
import {
  logDeliveriesInventory,
  logSubscriptionsIamActions,
  noteSubscriptions,
} from './inventory/log-deliveries.js';
import { EXPORTED_BY_NAME, findLogGroupExports, logGroupsIamActions } from './inventory/log-groups.js';
import { resolverInventory } from './inventory/resolver.js';
import { configInventory, securityHubInventory } from './inventory/security-context.js';
import { inventoryTrails, trailsIamActions } from './inventory/trails.js';

/** An account to inventory: the function's own (no role), or one reached through a read-only role. */
export interface InventoryAccount {
  accountId: string;
  /** A role in that account the inventory may assume; absent for the function's own account. */
  roleArn?: string;
}

export interface AwsLogInventoryOptions {
  /**
   * The regions inventoried in every account; multi-region and organisation trails are found once.
   * S3 buckets, CloudFront and WAF for CloudFront are global and inventoried wherever they are.
   */
  regions: string[];
  /** Shorthand for `clients.cloudTrail`. */
  cloudTrailClient?: ClientFactory<CloudTrailClient>;
  /**
   * Buckets are listed from the trail's home region. One client serves every region only if it was
   * made with `followRegionRedirects: true`, as the default ones are; it serves every account too.
   */
  s3Client?: S3Client | ClientFactory<S3Client>;
  /** Shorthand for `clients.cloudWatchLogs`. */
  cloudWatchLogsClient?: ClientFactory<CloudWatchLogsClient>;
  /** The clients of each service, by region and account; the defaults make their own. */
  clients?: Partial<InventoryClients>;
  /**
   * The services inventoried besides CloudTrail trails and CloudWatch Logs groups; every one when
   * absent.
   */
  services?: readonly InventoriedService[];
  /**
   * The accounts to inventory, each through its read-only role (STS AssumeRole with the function's
   * own credentials); the function's own account alone when absent. Their findings are merged.
   */
  accounts?: InventoryAccount[];
  /**
   * Whether the export step can export the log groups of accounts reached through a role. Without a
   * per-account exporter it cannot, so those groups are noted rather than exported.
   */
  exportFromAssumedAccounts?: boolean;
  /**
   * Log groups to export besides those chosen by name (EKS control plane, Lambda, API Gateway
   * execution logs) and those services write to: names with `*` matching any characters,
   * `/aws/vendedlogs/*` or `vpc-flow-*`.
   */
  exportLogGroupPatterns?: string[];
  /**
   * The case bucket's region. CloudWatch Logs exports only to a bucket in the group's own region, so
   * groups elsewhere are noted instead of exported; every region's groups are exported when absent.
   */
  exportRegion?: string;
  /** Where the export step writes: the case bucket and the prefix of case folders (`cases/`). */
  caseBucket?: string;
  casePrefix?: string;
  now?: () => Date;
}

/**
 * The source each service's part finds; a case whose scope leaves that source out does not call it.
 * The parts not named here (Security Hub, Config, CloudTrail Lake, log deliveries) only write notes.
 */
const SOURCE_OF_SERVICE: Partial<Record<InventoriedService, LogSourceId>> = {
  'flow-logs': 'vpcflow',
  'resolver-query-logs': 'route53resolver',
  'bucket-logging': 's3access',
  'load-balancers': 'alb',
  cloudfront: 'cloudfront',
  waf: 'waf',
  eks: 'eksaudit',
  guardduty: 'guardduty',
};

/** Every service part, in the order their findings are merged. */
const SERVICES: readonly InventoryService[] = [
  flowLogsInventory,
  resolverInventory,
  bucketLoggingInventory,
  loadBalancersInventory,
  cloudFrontInventory,
  wafInventory,
  eksInventory,
  guardDutyInventory,
  securityHubInventory,
  configInventory,
  cloudTrailLakeInventory,
  logDeliveriesInventory,
];

/**
 * The IAM actions of every call the inventory makes, exactly: the inventory role (serverless.yml)
 * is granted these, and a role in another account needs the same. `sts:AssumeRole` comes on top,
 * on the configured roles only.
 */
export const inventoryIamActions: readonly string[] = [
  ...new Set([
    ...trailsIamActions,
    ...logGroupsIamActions,
    ...SERVICES.flatMap((service) => service.iamActions),
    ...logSubscriptionsIamActions,
  ]),
].sort();

/** The one entry of `accounts()` when no roles are configured: the account the function runs in. */
export const THIS_ACCOUNT = 'this-account';
const HEAD_BYTES = 65_536;
/** CloudWatch Logs puts this object beside every export to check that it may write there. */
const EXPORT_WRITE_TEST = 'aws-logs-write-test';
/** Stream families sampled at once: each is one ranged GetObject. */
const EXPORT_SAMPLES_AT_ONCE = 8;
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/.+$/;

/**
 * Finds the logs of an account (or of several, through read-only roles) with the AWS APIs: CloudTrail
 * trails and what they delivered to S3, the CloudWatch Logs groups to export, and every other source
 * a responder relies on (flow logs, Resolver query logs, S3 access logs, load balancer, CloudFront and
 * WAF logs, EKS audit logs, GuardDuty findings), with what each does not cover; Security Hub, Config
 * and CloudTrail Lake as notes. What it is not allowed to see, or what a region does not offer,
 * becomes a note rather than a failure: an incident's account is rarely tidy, and a partial
 * inventory is still worth investigating.
 */
export class AwsLogInventory implements LogInventory {
  private readonly regions: string[];
  private readonly clients: InventoryClients;
  private readonly services: readonly InventoryService[];
  /** Whether exported groups are asked which subscription filters stream them elsewhere. */
  private readonly subscriptions: boolean;
  private readonly roleAccounts: InventoryAccount[] | undefined;
  private readonly exportFromAssumedAccounts: boolean;
  private readonly exportPatterns: RegExp[];
  private readonly exportRegion: string | undefined;
  private readonly caseBucket: string | undefined;
  private readonly casePrefix: string;
  private readonly now: () => Date;
  /** The function's own account: where exports are read back from. */
  private readonly home: AccountScope;

  constructor(options: AwsLogInventoryOptions) {
    if (options.regions.length === 0) {
      throw new InvalidRequestError('The log inventory needs at least one region.');
    }
    this.regions = [...new Set(options.regions)];
    const s3 = options.s3Client;
    this.clients = {
      ...defaultInventoryClients,
      ...options.clients,
      ...(options.cloudTrailClient ? { cloudTrail: options.cloudTrailClient } : {}),
      ...(options.cloudWatchLogsClient ? { cloudWatchLogs: options.cloudWatchLogsClient } : {}),
      ...(s3 ? { s3: s3 instanceof S3Client ? () => s3 : s3 } : {}),
    };
    const wanted = new Set(options.services ?? inventoriedServices);
    this.services = SERVICES.filter((service) => wanted.has(service.id));
    this.subscriptions = wanted.has('log-subscriptions');
    this.roleAccounts = options.accounts && checkedAccounts(options.accounts);
    this.exportFromAssumedAccounts = options.exportFromAssumedAccounts ?? false;
    this.exportPatterns = [...EXPORTED_BY_NAME, ...(options.exportLogGroupPatterns ?? []).map(globPattern)];
    this.exportRegion = options.exportRegion;
    this.caseBucket = options.caseBucket;
    const casePrefix = options.casePrefix ?? 'cases/';
    this.casePrefix = casePrefix === '' || casePrefix.endsWith('/') ? casePrefix : `${casePrefix}/`;
    this.now = options.now ?? (() => new Date());
    this.home = new AccountScope(this.regions, {}, this.clients);
  }

  /**
   * The configured accounts, or those the case asks for: each asked account is one Map iteration,
   * including one the deployment cannot reach, so that `discover` names it in the inventory.
   */
  async accounts(context: CaseContext): Promise<string[]> {
    const asked = context.scope?.accounts;
    if (asked) return asked;
    return this.roleAccounts ? this.roleAccounts.map((a) => a.accountId) : [THIS_ACCOUNT];
  }

  async discover(context: CaseContext, account?: string): Promise<Inventory> {
    const now = this.now();
    const window = context.closedWindow;
    const regions = this.regionsOf(context);
    const unreachable = await this.outOfReach(context, account);
    if (unreachable || regions.inventoried.length === 0) {
      const notes = [...regions.notes, ...(unreachable ? [unreachable] : [])];
      return { discoveredAt: now.toISOString(), sources: [], skipped: [], notes, exports: [] };
    }
    const chosen = this.roleAccounts?.filter((a) => account === undefined || a.accountId === account);
    if (chosen?.length === 0)
      throw new InvalidRequestError(`Account ${account} is not one the inventory is set up for.`);
    const scopes = chosen
      ? chosen.map((a) => this.accountScope(a, context, regions.inventoried))
      : [new AccountScope(regions.inventoried, {}, this.clients)];
    const sources: SourceLocation[] = [];
    const skipped: SkippedInput[] = [];
    const notes: string[] = [...regions.notes];
    const exports: LogGroupExport[] = [];
    const gaps: CoverageGap[] = [];
    for (const scope of scopes) {
      const found = await this.discoverAccount(scope, context, window, now, exports);
      // With several accounts, every sentence says which one it is about.
      const label = (this.roleAccounts?.length ?? 1) > 1 ? `Account ${scope.access.accountId}: ` : '';
      // Appended one by one: an account's skipped objects can number hundreds of thousands, more
      // than a spread into push takes.
      for (const source of found.sources) sources.push(source);
      for (const entry of found.skipped) skipped.push(entry);
      notes.push(...found.notes.map((note) => `${label}${note}`));
      gaps.push(
        ...attachGaps(found.sources, found.gaps).map((g) => ({ ...g, reason: `${label}${g.reason}` })),
      );
    }
    return mergeInventories(
      [{ discoveredAt: now.toISOString(), sources, skipped, notes, exports, gaps }],
      [],
      now.toISOString(),
    );
  }

  /** One account: trails and every service at once, then the log groups they and the names point to. */
  private async discoverAccount(
    scope: AccountScope,
    context: CaseContext,
    window: { from: string; to: string },
    now: Date,
    exports: LogGroupExport[],
  ): Promise<Findings> {
    const found = emptyFindings();
    if (!(await this.reachable(scope, found.notes))) return found;
    const asked = context.scope?.sources ?? null;
    const source = (service: InventoryService) => SOURCE_OF_SERVICE[service.id];
    const parts: { run: (scope: AccountScope, found: Findings) => Promise<void> }[] = [
      ...(within(asked, 'cloudtrail') ? [{ run: inventoryTrails }] : []),
      ...this.services.filter((service) => {
        const serviceSource = source(service);
        return serviceSource === undefined || within(asked, serviceSource);
      }),
    ];
    await inParallel(parts, found, (part, partFound) => part.run(scope, partFound));
    const chosen = await findLogGroupExports(
      scope,
      {
        window,
        now,
        patterns: this.exportPatterns,
        candidates: found.logGroups,
        ...(this.exportRegion ? { exportRegion: this.exportRegion } : {}),
        exportable: !scope.assumed || this.exportFromAssumedAccounts,
      },
      found,
    );
    if (this.subscriptions) await noteSubscriptions(scope, chosen, found.notes);
    exports.push(...chosen);
    return found;
  }

  /** The scope of one configured account: its role's credentials, or the function's own. */
  private accountScope(account: InventoryAccount, context: CaseContext, regions: string[]): AccountScope {
    if (!account.roleArn) return new AccountScope(regions, { accountId: account.accountId }, this.clients);
    const sts = this.home.client('sts', this.home.homeRegion);
    const credentials = assumedRoleCredentials(
      sts,
      account.roleArn,
      inventorySessionName(context.caseId),
      this.now,
    );
    return new AccountScope(
      regions,
      { accountId: account.accountId, roleArn: account.roleArn, credentials },
      this.clients,
    );
  }

  /**
   * The configured regions the case asks for; an asked region the deployment does not inventory (not
   * enabled there, or a typo) is named, never quietly left out.
   */
  private regionsOf(context: CaseContext): { inventoried: string[]; notes: string[] } {
    const asked = context.scope?.regions;
    if (!asked) return { inventoried: this.regions, notes: [] };
    const notes = asked
      .filter((region) => !this.regions.includes(region))
      .map(
        (region) =>
          `Region ${region} was asked for, but this deployment inventories only ${this.regions.join(', ')} ` +
          '(inventoryRegions): it is not looked at. Check the name, or add the region and redeploy.',
      );
    return { inventoried: this.regions.filter((region) => asked.includes(region)), notes };
  }

  /**
   * Why an account the case asks for cannot be inventoried: no role is configured for it, or (with
   * no roles) it is not the function's own account. Null when it can be.
   */
  private async outOfReach(context: CaseContext, account: string | undefined): Promise<string | null> {
    if (!context.scope?.accounts || account === undefined || account === THIS_ACCOUNT) return null;
    if (this.roleAccounts) {
      if (this.roleAccounts.some((a) => a.accountId === account)) return null;
      const configured = this.roleAccounts.map((a) => a.accountId).join(', ');
      return (
        `Account ${account} was asked for, but this deployment has no inventory role for it ` +
        `(inventoryRoleArns covers ${configured}): it is not inventoried.`
      );
    }
    const notes: string[] = [];
    const own = await this.home.accountId(notes);
    if (own === account) return null;
    return (
      `Account ${account} was asked for, but this deployment inventories only its own account ` +
      `(${own ?? `unknown: ${notes.join(' ')}`}) and has no inventoryRoleArns: it is not inventoried.`
    );
  }

  /** An account whose role cannot be assumed is noted and left out; the others are still inventoried. */
  private async reachable(scope: AccountScope, notes: string[]): Promise<boolean> {
    const { credentials, roleArn } = scope.access;
    if (!credentials) return true;
    try {
      await credentials();
      return true;
    } catch (error) {
      if (!classify(error)) throw asTransient(`STS AssumeRole for ${roleArn}`, error);
      notes.push(
        `The role ${roleArn} could not be assumed (${describe(error)}): the account is not inventoried.`,
      );
      return false;
    }
  }

  /**
   * Classifies what the export step wrote, stream family by stream family (see export-streams.ts),
   * reading the first object of each from its start like any other input. Each source found is one
   * location over the export folder; streams no source reads are skipped with the reason.
   */
  async discoverExported(_context: CaseContext, exports: ExportOutcome[]): Promise<Inventory> {
    const bucket = this.caseBucket;
    if (!bucket)
      throw new InvalidRequestError('The log inventory was given no case bucket to find exports in.');
    const s3 = this.home.client('s3', this.exportRegion ?? this.home.homeRegion);
    const sources: SourceLocation[] = [];
    const skipped: SkippedInput[] = [];
    const notes: string[] = [];
    // Exports that did not complete are recorded by the workflow with their reason.
    for (const outcome of exports) {
      if (outcome.status !== 'COMPLETED' || outcome.destination === null) continue;
      const prefix = `${this.casePrefix}${outcome.destination}`;
      const location = `s3://${bucket}/${prefix}`;
      try {
        const families = await this.exportFamilies(s3, bucket, prefix);
        if (families.length === 0) {
          skipped.push({
            input: location,
            reason: `The export of ${outcome.logGroup} wrote no log files: the group held no events in the window.`,
            stage: 'export',
          });
          continue;
        }
        const classified = await mapConcurrently(families, EXPORT_SAMPLES_AT_ONCE, async (family) => ({
          family,
          classification: await this.classifyObject(s3, bucket, family.firstKey),
        }));
        const found = new Map<LogSourceId, { layout: string; files: number; streams: number }>();
        for (const { family, classification } of classified) {
          if (classification.kind === 'not-a-log') {
            skipped.push({
              input: `s3://${bucket}/${family.firstKey.replace(/[^/]*$/, '')}`,
              reason:
                `The export of ${outcome.logGroup} holds ${family.streams} stream(s) named ${family.family} ` +
                `that no source reads: ${classification.reason}`,
              stage: 'export',
            });
            continue;
          }
          const seen = found.get(classification.source);
          found.set(classification.source, {
            layout: seen?.layout ?? classification.layout,
            files: (seen?.files ?? 0) + family.files,
            streams: (seen?.streams ?? 0) + family.streams,
          });
        }
        for (const [source, { layout, files: count, streams }] of found) {
          sources.push({
            source,
            location,
            details: { logGroup: outcome.logGroup, layout, exportedFiles: count, streams },
          });
        }
      } catch (error) {
        if (error instanceof UnreadableLogError) {
          skipped.push({ input: location, reason: error.message, stage: 'export' });
          continue;
        }
        const failure = classify(error);
        if (!failure) throw asTransient(`S3 read of the export ${location}`, error);
        const reason = `The export of ${outcome.logGroup} could not be read at ${location}: ${describe(error)}`;
        skipped.push({ input: location, reason, stage: 'export' });
        notes.push(reason);
      }
    }
    return { discoveredAt: this.now().toISOString(), sources, skipped, notes };
  }

  /** What an object holds by its head; a corrupt one costs only its own stream family. */
  private async classifyObject(client: S3Client, bucket: string, key: string): Promise<Classification> {
    try {
      return classifyLogFile(await this.readHead(client, bucket, key));
    } catch (error) {
      if (!(error instanceof UnreadableLogError)) throw error;
      return { kind: 'not-a-log', reason: error.message };
    }
  }

  /** The keys of an export's log files, in order; the write check object is not one of them. */
  /** The stream families of an export's log files, counted page by page as they are listed. */
  private async exportFamilies(client: S3Client, bucket: string, prefix: string): Promise<StreamFamily[]> {
    const families = new StreamFamilies(prefix);
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/') || object.Size === 0) continue;
        if (object.Key.slice(object.Key.lastIndexOf('/') + 1) === EXPORT_WRITE_TEST) continue;
        families.add(object.Key);
      }
    }
    return families.list();
  }

  /** The first decompressed bytes of an object, from its first 64 KiB; exports are gzip. */
  private async readHead(client: S3Client, bucket: string, key: string): Promise<string> {
    const response = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${HEAD_BYTES - 1}` }),
    );
    const raw = Buffer.from((await response.Body?.transformToByteArray()) ?? new Uint8Array());
    if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw.toString('utf8');
    try {
      // A range cut the stream short: a sync flush yields what was decompressed instead of failing.
      return gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
        .subarray(0, HEAD_BYTES)
        .toString('utf8');
    } catch (error) {
      throw new UnreadableLogError(`s3://${bucket}/${key} is corrupt gzip: ${describe(error)}`, {
        cause: error,
      });
    }
  }
}

function checkedAccounts(accounts: InventoryAccount[]): InventoryAccount[] {
  if (accounts.length === 0)
    throw new InvalidRequestError('The log inventory was given an empty account list.');
  for (const { accountId, roleArn } of accounts) {
    if (!ACCOUNT_ID.test(accountId))
      throw new InvalidRequestError(`'${accountId}' is not an AWS account id.`);
    const roleAccount = roleArn === undefined ? accountId : ROLE_ARN.exec(roleArn)?.[1];
    if (roleAccount !== accountId) {
      throw new InvalidRequestError(`'${roleArn}' is not an IAM role of account ${accountId}.`);
    }
  }
  if (accounts.filter((a) => !a.roleArn).length > 1) {
    throw new InvalidRequestError("Only the function's own account can be inventoried without a role.");
  }
  if (new Set(accounts.map((a) => a.accountId)).size < accounts.length) {
    throw new InvalidRequestError('An account is listed twice for the log inventory.');
  }
  return accounts;
}

/**
 * A gap of a region goes to the first location of its source holding that region, a gap of the
 * whole account to the first location of its source, as `details.coverage`; gaps no location can
 * carry are returned.
 */
function attachGaps(sources: SourceLocation[], gaps: Gap[]): CoverageGap[] {
  const unattached: CoverageGap[] = [];
  for (const gap of gaps) {
    const target = sources.find(
      (s) => s.source === gap.source && (gap.region === undefined || s.regions?.includes(gap.region)),
    );
    if (!target) {
      unattached.push({
        source: gap.source,
        reason: gap.reason,
        ...(gap.status ? { status: gap.status } : {}),
      });
      continue;
    }
    const existing = target.details?.coverage;
    const coverage =
      typeof existing === 'string' && existing !== '' ? `${existing}; ${gap.reason}` : gap.reason;
    target.details = { ...target.details, coverage };
  }
  return unattached;
}
