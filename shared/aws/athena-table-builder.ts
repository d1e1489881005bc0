import type { CaseContext } from '../domain/case.js';
import type { BuiltTable } from '../domain/case-files/tables-file.js';
import { CLASSED_SOURCE, type EventClassRouting, routesTaken } from '../domain/event-classes.js';
import type { Inventory, SkippedInput, SourceLocation } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';
import { InvalidRequestError } from '../errors.js';
import type { ScannedStatement, TableBuilder, TablesResult } from '../ports/table-builder.js';
import { TooManyPartitionsError } from '../sources/athena-table-ddl.js';
import {
  CLOUDTRAIL_ACTIVITY_VIEW,
  CLOUDTRAIL_EVENTS_VIEW,
  cloudtrailActivityViewSql,
  cloudtrailEventsViewSql,
} from '../sources/cloudtrail-view.js';
import type { AthenaLocation, LogSourceModule } from '../sources/log-source-module.js';
import { logSourceModule } from '../sources/registry.js';
import { ATHENA_STATEMENT_SEPARATOR } from '../sources/source-sql.js';
import { mapConcurrently } from '../util/async.js';
import {
  createDatabaseSql,
  dropTableSql,
  type QuerySpan,
  qualifiedViewName,
  querySpan,
  sourceViewSql,
  windowCopySql,
} from './athena-case-sql.js';
import {
  eventsViewOnCopySql,
  onePassCopySql,
  routedDatabase,
  routedViewsSql,
  viewOnCopySql,
} from './athena-one-pass-sql.js';
import type { ExecutedStatement } from './athena-query-engine.js';

export interface AthenaTableBuilderOptions {
  /** Runs one statement to completion; names in the DDL are qualified, so any database context works. */
  engine: { execute(sql: string): Promise<ExecutedStatement> };
  /** The empty S3 folder (`s3://bucket/prefix/`) a source's one-pass copy is written to. */
  copyLocation: (context: Pick<CaseContext, 'caseId' | 'run'>, source: LogSourceId) => string;
  /** The Glue database that holds one case's tables; the hunts' engine must use the same one. */
  databaseName: (caseId: string) => string;
  /** Locations whose DDL runs at once; see DDL_CONCURRENCY. */
  concurrency?: number;
}

/**
 * Locations whose DDL runs at once. Athena counts running and queued DDL against the account's
 * "active DDL queries" quota (20 by default) and refuses more with TooManyRequestsException, which
 * the engine retries with backoff; a quarter of it leaves room for anyone else in the account.
 * Each location's statements (drop, create, view) run in order.
 * https://docs.aws.amazon.com/athena/latest/ug/service-limits.html
 */
export const DDL_CONCURRENCY = 5;

/** One table to create: a location (or part of one) and the name its table gets. */
interface TableTask {
  source: LogSourceId;
  location: SourceLocation;
  table: string;
  athena: AthenaLocation;
}

/** What the source view reads for a task: its table, or the case window copied out of it. */
type Created = { read: string } | null;

/** A CloudWatch Logs export holds only the case window: its folder bounds the table. */
const EXPORT_LAYOUT = 'cloudwatch-export';

/**
 * Every source through its module's DDL: one table per S3 location (`cloudtrail_0`, `vpcflow_0`,
 * ...), read where the logs lie through partition projection bounded by the case window, then a view
 * of the source's name with its data columns within the window. Nothing is loaded.
 */
export class AthenaTableBuilder implements TableBuilder {
  private readonly engine: AthenaTableBuilderOptions['engine'];
  private readonly databaseName: AthenaTableBuilderOptions['databaseName'];
  private readonly concurrency: number;
  private readonly copyLocation: AthenaTableBuilderOptions['copyLocation'];
  private statements: ScannedStatement[] = [];

  constructor(options: AthenaTableBuilderOptions) {
    this.engine = options.engine;
    this.copyLocation = options.copyLocation;
    this.databaseName = options.databaseName;
    this.concurrency = options.concurrency ?? DDL_CONCURRENCY;
  }

  async build(context: CaseContext, inventory: Inventory): Promise<TablesResult> {
    const database = this.databaseName(context.caseId);
    const createDatabase = createDatabaseSql(database);
    const span = querySpan(context.closedWindow);
    const skipped: SkippedInput[] = [];
    const tasks = planTables(database, inventory.sources, span, context.openedAt, skipped);

    this.statements = [];
    await this.run('create the case database', createDatabase);
    const created = await mapConcurrently(tasks, this.concurrency, (task) =>
      this.createTable(database, task, span, skipped),
    );
    const bySource = new Map<LogSourceId, { task: TableTask; read: string }[]>();
    tasks.forEach((task, i) => {
      const read = created[i]?.read;
      if (read) bySource.set(task.source, [...(bySource.get(task.source) ?? []), { task, read }]);
    });
    const built: BuiltTable[] = [];
    for (const [source, entries] of bySource) {
      const module = logSourceModule(source);
      const tables = entries.map((entry) => entry.read);
      const done = entries.map((entry) => entry.task);
      await this.run(
        `view ${source}`,
        sourceViewSql(database, source, module.columns, module.timeExpression, tables, span),
      );
      if (source === 'cloudtrail') {
        await this.run(
          'view cloudtrail_events',
          cloudtrailEventsViewSql((name) => qualifiedViewName(database, name)),
        );
        await this.run(
          'view cloudtrail_activity',
          cloudtrailActivityViewSql(
            qualifiedViewName(database, CLOUDTRAIL_ACTIVITY_VIEW),
            qualifiedViewName(database, CLOUDTRAIL_EVENTS_VIEW),
          ),
        );
      }
      const locations = [...new Set(done.map((task) => task.location.location))];
      built.push({ source, table: source, locations });
    }
    return { tables: built, skipped, statements: this.statements };
  }

  /**
   * The one pass for each source: a CTAS of its view (the window of every location's table) into
   * Parquet under the case folder, then the view pointed at the copy. `cloudtrail_events` reads the
   * `cloudtrail` view by name, so it reads the copy too, and then moves to the judgements the copy
   * stored (a failure there leaves it computing them on the copy: the same values). A retry writes to
   * a new folder: a CTAS refuses a location that holds files. With hunts routed to some event classes, each route taken gets
   * views of its classes of the CloudTrail copy in a database of its own, made once the copy exists
   * and before the source's view moves to the copy: a copy whose statements fail part way leaves the
   * source's view on the logs as delivered, as the case then says.
   */
  async copyOnce(
    context: CaseContext,
    sources: LogSourceId[],
    routing: EventClassRouting,
  ): Promise<ScannedStatement[]> {
    const database = this.databaseName(context.caseId);
    this.statements = [];
    for (const source of sources) {
      const columns = logSourceModule(source).columns;
      const copy = `${source}_copy`;
      await this.run(`drop the ${source} copy`, dropTableSql(database, copy));
      await this.run(
        `copy ${source} once`,
        onePassCopySql({
          database,
          source,
          copy,
          columns,
          location: this.copyLocation(context, source),
          namedEvents: source === CLASSED_SOURCE ? routing : { names: [], heavyNames: [] },
        }),
      );
      for (const route of source === CLASSED_SOURCE ? routesTaken(routing) : []) {
        await this.run(`create the ${route} database`, createDatabaseSql(routedDatabase(database, route)));
        for (const view of routedViewsSql(database, route, copy, columns))
          await this.run(`view the ${route} ${source} events`, view);
      }
      await this.run(`view ${source} on its copy`, viewOnCopySql(database, source, copy, columns));
      if (source === CLASSED_SOURCE)
        await this.run(
          `view ${CLOUDTRAIL_EVENTS_VIEW} on the stored judgements of the copy`,
          eventsViewOnCopySql(database, copy, columns),
        );
    }
    return this.statements;
  }

  private async run(purpose: string, sql: string): Promise<void> {
    const { queryId, bytesScanned } = await this.engine.execute(sql);
    this.statements.push({ purpose, queryId, bytesScanned });
  }

  /** The module's statements for one table, in order; a DDL refusal skips the location with its reason. */
  private async createTable(
    database: string,
    task: TableTask,
    span: QuerySpan,
    skipped: SkippedInput[],
  ): Promise<Created> {
    const module = logSourceModule(task.source);
    let statements: string[];
    try {
      statements = moduleStatements(module, database, task);
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      skipped.push({ input: task.location.location, reason: error.message, stage: 'tables' });
      return null;
    }
    for (const statement of statements) await this.run(`table ${task.table}`, statement);
    if (isBounded(task, statements)) return { read: task.table };
    const copy = `${task.table}_window`;
    await this.run(`drop ${copy}`, dropTableSql(database, copy));
    await this.run(
      `copy the window of ${task.table}`,
      windowCopySql(database, module, task.table, copy, span),
    );
    return { read: copy };
  }
}

/**
 * The tables to create, named in inventory order. A location whose projection would pass Athena's
 * partitions-per-scan bound is split by account into as many tables as it takes.
 */
function planTables(
  database: string,
  locations: SourceLocation[],
  span: QuerySpan,
  openedAt: string,
  skipped: SkippedInput[],
): TableTask[] {
  const tasks: TableTask[] = [];
  const counts = new Map<LogSourceId, number>();
  const add = (location: SourceLocation, athena: AthenaLocation) => {
    const n = counts.get(location.source) ?? 0;
    counts.set(location.source, n + 1);
    tasks.push({ source: location.source, location, athena, table: `${location.source}_${n}` });
  };
  for (const location of locations) {
    const module = logSourceModule(location.source);
    const reason = !module.athenaCreateTable
      ? `${location.source} logs have no Athena table`
      : !location.location.startsWith('s3://')
        ? `not an S3 location: Athena reads ${location.source} only where it lies in S3`
        : null;
    if (reason) {
      skipped.push({ input: location.location, reason, stage: 'tables' });
      continue;
    }
    try {
      for (const part of withinPartitionBound(module, database, athenaLocation(location, span, openedAt))) {
        add(location, part);
      }
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      skipped.push({ input: location.location, reason: error.message, stage: 'tables' });
    }
  }
  return tasks;
}

/**
 * The location as it is, or its accounts halved until each part's projection stays within Athena's
 * partitions-per-scan bound (accounts x regions x days for CloudTrail). Each part is its own table;
 * the source's view reads them all.
 */
function withinPartitionBound(
  module: LogSourceModule,
  database: string,
  location: AthenaLocation,
): AthenaLocation[] {
  try {
    module.athenaCreateTable?.(`${database}.bound_check`, location);
    return [location];
  } catch (error) {
    if (!(error instanceof TooManyPartitionsError) || location.accounts.length < 2) throw error;
    const half = Math.ceil(location.accounts.length / 2);
    return [location.accounts.slice(0, half), location.accounts.slice(half)].flatMap((accounts) =>
      withinPartitionBound(module, database, { ...location, accounts }),
    );
  }
}

/**
 * A module's DDL as statements. A rerun with another window must not keep the old projection, so
 * the table is dropped first (dropping an external table leaves the logs untouched); modules that
 * build a view over a raw table drop their own.
 */
function moduleStatements(module: LogSourceModule, database: string, task: TableTask): string[] {
  const ddl = module.athenaCreateTable?.(`${database}.${task.table}`, task.athena) ?? '';
  const statements = ddl.split(ATHENA_STATEMENT_SEPARATOR).filter((s) => s.trim() !== '');
  return /^\s*DROP /i.test(statements[0] ?? '')
    ? statements
    : [dropTableSql(database, task.table), ...statements];
}

/**
 * Whether every scan of the table is bounded by the case window: a projection over delivery days,
 * or an export folder that holds only the window.
 */
function isBounded(task: TableTask, statements: string[]): boolean {
  return (
    task.athena.layout === EXPORT_LAYOUT ||
    statements.some((statement) => /'projection\.[a-z_]+\.type'='date'/.test(statement))
  );
}

function athenaLocation(location: SourceLocation, span: QuerySpan, openedAt: string): AthenaLocation {
  const layout = location.details?.layout;
  return {
    s3Uri: location.location,
    accounts: [...new Set(location.accounts ?? [])].sort(),
    regions: [...new Set(location.regions ?? [])].sort(),
    window: { from: span.from, to: span.to ?? openedAt },
    ...(location.organizationId !== undefined ? { organizationId: location.organizationId } : {}),
    ...(typeof layout === 'string' ? { layout } : {}),
    ...(location.resourceFolders ? { resourceFolders: location.resourceFolders } : {}),
  };
}
