/** A value bound to a `?` placeholder. Never concatenated into SQL text. */
export type QueryParameter = string | number | boolean;

export interface QueryOptions {
  /** Values for the `?` placeholders, in order. */
  parameters?: QueryParameter[];
  /** Rows kept in the result; the rest are counted, and `truncated` says so. */
  maxRows?: number;
}

export interface QueryStats {
  durationMs: number;
  /** Athena bills by this; the embedded engine reports none. */
  bytesScanned?: number;
  /** The engine's own id for the query (Athena QueryExecutionId), for audit. */
  queryId?: string;
}

/** Rows as text, the way Athena returns them, so a CSV or report reads the same from both engines. */
export interface QueryResult {
  columns: string[];
  rows: Record<string, string | null>[];
  /** Every row the query produced, also those past `maxRows`. */
  rowCount: number;
  truncated: boolean;
  stats: QueryStats;
}

/** Runs Athena-dialect SQL: Athena itself in AWS, DuckDB (with compatibility macros) locally. */
export interface QueryEngine {
  readonly name: 'athena' | 'duckdb';
  run(sql: string, options?: QueryOptions): Promise<QueryResult>;
  /** The engine's own version, recorded in the manifest; absent where the engine does not say. */
  version?(): Promise<string>;
}

export const DEFAULT_MAX_ROWS = 10_000;
