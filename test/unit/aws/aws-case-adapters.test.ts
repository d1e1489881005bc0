import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routedDatabase } from '../../../shared/aws/athena-one-pass-sql.js';
import { awsCaseAdapters, caseDatabaseName } from '../../../shared/aws/aws-case-adapters.js';
import { testContext } from '../../support/fake-case-adapters.js';

const athena = mockClient(AthenaClient);
const environment = { CASE_BUCKET: 'case-bucket', ATHENA_WORKGROUP: 'casefile' };
const before = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));

describe('the AWS adapters of a case', () => {
  beforeEach(() => {
    athena.reset();
    Object.assign(process.env, environment);
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DML', Status: { State: 'SUCCEEDED' } },
    });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'varchar' }] },
        Rows: [{ Data: [{ VarCharValue: 'n' }] }],
      },
    });
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('run a routed hunt’s unchanged text in its route’s database, and any other in the case database', async () => {
    const adapters = awsCaseAdapters(testContext);
    const database = caseDatabaseName(testContext.caseId);

    await adapters.routedEngine?.('named').run('SELECT n FROM cloudtrail_events');
    await adapters.routedEngine?.('named-and-heavy').run('SELECT n FROM cloudtrail_events');
    await adapters.routedEngine?.('flagged').run('SELECT n FROM cloudtrail_events');
    await adapters.engine.run('SELECT n FROM cloudtrail_events');

    const contexts = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => [call.args[0].input.QueryString, call.args[0].input.QueryExecutionContext?.Database]);
    expect(contexts).toEqual([
      ['SELECT n FROM cloudtrail_events', routedDatabase(database, 'named')],
      ['SELECT n FROM cloudtrail_events', routedDatabase(database, 'named-and-heavy')],
      ['SELECT n FROM cloudtrail_events', routedDatabase(database, 'flagged')],
      ['SELECT n FROM cloudtrail_events', database],
    ]);
  });

  it('have no routed engine before a case exists (the DDL of a new case)', () => {
    expect(awsCaseAdapters().routedEngine).toBeUndefined();
  });
});
