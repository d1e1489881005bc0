import { type DuckDBConnection, DuckDBInstance, version } from '@duckdb/node-api';
import { QueryFailedError } from '../../errors.js';
import {
  DEFAULT_MAX_ROWS,
  type QueryEngine,
  type QueryOptions,
  type QueryResult,
} from '../../ports/query-engine.js';
import { athenaCompatibilityMacros } from './duckdb-compat.js';

export interface DuckDbSettings {
  /** DuckDB's own cap; it spills to `tempDirectory` past it. Below 1 GB, Parquet writes fail. */
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
}

/** The embedded engine: Athena SQL through compatibility macros, values bound as prepared parameters. */
export class DuckDbQueryEngine implements QueryEngine {
  readonly name = 'duckdb' as const;

  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(settings: DuckDbSettings = {}): Promise<DuckDbQueryEngine> {
    const options: Record<string, string> = {
      memory_limit: settings.memoryLimit ?? '2GB',
      threads: String(settings.threads ?? 2),
      preserve_insertion_order: 'false',
    };
    if (settings.tempDirectory) options.temp_directory = settings.tempDirectory;
    const engine = new DuckDbQueryEngine(await DuckDBInstance.create(':memory:', options));
    await engine.withConnection(async (connection) => {
      // Day buckets of TIMESTAMPTZ values follow the session time zone; Athena works in UTC.
      await connection.run('LOAD icu');
      await connection.run("SET GLOBAL TimeZone = 'UTC'");
      for (const macro of athenaCompatibilityMacros) await connection.run(macro);
    });
    return engine;
  }

  /** Runs a statement that returns nothing worth reading (DDL, COPY). */
  async execute(sql: string): Promise<void> {
    await this.withConnection((connection) => connection.run(sql));
  }

  async run(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    const started = performance.now();
    return this.withConnection(async (connection) => {
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
      for (
        let chunk = await result.fetchChunk();
        chunk && chunk.rowCount > 0;
        chunk = await result.fetchChunk()
      ) {
        rowCount += chunk.rowCount;
        if (rows.length >= maxRows) continue;
        for (const values of chunk.getRows().slice(0, maxRows - rows.length)) {
          rows.push(Object.fromEntries(columns.map((column, i) => [column, asText(values[i])])));
        }
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
    const connection = await this.instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }
}

/** DuckDB's value classes (timestamps, lists, structs) print themselves; Athena returns text too. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}
