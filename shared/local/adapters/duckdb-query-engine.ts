import { type DuckDBConnection, DuckDBInstance, version } from '@duckdb/node-api';
import { QueryFailedError } from '../../errors.js';
import {
  DEFAULT_MAX_ROWS,
  type QueryEngine,
  type QueryOptions,
  type QueryResult,
} from '../../ports/query-engine.js';
import { athenaCompatibilityMacros } from './duckdb-compat.js';

/**
 * DuckDB's share of a 2 GB budget for the whole process. DuckDB goes past its own limit by up to
 * about 0.5 GB, and Node holds 0.2 to 0.3 GB beside it (`npm run bench` over 10 million events, no
 * hunt failing in any run: 2.08 GB RSS with 1.5 GB; 1.69 to 1.75 GB with 1.2 GB, then 1.92 to 1.97 GiB
 * (2.0 to 2.07 GB) in the hunts as the library grew; 1.81 to 1.85 GiB with 1.1 GB, in the same time,
 * then 1.72 to 1.93 GiB over five runs once the hunts read event classes; 1 GB since).
 */
const DEFAULT_MEMORY_LIMIT = '1GB';

export interface DuckDbSettings {
  /** DuckDB's own cap; it spills to `tempDirectory` past it. Below 1 GB, Parquet writes fail. */
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
  /**
   * Queries run at once. One by default: DuckDB already spreads one query over every thread, and
   * queries run side by side share `memoryLimit`, so four grouping hunts over millions of events at
   * once ran out of memory where each alone spills to `tempDirectory` and completes.
   */
  maxConcurrentQueries?: number;
}

/** The embedded engine: Athena SQL through compatibility macros, values bound as prepared parameters. */
export class DuckDbQueryEngine implements QueryEngine {
  readonly name = 'duckdb' as const;

  private readonly slots: QuerySlots;

  private constructor(
    private readonly instance: DuckDBInstance,
    maxConcurrentQueries: number,
  ) {
    this.slots = new QuerySlots(maxConcurrentQueries);
  }

  static async open(settings: DuckDbSettings = {}): Promise<DuckDbQueryEngine> {
    const options: Record<string, string> = {
      memory_limit: settings.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      threads: String(settings.threads ?? 2),
      preserve_insertion_order: 'false',
      // DuckDB keeps its own in-memory copy of the Parquet bytes it reads ("cache external files in
      // memory", duckdb_settings()); for local files the operating system's page cache already holds
      // them, and DuckDB's copy counts towards its limit and the process's RSS (10 M events: 1,743 MiB
      // peak without it, 1,761 to 1,972 MiB in three runs with it, in the same time).
      enable_external_file_cache: 'false',
    };
    if (settings.tempDirectory) options.temp_directory = settings.tempDirectory;
    const engine = new DuckDbQueryEngine(
      await DuckDBInstance.create(':memory:', options),
      settings.maxConcurrentQueries ?? 1,
    );
    await engine.withConnection(async (connection) => {
      // Day buckets of TIMESTAMPTZ values follow the session time zone; Athena works in UTC.
      await connection.run('LOAD icu');
      await connection.run("SET GLOBAL TimeZone = 'UTC'");
      // Every hunt reads the same Parquet parts, written once per case: their footers are parsed once.
      // https://duckdb.org/docs/stable/configuration/overview.html (parquet_metadata_cache)
      await connection.run('LOAD parquet');
      await connection.run('SET GLOBAL parquet_metadata_cache = true');
      for (const macro of athenaCompatibilityMacros) await connection.run(macro);
    });
    return engine;
  }

  /** Runs a statement that returns nothing worth reading (DDL, COPY). */
  async execute(sql: string): Promise<void> {
    await this.withConnection((connection) => connection.run(sql));
  }

  async run(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    return this.runIn(null, sql, options);
  }

  /**
   * The same engine, resolving a query's unqualified names in `schema` first and then in `main`: a
   * routed hunt runs its unchanged text over the views of its route's event classes, as in Athena
   * (where the route is a database of its own).
   */
  inSchema(schema: string): QueryEngine {
    if (!SCHEMA_NAME.test(schema)) throw new RangeError(`'${schema}' is not a schema name`);
    return {
      name: this.name,
      run: (sql, options = {}) => this.runIn(schema, sql, options),
      version: () => this.version(),
    };
  }

  private async runIn(schema: string | null, sql: string, options: QueryOptions): Promise<QueryResult> {
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    return this.withConnection(async (connection) => {
      // The connection is this query's alone: the setting ends with it.
      if (schema) await connection.run(`SET search_path = '${schema},main'`);
      const started = performance.now();
      let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
      try {
        result = await connection.stream(sql, options.parameters ?? []);
      } catch (error) {
        throw new QueryFailedError(`DuckDB rejected the query: ${(error as Error).message}`, {
          cause: error,
        });
      }
      const columns = result.columnNames();
      const rows: Record<string, string | null>[] = [];
      let rowCount = 0;
      let more = false;
      for (
        let chunk = await result.fetchChunk();
        chunk && chunk.rowCount > 0;
        chunk = await result.fetchChunk()
      ) {
        if (rows.length >= maxRows) {
          more = true;
          break;
        }
        rowCount += chunk.rowCount;
        for (const values of chunk.getRows().slice(0, maxRows - rows.length)) {
          rows.push(Object.fromEntries(columns.map((column, i) => [column, asText(values[i])])));
        }
      }
      // Rows past the cap are counted in SQL, not fetched: a fetched chunk's native memory is freed
      // only when V8 collects its wrapper, which a small heap does not prompt (1.2 M rows fetched to be
      // counted took the process from 1.7 to 2.5 GB).
      if (more || rowCount > rows.length) {
        rowCount = await countRows(connection, sql, options.parameters ?? []);
      }
      return {
        columns,
        rows,
        rowCount,
        truncated: rowCount > rows.length,
        stats: { durationMs: Math.round(performance.now() - started) },
      };
    });
  }

  async version(): Promise<string> {
    return `DuckDB ${version()}`;
  }

  close(): void {
    this.instance.closeSync();
  }

  private async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    // One connection per query: the workflow's Map runs hunts concurrently, and a connection runs one at a time.
    await this.slots.acquire();
    const connection = await this.instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
      this.slots.release();
    }
  }
}

const SCHEMA_NAME = /^[a-z][a-z0-9_]*$/;

/** A counting semaphore: callers past the limit wait, first come first served. */
class QuerySlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`maxConcurrentQueries must be a positive integer, got ${limit}`);
    this.free = limit;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

async function countRows(
  connection: DuckDBConnection,
  sql: string,
  parameters: NonNullable<QueryOptions['parameters']>,
): Promise<number> {
  // Line breaks around the query: a trailing line comment must not swallow the closing parenthesis.
  const query = sql.trim().replace(/;+$/, '');
  const reader = await connection.runAndReadAll(`SELECT count(*) FROM (\n${query}\n) AS capped`, parameters);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

/** DuckDB's value classes (timestamps, lists, structs) print themselves; Athena returns text too. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}
