import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetQueryRuntimeStatisticsCommand,
  type QueryExecution,
  type QueryExecutionStatus,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { MAX_EXECUTION_PARAMETER_LENGTH, quotedParameter } from '../domain/query-parameters.js';
import {
  InvalidRequestError,
  QueryCancelledError,
  QueryFailedError,
  QueryTimeoutError,
  TransientServiceError,
} from '../errors.js';
import {
  DEFAULT_MAX_ROWS,
  type QueryEngine,
  type QueryOptions,
  type QueryParameter,
  type QueryResult,
} from '../ports/query-engine.js';

export interface AthenaQueryEngineOptions {
  client?: AthenaClient;
  workGroup: string;
  /** The database unqualified table names resolve in (the case's database, for hunts). */
  database?: string;
  /** Only needed when the workgroup does not enforce its own result location. */
  outputLocation?: string;
  /** First wait between status polls; it doubles up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** How long a query may run before it is stopped; keep it under the Lambda's own timeout. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds on a monotonic clock; injected with `sleep` so tests can run the timeout. */
  now?: () => number;
}

/** A statement run for its effect, with Athena's id for it and the bytes it scanned. */
export interface ExecutedStatement {
  queryId: string;
  bytesScanned: number;
}

/** Attempts after the first for a call Athena throttled or failed on its side. */
const SERVICE_RETRIES = 4;
/** GetQueryResults returns at most this many rows per page. */
const RESULTS_PAGE_SIZE = 1000;
const THROTTLING_ERRORS = new Set(['TooManyRequestsException', 'ThrottlingException']);
/** How often a DDL statement's status is read. */
const DDL_POLL_MS = 300;

/**
 * Runs hunts and DDL on Athena: start, poll until a final state, page through the results.
 * Values are bound as execution parameters, never written into the query text.
 */
export class AthenaQueryEngine implements QueryEngine {
  readonly name = 'athena' as const;

  private readonly client: AthenaClient;
  private readonly workGroup: string;
  private readonly database: string | undefined;
  private readonly outputLocation: string | undefined;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(options: AthenaQueryEngineOptions) {
    this.client = options.client ?? new AthenaClient({});
    this.workGroup = options.workGroup;
    this.database = options.database;
    this.outputLocation = options.outputLocation;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Runs a statement whose result has no rows worth reading (CREATE, DROP, ALTER). DDL finishes in
   * about a second, so it is polled at a steady short interval rather than the doubling one hunts
   * get: a case with hundreds of tables would otherwise spend most of its time between polls.
   * Returns what Athena scanned (a CTAS reads its source; DDL reads nothing), for the case's bill.
   */
  async execute(sql: string): Promise<ExecutedStatement> {
    const execution = await this.runToCompletion(sql, [], DDL_POLL_MS);
    return {
      queryId: execution.QueryExecutionId as string,
      bytesScanned: execution.Statistics?.DataScannedInBytes ?? 0,
    };
  }

  async run(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const started = this.now();
    const execution = await this.runToCompletion(sql, options.parameters ?? []);
    const queryId = execution.QueryExecutionId as string;
    const results = await this.readResults(queryId, execution, options.maxRows ?? DEFAULT_MAX_ROWS);
    const bytesScanned = execution.Statistics?.DataScannedInBytes;
    return {
      ...results,
      truncated: results.rowCount > results.rows.length,
      stats: {
        durationMs: Math.round(this.now() - started),
        queryId,
        ...(bytesScanned === undefined ? {} : { bytesScanned }),
      },
    };
  }

  private async runToCompletion(
    sql: string,
    parameters: QueryParameter[],
    steadyPollMs?: number,
  ): Promise<QueryExecution> {
    const started = this.now();
    const executionParameters = parameters.map(asExecutionParameter);
    // One token for every attempt: if a retried start had in fact reached Athena, the retry
    // returns that query instead of starting a second one.
    const clientRequestToken = randomUUID();
    const { QueryExecutionId: queryId } = await this.call('StartQueryExecution', () =>
      this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          ClientRequestToken: clientRequestToken,
          WorkGroup: this.workGroup,
          ...(this.database ? { QueryExecutionContext: { Database: this.database } } : {}),
          ...(this.outputLocation ? { ResultConfiguration: { OutputLocation: this.outputLocation } } : {}),
          // Athena rejects an empty list, so the field is left out when nothing is bound.
          ...(executionParameters.length > 0 ? { ExecutionParameters: executionParameters } : {}),
        }),
      ),
    );
    if (!queryId) throw new QueryFailedError('Athena accepted the query but returned no QueryExecutionId.');
    return this.waitForCompletion(queryId, started, steadyPollMs);
  }

  private async waitForCompletion(
    queryId: string,
    started: number,
    steadyPollMs?: number,
  ): Promise<QueryExecution> {
    for (let poll = 0; ; poll++) {
      const { QueryExecution: execution } = await this.call('GetQueryExecution', () =>
        this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })),
      );
      const status = execution?.Status;
      if (execution && status?.State === 'SUCCEEDED') return { ...execution, QueryExecutionId: queryId };
      if (status?.State === 'FAILED') throw new QueryFailedError(describeFailure(queryId, status));
      if (status?.State === 'CANCELLED') {
        throw new QueryCancelledError(
          `Athena query ${queryId} was cancelled${status.StateChangeReason ? `: ${status.StateChangeReason}` : '.'}`,
        );
      }
      const remaining = this.timeoutMs - (this.now() - started);
      if (remaining <= 0) return this.stopAfterTimeout(queryId);
      await this.sleep(Math.min(steadyPollMs ?? this.backoff(poll), remaining));
    }
  }

  private async stopAfterTimeout(queryId: string): Promise<never> {
    const message = `Athena query ${queryId} did not finish within ${this.timeoutMs} ms`;
    try {
      // A query left running keeps scanning (and billing) after the step has given up on it.
      await this.call('StopQueryExecution', () =>
        this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId })),
      );
    } catch (error) {
      throw new QueryTimeoutError(`${message}, and stopping it failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw new QueryTimeoutError(`${message}; it was stopped.`);
  }

  private async readResults(
    queryId: string,
    execution: QueryExecution,
    maxRows: number,
  ): Promise<Pick<QueryResult, 'columns' | 'rows' | 'rowCount'>> {
    // A SELECT's first row repeats the column names; DDL and utility results (SHOW, DESCRIBE) have none.
    let headerPending = execution.StatementType === 'DML';
    let columns: string[] | undefined;
    const rows: Record<string, string | null>[] = [];
    let rowCount = 0;
    let nextToken: string | undefined;
    let counted: number | undefined;
    do {
      const token = nextToken;
      const page = await this.call('GetQueryResults', () =>
        this.client.send(
          new GetQueryResultsCommand({
            QueryExecutionId: queryId,
            NextToken: token,
            MaxResults: RESULTS_PAGE_SIZE,
          }),
        ),
      );
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((column) => column.Name ?? '');
      const pageRows = page.ResultSet?.Rows ?? [];
      const dataRows = headerPending ? pageRows.slice(1) : pageRows;
      headerPending = false;
      rowCount += dataRows.length;
      for (const row of dataRows.slice(0, Math.max(0, maxRows - rows.length))) {
        const data = row.Data ?? [];
        rows.push(
          Object.fromEntries((columns ?? []).map((name, i) => [name, data[i]?.VarCharValue ?? null])),
        );
      }
      nextToken = page.NextToken;
      // Past the rows kept, Athena's own statistics give the count: paging a million rows to count
      // them would take a thousand calls. Without the statistics, the pages are counted.
      if (nextToken && rows.length >= maxRows && counted === undefined)
        counted = await this.outputRows(queryId);
    } while (nextToken && counted === undefined);
    return { columns: columns ?? [], rows, rowCount: counted ?? rowCount };
  }

  /** The query's output row count from its runtime statistics, or undefined where they are not to be had. */
  private async outputRows(queryId: string): Promise<number | undefined> {
    try {
      const statistics = await this.call('GetQueryRuntimeStatistics', () =>
        this.client.send(new GetQueryRuntimeStatisticsCommand({ QueryExecutionId: queryId })),
      );
      return statistics?.QueryRuntimeStatistics?.Rows?.OutputRows;
    } catch (error) {
      if (error instanceof TransientServiceError) throw error;
      return undefined;
    }
  }

  /** Sends one request, retrying with backoff while Athena throttles or reports a fault of its own. */
  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (!isTransient(error)) throw asCasefileError(action, error);
        if (attempt >= SERVICE_RETRIES) {
          throw new TransientServiceError(
            `Athena ${action} was throttled or unavailable ${attempt + 1} times: ${(error as Error).message}`,
            { cause: error },
          );
        }
        await this.sleep(this.backoff(attempt));
      }
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.pollIntervalMs * 2 ** attempt, this.maxPollIntervalMs);
  }
}

/**
 * Athena substitutes each execution parameter into the statement as a literal, so a string must
 * arrive already quoted: a value with a quote in it then stays one string literal.
 */
export function asExecutionParameter(value: QueryParameter): string {
  if (typeof value === 'string') {
    const quoted = quotedParameter(value);
    if (quoted.length > MAX_EXECUTION_PARAMETER_LENGTH) {
      throw new InvalidRequestError(
        `A query parameter is ${quoted.length} characters once quoted; Athena takes at most ${MAX_EXECUTION_PARAMETER_LENGTH}.`,
      );
    }
    return quoted;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new InvalidRequestError(`A query parameter must be a finite number, got ${value}.`);
  }
  return String(value);
}

function describeFailure(queryId: string, status: QueryExecutionStatus): string {
  const reason = status.StateChangeReason ?? status.AthenaError?.ErrorMessage ?? 'no reason given';
  const error = status.AthenaError;
  const details = error
    ? ` (Athena error category ${error.ErrorCategory ?? '?'}, type ${error.ErrorType ?? '?'}, ` +
      `retryable: ${error.Retryable ?? false})`
    : '';
  return `Athena query ${queryId} failed: ${reason}${details}`;
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (THROTTLING_ERRORS.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

/** Athena refuses some statements up front (bad syntax, bad parameters) rather than failing them later. */
function asCasefileError(action: string, error: unknown): unknown {
  if (error instanceof Error && error.name === 'InvalidRequestException') {
    return new QueryFailedError(`Athena refused ${action}: ${error.message}`, { cause: error });
  }
  return error;
}
