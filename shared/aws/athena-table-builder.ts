import type { CaseContext } from '../domain/case.js';
import type { BuiltTable } from '../domain/case-files/tables-file.js';
import type { Inventory, SkippedInput, SourceLocation } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';
import { type ClosedTimeWindow, deliveryDays } from '../domain/time-window.js';
import { InvalidRequestError } from '../errors.js';
import type { TableBuilder, TablesResult } from '../ports/table-builder.js';
import { cloudtrailColumnNames, cloudtrailColumns } from '../sources/cloudtrail-schema.js';
import { cloudtrailEventsViewSql } from '../sources/cloudtrail-view.js';
import type { AthenaLocation } from '../sources/log-source-module.js';
import { logSourceModule } from '../sources/registry.js';
import { ATHENA_STATEMENT_SEPARATOR } from '../sources/source-sql.js';

export interface AthenaTableBuilderOptions {
  /** Runs one DDL statement to completion; names in the DDL are qualified, so any database context works. */
  engine: { execute(sql: string): Promise<void> };
  /** The Glue database that holds one case's tables; the hunts' engine must use the same one. */
  databaseName: (caseId: string) => string;
}

/** The view every hunt reads; it has exactly the CloudTrail data columns, in schema order. */
export const CLOUDTRAIL_VIEW = 'cloudtrail';

/** The instants a table may read: `to` is null while the case runs up to now. */
export interface QuerySpan {
  from: string;
  to: string | null;
}

/** One CloudTrail delivery location, validated, ready to become a table. */
export interface CloudTrailTableSpec {
  database: string;
  table: string;
  bucket: string;
  /** Empty, or a key prefix ending in `/`, holding `AWSLogs/`. */
  prefix: string;
  organizationId?: string;
  accounts: string[];
  regions: string[];
  span: QuerySpan;
}

const DATABASE_NAME = /^[a-z0-9_]{1,255}$/;
const COLUMN_NAME = /^[a-z][a-z0-9_]{0,127}$/;
const TABLE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Key characters S3 calls safe, less the quote: enough for any prefix a trail is given. */
const PREFIX_STEP = /^[A-Za-z0-9!_.*()=+-]+$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** The only instant form a validated CaseContext holds (Date#toISOString), so it is safe inside quotes. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * CloudTrail in Athena: one table per delivery location (bucket and prefix), read through partition
 * projection over account, region and delivery day, and one `cloudtrail` view over all of them,
 * restricted to the case window. Nothing is loaded: Athena reads the logs where they lie.
 */
export class AthenaTableBuilder implements TableBuilder {
  private readonly engine: AthenaTableBuilderOptions['engine'];
  private readonly databaseName: AthenaTableBuilderOptions['databaseName'];

  constructor(options: AthenaTableBuilderOptions) {
    this.engine = options.engine;
    this.databaseName = options.databaseName;
  }

  async build(context: CaseContext, inventory: Inventory): Promise<TablesResult> {
    const database = this.databaseName(context.caseId);
    const createDatabase = createDatabaseSql(database);
    const span = querySpan(context.closedWindow);
    const skipped: SkippedInput[] = [];
    const specs: CloudTrailTableSpec[] = [];
    for (const location of inventory.sources) {
      if (location.source !== 'cloudtrail') continue;
      const reason = whyNotTableable(location);
      if (reason) {
        skipped.push({ input: location.location, reason, stage: 'tables' });
        continue;
      }
      try {
        specs.push(cloudTrailTableSpec(location, database, `cloudtrail_${specs.length}`, span));
      } catch (error) {
        if (!(error instanceof InvalidRequestError)) throw error;
        skipped.push({ input: location.location, reason: error.message, stage: 'tables' });
      }
    }

    await this.engine.execute(createDatabase);
    const others = await this.buildOtherSources(database, inventory, span, context.openedAt, skipped);
    for (const spec of specs) {
      // Dropped and created again, not "IF NOT EXISTS": a rerun with another window must not keep
      // the old projection range. Dropping an external table leaves the logs untouched.
      await this.engine.execute(dropTableSql(spec.database, spec.table));
      await this.engine.execute(cloudTrailTableSql(spec));
    }
    if (specs.length === 0) return { tables: others, skipped };
    await this.engine.execute(
      cloudTrailViewSql(
        database,
        specs.map((spec) => spec.table),
        span,
      ),
    );
    await this.engine.execute(cloudtrailEventsViewSql((name) => qualifiedViewName(database, name)));
    const table: BuiltTable = {
      source: 'cloudtrail',
      table: CLOUDTRAIL_VIEW,
      locations: specs.map(logsLocation),
    };
    return { tables: [table, ...others], skipped };
  }

  /**
   * Every other source through its module's own DDL: one table per S3 location (`vpcflow_0`, ...),
   * then a view of the source's name with its data columns, within the window.
   */
  private async buildOtherSources(
    database: string,
    inventory: Inventory,
    span: QuerySpan,
    openedAt: string,
    skipped: SkippedInput[],
  ): Promise<BuiltTable[]> {
    const built: BuiltTable[] = [];
    const bySource = new Map<LogSourceId, SourceLocation[]>();
    for (const location of inventory.sources.filter((l) => l.source !== 'cloudtrail')) {
      bySource.set(location.source, [...(bySource.get(location.source) ?? []), location]);
    }
    for (const [source, locations] of bySource) {
      const module = logSourceModule(source);
      const tables: string[] = [];
      for (const location of locations) {
        const reason = !module.athenaCreateTable
          ? `${source} logs are not delivered to S3 by AWS, so Athena has no table for them here`
          : !location.location.startsWith('s3://')
            ? 'not an S3 location'
            : null;
        if (reason || !module.athenaCreateTable) {
          skipped.push({ input: location.location, reason: reason ?? 'no table', stage: 'tables' });
          continue;
        }
        const table = `${source}_${tables.length}`;
        try {
          const ddl = module.athenaCreateTable(
            `${database}.${table}`,
            athenaLocation(location, span, openedAt),
          );
          const statements = ddl.split(ATHENA_STATEMENT_SEPARATOR).filter((s) => s.trim() !== '');
          // A rerun with another window must not keep the old projection; modules that build a view
          // over a raw table drop their own.
          if (!/^\s*DROP /i.test(statements[0] ?? ''))
            await this.engine.execute(dropTableSql(database, table));
          for (const statement of statements) await this.engine.execute(statement);
          tables.push(table);
        } catch (error) {
          if (!(error instanceof InvalidRequestError)) throw error;
          skipped.push({ input: location.location, reason: error.message, stage: 'tables' });
        }
      }
      if (tables.length === 0) continue;
      await this.engine.execute(
        sourceViewSql(database, source, module.columns, module.timeExpression, tables, span),
      );
      built.push({ source, table: source, locations: locations.map((l) => l.location) });
    }
    return built;
  }
}

function athenaLocation(location: SourceLocation, span: QuerySpan, openedAt: string): AthenaLocation {
  const layout = location.details?.layout;
  return {
    s3Uri: location.location,
    accounts: location.accounts ?? [],
    regions: location.regions ?? [],
    window: { from: span.from, to: span.to ?? openedAt },
    ...(typeof layout === 'string' ? { layout } : {}),
    ...(location.resourceFolders ? { resourceFolders: location.resourceFolders } : {}),
  };
}

function whyNotTableable(location: SourceLocation): string | undefined {
  if (!location.location.startsWith('s3://')) {
    return 'not an S3 location: Athena reads CloudTrail only where it is delivered in S3';
  }
  if (!location.accounts?.length || !location.regions?.length) {
    return 'no account or region folders found under AWSLogs/, so there is nothing to project';
  }
  return undefined;
}

/**
 * The span the tables read: the case's window, closed when the case opened (closeTimeWindow), its
 * instants checked again because they are written into DDL.
 */
export function querySpan(window: ClosedTimeWindow): QuerySpan {
  return { from: checkInstant(window.from), to: checkInstant(window.to) };
}

/** Validates a location found by the inventory; throws InvalidRequestError on anything odd. */
export function cloudTrailTableSpec(
  location: SourceLocation,
  database: string,
  table: string,
  span: QuerySpan,
): CloudTrailTableSpec {
  const { bucket, prefix } = parseS3Location(location.location);
  const accounts = checkAll(location.accounts ?? [], ACCOUNT_ID, 'account id');
  const regions = checkAll(location.regions ?? [], REGION, 'region');
  const spec: CloudTrailTableSpec = {
    database: check(database, DATABASE_NAME, 'database name'),
    table: check(table, TABLE_NAME, 'table name'),
    bucket,
    prefix,
    accounts,
    regions,
    span: { from: checkInstant(span.from), to: span.to === null ? null : checkInstant(span.to) },
  };
  if (location.organizationId !== undefined) {
    spec.organizationId = check(location.organizationId, ORGANIZATION_ID, 'organization id');
  }
  return spec;
}

/** `s3://bucket/prefix/` into its parts, refusing anything that could break out of a quoted string. */
export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!match) throw new InvalidRequestError(`'${location}' is not an s3:// location.`);
  const bucket = check(match[1] ?? '', BUCKET_NAME, 'bucket name');
  const steps = (match[2] ?? '').split('/').filter((step) => step !== '');
  for (const step of steps) {
    if (!PREFIX_STEP.test(step)) {
      throw new InvalidRequestError(
        `The prefix of '${location}' has characters casefile does not put in DDL.`,
      );
    }
  }
  return { bucket, prefix: steps.map((step) => `${step}/`).join('') };
}

export function createDatabaseSql(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS \`${check(database, DATABASE_NAME, 'database name')}\``;
}

export function dropTableSql(database: string, table: string): string {
  return `DROP TABLE IF EXISTS ${qualifiedDdlName(database, table)}`;
}

/**
 * The table the Athena documentation gives for CloudTrail, over the delivery layout
 * `AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/`. Projection needs no
 * crawler or MSCK REPAIR, but a day outside its range is silently absent, so the range comes
 * from the case window, widened by a day each side for late delivery.
 */
export function cloudTrailTableSql(spec: CloudTrailTableSpec): string {
  const days = deliveryDays({ from: spec.span.from, to: spec.span.to ?? spec.span.from });
  const lastDay = spec.span.to === null ? 'NOW' : projectionDay(days.last);
  const properties: [string, string][] = [
    ['projection.enabled', 'true'],
    ['projection.account.type', 'enum'],
    ['projection.account.values', spec.accounts.join(',')],
    ['projection.region.type', 'enum'],
    ['projection.region.values', spec.regions.join(',')],
    ['projection.day.type', 'date'],
    ['projection.day.format', 'yyyy/MM/dd'],
    ['projection.day.range', `${projectionDay(days.first)},${lastDay}`],
    ['projection.day.interval', '1'],
    ['projection.day.interval.unit', 'DAYS'],
    ['storage.location.template', `${logsLocation(spec)}\${account}/CloudTrail/\${region}/\${day}`],
  ];
  return [
    `CREATE EXTERNAL TABLE ${qualifiedDdlName(spec.database, spec.table)} (`,
    cloudtrailColumns.map((column) => `  \`${column.name}\` ${column.athena}`).join(',\n'),
    ')',
    'PARTITIONED BY (`account` string, `region` string, `day` string)',
    "ROW FORMAT SERDE 'com.amazon.emr.hive.serde.CloudTrailSerde'",
    "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
    "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
    `LOCATION '${logsLocation(spec)}'`,
    'TBLPROPERTIES (',
    properties.map(([key, value]) => `  '${key}'='${value}'`).join(',\n'),
    ')',
  ].join('\n');
}

/**
 * The `cloudtrail` view: the data columns of every location's table, without the partition
 * columns, restricted to the case window. The window is applied once, around the union; Athena
 * pushes it into each table.
 */
export function cloudTrailViewSql(database: string, tables: string[], span: QuerySpan): string {
  return sourceViewSql(
    database,
    CLOUDTRAIL_VIEW,
    cloudtrailColumnNames,
    'from_iso8601_timestamp("eventtime")',
    tables,
    span,
  );
}

/**
 * The view hunts read for one source: its data columns from every location's table (partition
 * columns left out, so Athena has exactly the embedded engine's columns), within the case window.
 */
export function sourceViewSql(
  database: string,
  view: string,
  columnNames: string[],
  timeExpression: string,
  tables: string[],
  span: QuerySpan,
): string {
  if (tables.length === 0) throw new InvalidRequestError(`The ${view} view needs at least one table.`);
  const columns = columnNames.map((name) => `"${check(name, COLUMN_NAME, 'column name')}"`).join(', ');
  const eventTime = timeExpression;
  const from = `from_iso8601_timestamp('${checkInstant(span.from)}')`;
  const condition =
    span.to === null
      ? `${eventTime} >= ${from}`
      : `${eventTime} BETWEEN ${from} AND from_iso8601_timestamp('${checkInstant(span.to)}')`;
  const branches = tables.map((table) => `  SELECT ${columns} FROM ${qualifiedViewName(database, table)}`);
  return [
    `CREATE OR REPLACE VIEW ${qualifiedViewName(database, view)} AS`,
    `SELECT ${columns}`,
    'FROM (',
    branches.join('\n  UNION ALL\n'),
    ') AS logs',
    `WHERE ${condition}`,
  ].join('\n');
}

/** Where a location's logs start: `s3://bucket/prefix/AWSLogs/` (with the organisation id, if any). */
function logsLocation(spec: Pick<CloudTrailTableSpec, 'bucket' | 'prefix' | 'organizationId'>): string {
  return `s3://${spec.bucket}/${spec.prefix}AWSLogs/${spec.organizationId ? `${spec.organizationId}/` : ''}`;
}

function projectionDay(isoDay: string): string {
  return isoDay.replaceAll('-', '/');
}

/** Hive DDL quotes names with backticks; the view is Trino SQL, which uses double quotes. */
function qualifiedDdlName(database: string, table: string): string {
  return `\`${check(database, DATABASE_NAME, 'database name')}\`.\`${check(table, TABLE_NAME, 'table name')}\``;
}

function qualifiedViewName(database: string, table: string): string {
  return `"${check(database, DATABASE_NAME, 'database name')}"."${check(table, TABLE_NAME, 'table name')}"`;
}

function checkInstant(value: string): string {
  return check(value, ISO_INSTANT, 'window instant');
}

function checkAll(values: string[], pattern: RegExp, what: string): string[] {
  return [...new Set(values.map((value) => check(value, pattern, what)))].sort();
}

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new InvalidRequestError(`'${value}' is not a valid ${what}.`);
  return value;
}
