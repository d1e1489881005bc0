import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../../shared/local/adapters/duckdb-query-engine.js';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import {
  CLOUDTRAIL_EVENTS_COLUMNS,
  cloudtrailEventsViewSql,
} from '../../../shared/sources/cloudtrail-view.js';
import { withBuiltFolder } from '../../support/source-harness.js';

const { Parser } = pkg;

const call = (eventID: string, fields: Record<string, unknown>) => ({
  eventVersion: '1.09',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', principalId: 'AIDAEXAMPLE' },
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateUser',
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.10',
  eventID,
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
  ...fields,
});

const records = [
  call('succeeded', {}),
  call('denied', { errorCode: 'AccessDenied', errorMessage: 'not authorized' }),
  call('console-login-failed', {
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    responseElements: { ConsoleLogin: 'Failure' },
    errorMessage: 'Failed authentication',
  }),
  call('console-login-succeeded', {
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    responseElements: { ConsoleLogin: 'Success' },
  }),
  call('switch-role-failed', {
    eventSource: 'signin.amazonaws.com',
    eventName: 'SwitchRole',
    responseElements: { SwitchRole: 'Failure' },
  }),
  call('check-mfa-failed', {
    eventSource: 'signin.amazonaws.com',
    eventName: 'CheckMfa',
    responseElements: { CheckMfa: 'Failure' },
  }),
  call('members-none-removed', {
    eventSource: 'guardduty.amazonaws.com',
    eventName: 'DeleteMembers',
    requestParameters: { detectorId: 'd1', accountIds: ['444455556666'] },
    responseElements: { unprocessedAccounts: [{ accountId: '444455556666', result: 'not a member' }] },
  }),
  call('members-some-removed', {
    eventSource: 'guardduty.amazonaws.com',
    eventName: 'DeleteMembers',
    requestParameters: { detectorId: 'd1', accountIds: ['444455556666', '777788889999'] },
    responseElements: { unprocessedAccounts: [{ accountId: '444455556666', result: 'not a member' }] },
  }),
  call('security-hub-members-none-removed', {
    eventSource: 'securityhub.amazonaws.com',
    eventName: 'DisassociateMembers',
    requestParameters: { AccountIds: ['444455556666'] },
    responseElements: {
      UnprocessedAccounts: [{ AccountId: '444455556666', ProcessingResult: 'not a member' }],
    },
  }),
  call('service-principal', {
    userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
  }),
  call('invoked-by-cloudformation', {
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/deploy/AWSCloudFormation',
      invokedBy: 'cloudformation.amazonaws.com',
    },
  }),
  call('service-linked-role', {
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/session',
    },
  }),
  call('service-linked-role-by-path', {
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AmazonEKSNodegroupRole/session',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: 'arn:aws:iam::111122223333:role/aws-service-role/eks-nodegroup.amazonaws.com/AmazonEKSNodegroupRole',
        },
      },
    },
  }),
  call('identity-center-user', {
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/bob',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef',
        },
      },
    },
  }),
  call('no-arn', {
    userIdentity: { type: 'AWSAccount', principalId: 'AIDAOTHERACCOUNT', accountId: '444455556666' },
  }),
];

describe('cloudtrail_events: actor, by_aws_service and outcome written once', () => {
  let engine: DuckDbQueryEngine;
  let dir: string;
  let rows: Record<string, string | null>[];

  beforeAll(async () => {
    engine = await DuckDbQueryEngine.open({ threads: 1 });
    dir = await mkdtemp(join(tmpdir(), 'casefile-cloudtrail-view-'));
    await loadTestRecords(engine, dir, records);
    rows = (await engine.run('SELECT eventid, actor, by_aws_service, outcome FROM cloudtrail_events')).rows;
  });

  afterAll(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  const row = (id: string) => rows.find((r) => r.eventid === id);

  it('keeps every CloudTrail row and column', async () => {
    const all = await engine.run('SELECT * FROM cloudtrail_events');
    const table = await engine.run('SELECT * FROM cloudtrail');
    expect(all.rowCount).toBe(records.length);
    expect(all.columns).toEqual([...table.columns, 'actor', 'by_aws_service', 'outcome']);
  });

  it.each([
    ['succeeded', 'success'],
    ['denied', 'failure'],
    ['console-login-failed', 'failure'],
    ['console-login-succeeded', 'success'],
    ['switch-role-failed', 'failure'],
    ['check-mfa-failed', 'failure'],
    ['members-none-removed', 'failure'],
    ['members-some-removed', 'success'],
    ['security-hub-members-none-removed', 'failure'],
  ])('%s: outcome %s', (id, outcome) => {
    expect(row(id)?.outcome).toBe(outcome);
  });

  it.each([
    ['service-principal', 'true'],
    ['invoked-by-cloudformation', 'true'],
    ['service-linked-role', 'true'],
    ['service-linked-role-by-path', 'true'],
    ['identity-center-user', 'false'],
    ['succeeded', 'false'],
  ])('%s: by_aws_service %s', (id, expected) => {
    expect(String(row(id)?.by_aws_service)).toBe(expected);
  });

  it('names the actor by ARN, or by principal id where there is no ARN', () => {
    expect(row('succeeded')?.actor).toBe('arn:aws:iam::111122223333:user/alice');
    expect(row('no-arn')?.actor).toBe('AIDAOTHERACCOUNT');
  });

  it('is one statement Athena (Trino) parses, qualified by the database there', () => {
    const sql = cloudtrailEventsViewSql((name) => `"case_db"."${name}"`);
    expect(sql).toContain('CREATE OR REPLACE VIEW "case_db"."cloudtrail_events" AS');
    expect(sql).toContain('FROM "case_db"."cloudtrail"');
    const select = sql.slice(sql.indexOf('SELECT'));
    expect(() => new Parser().astify(select, { database: 'trino' })).not.toThrow();
  });
});

describe('cloudtrail_events of a local case: the judgements stored with the events', () => {
  const judgementsSql =
    'SELECT eventid, actor, by_aws_service, outcome FROM cloudtrail_events ORDER BY eventid';
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'casefile-cloudtrail-stored-'));
    await mkdir(join(dir, 'logs'));
    await mkdir(join(dir, 'view'));
    await writeFile(join(dir, 'logs', 'trail.json'), JSON.stringify({ Records: records }));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives every event the judgements the shared view gives it', async () => {
    const engine = await DuckDbQueryEngine.open({ threads: 1 });
    try {
      await loadTestRecords(engine, join(dir, 'view'), records);
      const throughView = (await engine.run(judgementsSql)).rows;
      const stored = await withBuiltFolder(
        join(dir, 'logs'),
        async (built) => (await built.engine.run(judgementsSql)).rows,
      );
      expect(stored).toHaveLength(records.length);
      expect(stored).toEqual(throughView);
    } finally {
      engine.close();
    }
  });

  it('gives cloudtrail_activity every event and every column of cloudtrail_events but the record ids', async () => {
    await withBuiltFolder(join(dir, 'logs'), async (built) => {
      const events = await built.engine.run('SELECT * FROM cloudtrail_events LIMIT 0');
      const activity = await built.engine.run('SELECT * FROM cloudtrail_activity LIMIT 0');
      expect(activity.columns).toEqual(
        events.columns.filter((c) => !['eventid', 'requestid', 'sharedeventid'].includes(c)),
      );
      const count = async (view: string) =>
        Number((await built.engine.run(`SELECT count(*) AS n FROM ${view}`)).rows[0]?.n);
      expect(await count('cloudtrail_activity')).toBe(records.length);
    });
  });

  it("keeps them out of the cloudtrail table, which has the columns Athena's has", async () => {
    await withBuiltFolder(join(dir, 'logs'), async (built) => {
      const table = await built.engine.run('SELECT * FROM cloudtrail LIMIT 0');
      const events = await built.engine.run('SELECT * FROM cloudtrail_events LIMIT 0');
      const judgements = CLOUDTRAIL_EVENTS_COLUMNS.map((c) => c.name);
      expect(table.columns.filter((c) => judgements.includes(c))).toEqual([]);
      expect(events.columns).toEqual([...table.columns, ...judgements]);
    });
  });
});
