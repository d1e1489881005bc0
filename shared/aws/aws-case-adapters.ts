import { createHash, randomUUID } from 'node:crypto';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { parseAllowlist } from '../domain/allowlist.js';
import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { EventRoute } from '../domain/event-classes.js';
import { maxHuntRowsFrom } from '../domain/hunt-result.js';
import { deploymentScanBudget } from '../domain/scan-budget.js';
import { InvalidRequestError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { routedDatabase } from './athena-one-pass-sql.js';
import { AthenaQueryEngine } from './athena-query-engine.js';
import { AthenaTableBuilder } from './athena-table-builder.js';
import { AwsLogInventory, type InventoryAccount } from './aws-log-inventory.js';
import { CloudWatchLogsExporter } from './cloudwatch-logs-exporter.js';
import { defaultInventoryClients } from './inventory/account-scope.js';
import { S3EvidenceStore } from './s3-evidence-store.js';
import { WindowObjectLister } from './window-object-lister.js';

/** Clients live as long as the Lambda container, so connections are reused across invocations. */
let clients: { athena: AthenaClient; s3: S3Client; logs: S3Client } | undefined;

/**
 * The Glue database of one case: Glue allows lower-case letters, digits and underscores, so the id
 * is folded and a hash keeps two ids that fold alike (`a-b`, `a.b`) apart.
 */
export function caseDatabaseName(caseId: string, prefix = 'casefile_'): string {
  const folded = caseId.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const hash = createHash('sha256').update(caseId).digest('hex').slice(0, 8);
  return `${prefix}${folded}_${hash}`.slice(0, 255);
}

/** The composition point for Lambda: every adapter from the environment serverless.yml sets. */
export function awsCaseAdapters(context?: CaseContext): CaseAdapters {
  const env = requiredEnvironment(['CASE_BUCKET', 'ATHENA_WORKGROUP']);
  clients ??= {
    athena: new AthenaClient({}),
    s3: new S3Client({}),
    logs: new S3Client({ followRegionRedirects: true }),
  };
  const databasePrefix = process.env.ATHENA_DATABASE_PREFIX ?? 'casefile_';
  const databaseName = (caseId: string) => caseDatabaseName(caseId, databasePrefix);
  const engine = new AthenaQueryEngine({
    client: clients.athena,
    workGroup: env.ATHENA_WORKGROUP,
    ...(context ? { database: databaseName(context.caseId) } : {}),
  });
  // The same hunt text over the views of a route's event classes (tables.json routes hunts there).
  const athena = clients.athena;
  const routedEngine = context
    ? (route: EventRoute) =>
        new AthenaQueryEngine({
          client: athena,
          workGroup: env.ATHENA_WORKGROUP,
          database: routedDatabase(databaseName(context.caseId), route),
        })
    : undefined;
  // The DDL creates the case database, so it must run before that database exists as a context.
  const ddlEngine = new AthenaQueryEngine({ client: clients.athena, workGroup: env.ATHENA_WORKGROUP });
  const regions = (process.env.INVENTORY_REGIONS ?? process.env.AWS_REGION ?? 'us-east-1')
    .split(',')
    .map((r) => r.trim());
  const casePrefix = process.env.CASE_PREFIX ?? 'cases/';
  const logBuckets = clients.logs;
  const cloudWatchLogsClient = (region: string) => new CloudWatchLogsClient({ region });
  return {
    engineName: 'athena',
    // Every write of a step is tagged with the case's run, so the manifest lists only what the run wrote.
    store: new S3EvidenceStore({
      client: clients.s3,
      bucket: env.CASE_BUCKET,
      prefix: casePrefix,
      ...(context?.runId ? { runId: context.runId } : {}),
    }),
    inventory: new AwsLogInventory({
      regions,
      // Log buckets may sit in any region; the case bucket's client would not follow redirects there.
      // Accounts reached through a role get clients of their own, with that role's credentials.
      s3Client: (region, access) =>
        access.credentials ? defaultInventoryClients.s3(region, access) : logBuckets,
      ...inventoryAccounts(process.env.INVENTORY_ROLE_ARNS, process.env.CASE_ACCOUNT_ID),
      exportLogGroupPatterns: listOf(process.env.EXPORT_LOG_GROUP_PATTERNS),
      // The case bucket lives in the stack's region, and CloudWatch Logs exports stay within a region.
      ...(process.env.AWS_REGION ? { exportRegion: process.env.AWS_REGION } : {}),
      caseBucket: env.CASE_BUCKET,
      casePrefix,
    }),
    exporter: new CloudWatchLogsExporter({
      client: cloudWatchLogsClient,
      bucket: env.CASE_BUCKET,
      prefix: casePrefix,
    }),
    tables: new AthenaTableBuilder({
      engine: ddlEngine,
      databaseName,
      // A re-run copies its own window into its own run folder.
      copyLocation: ({ caseId, run }, source) =>
        `s3://${env.CASE_BUCKET}/${casePrefix}${caseFolderLayout(caseId, run).onePassCopy(source, randomUUID())}`,
    }),
    allowlist: parseAllowlist(JSON.parse(process.env.CASEFILE_ALLOWLIST ?? '{}'), 'CASEFILE_ALLOWLIST'),
    engine,
    ...(routedEngine ? { routedEngine } : {}),
    ...maxHuntRowsFrom(process.env.MAX_HUNT_ROWS),
    ...scanBudgetFrom(process.env.MAX_SCAN_BYTES_PER_CASE),
    listWindow: (locations, window) => new WindowObjectLister({ client: logBuckets }).list(locations, window),
    ...positiveNumber('onePassMinHunts', process.env.ONE_PASS_MIN_HUNTS),
    ...positiveNumber('pricePerTbUsd', process.env.ATHENA_PRICE_PER_TB_USD),
    now: () => new Date(),
  };
}

/**
 * With read-only roles configured (`INVENTORY_ROLE_ARNS`), the inventory covers the function's own
 * account and each role's account; without, the own account alone.
 */
function inventoryAccounts(
  roleArns: string | undefined,
  ownAccount: string | undefined,
): { accounts?: InventoryAccount[] } {
  const roles = listOf(roleArns).map((roleArn) => ({ accountId: roleArn.split(':')[4] ?? '', roleArn }));
  if (roles.length === 0) return {};
  const own = ownAccount && !roles.some((r) => r.accountId === ownAccount) ? [{ accountId: ownAccount }] : [];
  return { accounts: [...own, ...roles] };
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function requiredEnvironment<K extends string>(names: K[]): Record<K, string> {
  const values = {} as Record<K, string>;
  for (const name of names) {
    const value = process.env[name];
    if (!value)
      throw new InvalidRequestError(`The function's environment lacks ${name}; check serverless.yml.`);
    values[name] = value;
  }
  return values;
}

function scanBudgetFrom(value: string | undefined): { scanBudgetBytes?: number } {
  const bytes = deploymentScanBudget(value);
  return bytes === undefined ? {} : { scanBudgetBytes: bytes };
}

/** A stack parameter passed as an environment variable; absent or empty keeps the default. */
function positiveNumber<K extends string>(key: K, value: string | undefined): Partial<Record<K, number>> {
  if (value === undefined || value.trim() === '') return {};
  const number = Number(value);
  if (!(number > 0)) throw new InvalidRequestError(`${key} must be a positive number, got '${value}'.`);
  return { [key]: number } as Partial<Record<K, number>>;
}
