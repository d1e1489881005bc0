import {
  AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionOutput,
  GetQueryResultsCommand,
  type GetQueryResultsOutput,
  GetQueryRuntimeStatisticsCommand,
  InternalServerException,
  InvalidRequestException,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaQueryEngine, asExecutionParameter } from '../../../shared/aws/athena-query-engine.js';
import {
  InvalidRequestError,
  QueryCancelledError,
  QueryFailedError,
  QueryTimeoutError,
  TransientServiceError,
} from '../../../shared/errors.js';

const athena = mockClient(AthenaClient);
const QUERY_ID = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

/** A GetQueryExecution response as the Athena API reference shapes it. */
function execution(
  state: QueryExecutionState,
  extra: { reason?: string; statementType?: 'DML' | 'DDL' | 'UTILITY'; athenaError?: object } = {},
): GetQueryExecutionOutput {
  return {
    QueryExecution: {
      QueryExecutionId: QUERY_ID,
      Query: 'SELECT ...',
      StatementType: extra.statementType ?? 'DML',
      WorkGroup: 'casefile',
      Status: {
        State: state,
        SubmissionDateTime: new Date('2024-05-01T10:00:00Z'),
        ...(extra.reason ? { StateChangeReason: extra.reason } : {}),
        ...(extra.athenaError ? { AthenaError: extra.athenaError } : {}),
      },
      Statistics: {
        DataScannedInBytes: 123_456,
        EngineExecutionTimeInMillis: 850,
        TotalExecutionTimeInMillis: 1020,
      },
    },
  };
}

const columnInfo = (...names: string[]) =>
  names.map((Name) => ({
    CatalogName: 'hive',
    Name,
    Label: Name,
    Type: 'varchar',
    Nullable: 'UNKNOWN' as const,
  }));

const row = (...values: (string | null)[]) => ({
  Data: values.map((value) => (value === null ? {} : { VarCharValue: value })),
});

/** A GetQueryResults page: the metadata comes on every page, the header row only on the first. */
function page(
  columns: string[],
  rows: (string | null)[][],
  options: { header?: boolean; next?: string } = {},
) {
  const result: GetQueryResultsOutput = {
    UpdateCount: 0,
    ResultSet: {
      Rows: [...(options.header ? [row(...columns)] : []), ...rows.map((values) => row(...values))],
      ResultSetMetadata: { ColumnInfo: columnInfo(...columns) },
    },
  };
  if (options.next) result.NextToken = options.next;
  return result;
}

/** A clock that only moves when the engine sleeps, so backoff and timeouts are exact. */
function fakeTime() {
  const time = { now: 0, waits: [] as number[] };
  return {
    time,
    now: () => time.now,
    sleep: async (ms: number) => {
      time.waits.push(ms);
      time.now += ms;
    },
  };
}

function engine(options: Partial<ConstructorParameters<typeof AthenaQueryEngine>[0]> = {}) {
  const clock = fakeTime();
  const athenaEngine = new AthenaQueryEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workGroup: 'casefile',
    database: 'casefile_case_1',
    pollIntervalMs: 100,
    maxPollIntervalMs: 400,
    timeoutMs: 60_000,
    sleep: clock.sleep,
    now: clock.now,
    ...options,
  });
  return { engine: athenaEngine, time: clock.time };
}

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QUERY_ID });
});

describe('AthenaQueryEngine.run', () => {
  it('starts the query in the workgroup and database, polls with growing waits, and reads the rows', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING'))
      .resolvesOnce(execution('RUNNING'))
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(
      page(
        ['eventname', 'errorcode'],
        [
          ['ConsoleLogin', null],
          ['GetObject', 'AccessDenied'],
        ],
        { header: true },
      ),
    );
    const { engine: athenaEngine, time } = engine({ outputLocation: 's3://results/casefile/' });

    const result = await athenaEngine.run('SELECT eventname, errorcode FROM cloudtrail');

    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: 'SELECT eventname, errorcode FROM cloudtrail',
      WorkGroup: 'casefile',
      QueryExecutionContext: { Database: 'casefile_case_1' },
      ResultConfiguration: { OutputLocation: 's3://results/casefile/' },
    });
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).not.toHaveProperty(
      'ExecutionParameters',
    );
    expect(athena).toHaveReceivedCommandTimes(GetQueryExecutionCommand, 5);
    expect(time.waits).toEqual([100, 200, 400, 400]);
    expect(athena).toHaveReceivedCommandWith(GetQueryResultsCommand, {
      QueryExecutionId: QUERY_ID,
      MaxResults: 1000,
    });
    expect(result).toEqual({
      columns: ['eventname', 'errorcode'],
      rows: [
        { eventname: 'ConsoleLogin', errorcode: null },
        { eventname: 'GetObject', errorcode: 'AccessDenied' },
      ],
      rowCount: 2,
      truncated: false,
      stats: { durationMs: 1100, bytesScanned: 123_456, queryId: QUERY_ID },
    });
  });

  it('leaves the query context out when the engine has no database', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page(['n'], [['1']], { header: true }));

    await engine({ database: undefined }).engine.run('SELECT 1 AS n');

    const input = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('QueryExecutionContext');
    expect(input).not.toHaveProperty('ResultConfiguration');
  });

  it('follows NextToken across pages and skips the header row only on the first page', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(page(['eventid'], [['e1'], ['e2']], { header: true, next: 'token-1' }))
      .resolvesOnce(page(['eventid'], [['eventid'], ['e4']], { next: 'token-2' }))
      .resolvesOnce(page(['eventid'], [['e5']]));

    const result = await engine().engine.run('SELECT eventid FROM cloudtrail');

    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 3);
    expect(athena).toHaveReceivedNthCommandWith(GetQueryResultsCommand, 2, { NextToken: 'token-1' });
    expect(athena).toHaveReceivedNthCommandWith(GetQueryResultsCommand, 3, { NextToken: 'token-2' });
    // A data value equal to the column name on a later page is a row, not a header.
    expect(result.rows).toEqual([
      { eventid: 'e1' },
      { eventid: 'e2' },
      { eventid: 'eventid' },
      { eventid: 'e4' },
      { eventid: 'e5' },
    ]);
    expect(result.rowCount).toBe(5);
  });

  it('keeps the first row of a utility statement, which has no header', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', { statementType: 'UTILITY' }));
    athena.on(GetQueryResultsCommand).resolves(page(['tab_name'], [['cloudtrail'], ['cloudtrail_0']]));

    const result = await engine().engine.run('SHOW TABLES');

    expect(result.rows).toEqual([{ tab_name: 'cloudtrail' }, { tab_name: 'cloudtrail_0' }]);
  });

  it('keeps maxRows rows and, without runtime statistics, counts every page; the result is truncated', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(page(['n'], [['1'], ['2']], { header: true, next: 'more' }))
      .resolvesOnce(page(['n'], [['3'], ['4'], ['5']]));

    const result = await engine().engine.run('SELECT n FROM t', { maxRows: 3 });

    expect(result.rows).toEqual([{ n: '1' }, { n: '2' }, { n: '3' }]);
    expect(result.rowCount).toBe(5);
    expect(result.truncated).toBe(true);
  });

  it('stops paging once it holds maxRows and takes the count from the query runtime statistics', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(page(['n'], [['1'], ['2'], ['3']], { header: true, next: 'page-2' }))
      .rejects(new Error('no further page should be read'));
    athena.on(GetQueryRuntimeStatisticsCommand).resolves({
      QueryRuntimeStatistics: {
        Rows: {
          InputRows: 9_000_000,
          InputBytes: 1_000_000_000,
          OutputRows: 250_000,
          OutputBytes: 9_000_000,
        },
      },
    });

    const result = await engine().engine.run('SELECT n FROM t', { maxRows: 3 });

    expect(result.rows).toEqual([{ n: '1' }, { n: '2' }, { n: '3' }]);
    expect(result.rowCount).toBe(250_000);
    expect(result.truncated).toBe(true);
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 1);
  });

  it('binds parameters as quoted literals, so a hostile string stays one value', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page(['eventname'], [], { header: true }));
    const sql =
      'SELECT eventname FROM cloudtrail WHERE useridentity.arn = ? AND cardinality(resources) > ? AND ?';

    const result = await engine().engine.run(sql, { parameters: ["x'; DROP TABLE t; --", 2, true] });

    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: sql,
      ExecutionParameters: ["'x''; DROP TABLE t; --'", '2', 'true'],
    });
    expect(result.rows).toEqual([]);
    expect(result.truncated).toBe(false);
  });

  it('refuses a parameter that is not a finite number before calling Athena', async () => {
    await expect(engine().engine.run('SELECT ?', { parameters: [Number.NaN] })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 0);
  });

  it('reports a FAILED query with Athena’s reason and error details, and reads no results', async () => {
    athena.on(GetQueryExecutionCommand).resolves(
      execution('FAILED', {
        reason:
          "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.casefile_case_1.cloudtrail' does not exist",
        athenaError: { ErrorCategory: 2, ErrorType: 1006, Retryable: false, ErrorMessage: 'TABLE_NOT_FOUND' },
      }),
    );

    const failure = engine().engine.run('SELECT * FROM cloudtrail');

    await expect(failure).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failure).rejects.toThrow(
      `Athena query ${QUERY_ID} failed: TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.casefile_case_1.cloudtrail' ` +
        'does not exist (Athena error category 2, type 1006, retryable: false)',
    );
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 0);
  });

  it('reports a CANCELLED query as cancelled', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('CANCELLED', { reason: 'Query cancelled by user' }));

    const cancelled = engine().engine.run('SELECT * FROM cloudtrail');

    await expect(cancelled).rejects.toBeInstanceOf(QueryCancelledError);
    await expect(cancelled).rejects.toThrow(
      `Athena query ${QUERY_ID} was cancelled: Query cancelled by user`,
    );
  });

  it('stops a query that outlives the timeout', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const { engine: athenaEngine, time } = engine({ timeoutMs: 1_000 });

    const timedOut = athenaEngine.run('SELECT * FROM cloudtrail');

    await expect(timedOut).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: QUERY_ID });
    // 100 + 200 + 400 leaves 300 ms; the last wait is cut to what is left, then the deadline has passed.
    expect(time.waits).toEqual([100, 200, 400, 300]);
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 0);
  });

  it('still reports the timeout when the query cannot be stopped', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena
      .on(StopQueryExecutionCommand)
      .rejects(new InvalidRequestException({ message: 'denied', $metadata: {} }));

    const timedOut = engine({ timeoutMs: 250 }).engine.run('SELECT 1');

    await expect(timedOut).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(timedOut).rejects.toThrow('stopping it failed');
  });

  it('retries calls Athena throttled or failed on its side, reusing the request token', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(
        new TooManyRequestsException({
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400 },
          Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED',
        }),
      )
      .rejectsOnce(
        new InternalServerException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } }),
      )
      .resolves({ QueryExecutionId: QUERY_ID });
    athena
      .on(GetQueryExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves(execution('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand)
      .rejectsOnce(Object.assign(new Error('Slow down'), { $metadata: { httpStatusCode: 429 } }))
      .resolves(page(['n'], [['1']], { header: true }));
    const { engine: athenaEngine, time } = engine();

    const result = await athenaEngine.run('SELECT 1 AS n');

    expect(result.rows).toEqual([{ n: '1' }]);
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 3);
    const tokens = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(time.waits).toEqual([100, 200, 100, 100]);
  });

  it('gives up with TransientServiceError when Athena keeps throttling', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(
        new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
      );
    const { engine: athenaEngine, time } = engine();

    const throttled = athenaEngine.run('SELECT 1');

    await expect(throttled).rejects.toBeInstanceOf(TransientServiceError);
    await expect(throttled).rejects.toThrow(
      'Athena StartQueryExecution was throttled or unavailable 5 times',
    );
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 5);
    expect(time.waits.slice(0, 4)).toEqual([100, 200, 400, 400]);
  });

  it('turns a statement Athena refuses up front into QueryFailedError without retrying', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(new InvalidRequestException({ message: "line 1:1: mismatched input 'SELEC'", $metadata: {} }));

    const refused = engine().engine.run('SELEC 1');

    await expect(refused).rejects.toBeInstanceOf(QueryFailedError);
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 1);
  });
});

describe('AthenaQueryEngine.execute', () => {
  it('runs a statement to completion without reading results', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('RUNNING', { statementType: 'DDL' }))
      .resolves(execution('SUCCEEDED', { statementType: 'DDL' }));

    const executed = await engine().engine.execute('CREATE DATABASE IF NOT EXISTS casefile_case_1');

    // A CTAS scans its source and is billed for it: the statement's Statistics.DataScannedInBytes is kept.
    expect(executed).toEqual({ queryId: QUERY_ID, bytesScanned: 123_456 });
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: 'CREATE DATABASE IF NOT EXISTS casefile_case_1',
    });
    expect(athena).toHaveReceivedCommandTimes(GetQueryExecutionCommand, 2);
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 0);
  });

  it('polls DDL at a steady short interval, not the doubling one of hunts', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED', { statementType: 'DDL' }))
      .resolvesOnce(execution('RUNNING', { statementType: 'DDL' }))
      .resolvesOnce(execution('RUNNING', { statementType: 'DDL' }))
      .resolvesOnce(execution('RUNNING', { statementType: 'DDL' }))
      .resolves(execution('SUCCEEDED', { statementType: 'DDL' }));
    const { engine: ddlEngine, time } = engine({ pollIntervalMs: 500, maxPollIntervalMs: 5_000 });

    await ddlEngine.execute('CREATE EXTERNAL TABLE t (a string)');

    expect(time.waits).toEqual([300, 300, 300, 300]);
  });

  // https://docs.aws.amazon.com/athena/latest/ug/service-limits.html: past the active DDL quota, TooManyRequestsException.
  it('backs off and starts again when Athena refuses a statement over the DDL quota', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Too many DDL queries', $metadata: {} }))
      .resolves({ QueryExecutionId: QUERY_ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', { statementType: 'DDL' }));
    const { engine: ddlEngine, time } = engine();

    await ddlEngine.execute('CREATE EXTERNAL TABLE t (a string)');

    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 2);
    expect(time.waits[0]).toBe(100);
  });

  it('fails the same way as run when the statement fails', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolves(execution('FAILED', { reason: 'FAILED: ParseException line 1:7' }));

    await expect(engine().engine.execute('CREATE EXTERNL TABLE t (a string)')).rejects.toThrow(
      'failed: FAILED: ParseException line 1:7',
    );
  });
});

describe('asExecutionParameter', () => {
  it.each([
    ['plain', "'plain'"],
    ["O'Brien", "'O''Brien'"],
    ["''", "''''''"],
    ['', "''"],
    [12, '12'],
    [-1.5, '-1.5'],
    [false, 'false'],
  ])('writes %j as %s', (value, literal) => {
    expect(asExecutionParameter(value)).toBe(literal);
  });
});
