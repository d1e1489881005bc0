import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import { eksAuditColumnNames, eksAuditSource } from '../../../shared/sources/eks-audit-source.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
import {
  athenaColumns,
  athenaStatements,
  duckdbColumns,
  duckdbSelectColumns,
  itRefuses,
  quarantinedByName,
  skippedByName,
  useBuiltFolder,
  useScratch,
} from '../../support/source-harness.js';

const fixtures = fileURLToPath(new URL('../../fixtures/eksaudit/', import.meta.url));
const jsonLines = join(fixtures, 'audit-events.jsonl');
const exported = join(
  fixtures,
  'cloudwatch-export/6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9/kube-apiserver-audit-5c1e8f2a9b7d4e3f/000000',
);

describe('recognising EKS audit logs by content', () => {
  it('reads plain JSON lines and CloudWatch Logs export lines as two layouts', () => {
    expect(classifyLogFile(readFileSync(jsonLines, 'utf8'))).toEqual({
      kind: 'log',
      source: 'eksaudit',
      layout: 'json-lines',
    });
    expect(classifyLogFile(readFileSync(exported, 'utf8'))).toEqual({
      kind: 'log',
      source: 'eksaudit',
      layout: 'cloudwatch-export',
    });
  });

  itRefuses(eksAuditSource, 'does not take %s for an audit log', [
    ['a kube-scheduler log line', 'I0501 12:00:00.000000 10 schedule_one.go:252] "Successfully bound pod"'],
    ['an older audit API version', '{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","level":"Metadata"}'],
    ['a Kubernetes event object', '{"kind":"Event","apiVersion":"v1","metadata":{"name":"web.17c"}}'],
    [
      'an export line of another stream',
      '2024-05-01T11:00:00.000Z time="2024-05-01T11:00:00Z" level=info msg="access granted"',
    ],
    [
      'a CloudTrail record',
      '{"eventVersion":"1.08","eventSource":"eks.amazonaws.com","eventName":"DescribeCluster"}',
    ],
  ]);
});

describe('the EKS audit table in DuckDB', () => {
  const scratch = useScratch();

  it('reads plain JSON lines into typed columns, with varying objects as JSON text', async () => {
    const { engine } = scratch;
    await engine.execute(
      `CREATE OR REPLACE TABLE eksaudit AS ${eksAuditSource.duckdbSelect([jsonLines], 'json-lines', false)}`,
    );
    expect((await duckdbColumns(engine, 'eksaudit')).map((c) => c.name)).toEqual(eksAuditColumnNames);
    const { rows } = await engine.run(
      `SELECT auditid, verb, "user".username AS username, array_join("user".groups, ',') AS user_groups,
              json_extract_scalar("user".extra, '$.arn[0]') AS iam_arn, array_join(sourceips, ',') AS sourceips, objectref.subresource AS subresource,
              objectref.apigroup AS api_group, responsestatus.code AS code, authorization_decision,
              json_extract_scalar(requestobject, '$.roleRef.name') AS role, requestreceivedtimestamp
       FROM eksaudit ORDER BY requestreceivedtimestamp`,
    );
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({
      auditid: '8c9a1f3e-0001-4b2a-9e1d-000000000002',
      verb: 'create',
      username: 'kubernetes-admin',
      user_groups: 'system:masters,system:authenticated',
      iam_arn: 'arn:aws:iam::111122223333:user/alice',
      sourceips: '198.51.100.7',
      subresource: 'exec',
      api_group: null,
      code: '101',
      authorization_decision: 'allow',
      role: null,
      requestreceivedtimestamp: '2024-05-01T10:20:00.123456Z',
    });
    expect(rows[2]).toMatchObject({ username: 'system:anonymous', iam_arn: null, subresource: null });
    expect(rows[3]).toMatchObject({
      api_group: 'rbac.authorization.k8s.io',
      code: '201',
      role: 'cluster-admin',
    });
  });

  it('reads the CloudWatch Logs export layout, gzip or not, to the same columns', async () => {
    const { engine, dir } = scratch;
    const gzipped = join(dir, '000000.gz');
    await writeFile(gzipped, gzipSync(readFileSync(exported)));
    for (const [path, compressed] of [
      [exported, false],
      [gzipped, true],
    ] as const) {
      await engine.execute(
        `CREATE OR REPLACE TABLE eksaudit AS ${eksAuditSource.duckdbSelect([path], 'cloudwatch-export', compressed)}`,
      );
      const { rows } = await engine.run(
        'SELECT verb, objectref.resource AS resource, "user".username AS username, authorization_decision FROM eksaudit ORDER BY requestreceivedtimestamp',
      );
      expect(rows).toEqual([
        { verb: 'list', resource: 'secrets', username: 'kubernetes-admin', authorization_decision: 'allow' },
        {
          verb: 'get',
          resource: 'secrets',
          username: 'system:serviceaccount:payments:api',
          authorization_decision: 'forbid',
        },
      ]);
    }
  });
});

describe('EKS audit logs through the table builder', () => {
  const built = useBuiltFolder(fixtures);
  const scratch = useScratch();

  it('loads both layouts into one table, sets aside a cut-off event and skips the unreadable files', () => {
    expect(built.tables.tables).toMatchObject([
      {
        source: 'eksaudit',
        recordCount: 7,
        firstEventTime: '2024-05-01T10:00:00.100Z',
        // The complete event before the cut-off one in truncated-audit.jsonl.
        lastEventTime: '2024-05-01T12:00:00.000Z',
      },
    ]);
    expect(skippedByName(built)).toEqual({
      'audit-events-corrupt.jsonl.gz': expect.stringMatching(/^inventory: corrupt gzip: gzip data damaged/),
      'kube-scheduler.txt': expect.stringMatching(/^inventory: unknown format/),
    });
    expect(quarantinedByName(built)).toEqual({
      'truncated-audit.jsonl line 2': 'not valid JSON: Unexpected end of JSON input',
    });
  });

  it('refuses a file whose lines parse as JSON but are no audit events', async () => {
    const { engine, dir } = scratch;
    const path = join(dir, 'mixed.jsonl');
    const event = readFileSync(jsonLines, 'utf8').split('\n')[0];
    await writeFile(path, `${event}\n{"kind":"Status","apiVersion":"v1","code":500}\n`);
    await expect(engine.run(eksAuditSource.duckdbSelect([path], 'json-lines', false))).rejects.toThrow(
      /not a Kubernetes audit event: \{"kind":"Status"/,
    );
  });
});

describe('the EKS audit table in Athena', () => {
  const location: AthenaLocation = {
    s3Uri: 's3://central-logs/eks-exports/prod-cluster/',
    accounts: ['111122223333'],
    regions: ['eu-west-1'],
    window: { from: '2024-05-01T10:00:00.000Z', to: '2024-05-03T18:30:00.000Z' },
  };
  const ddl = () => eksAuditSource.athenaCreateTable?.('casefile_case_1.eksaudit', location) ?? '';

  it('gives the view exactly the columns and types of the DuckDB table', async () => {
    expect(athenaColumns(ddl())).toEqual(
      await duckdbSelectColumns(eksAuditSource.duckdbSelect([jsonLines], 'json-lines', false)),
    );
  });

  it('splits the optional export time from the event with RegexSerDe and reads the whole prefix', () => {
    const [drop, table, view] = athenaStatements(ddl());
    expect(drop).toBe('DROP TABLE IF EXISTS `casefile_case_1`.`eksaudit_raw`');
    expect(table).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'");
    expect(table).toContain("'input.regex'='^(?:(\\\\d{4}-\\\\d{2}-\\\\d{2}T\\\\S+) )?(\\\\{.*)$'");
    expect(table).toContain("LOCATION 's3://central-logs/eks-exports/prod-cluster/'");
    expect(table).not.toContain('projection');
    expect(view).toContain(
      `CAST(json_extract_scalar(message, '$.annotations["authorization.k8s.io/decision"]') AS varchar) AS "authorization_decision"`,
    );
    expect(view).toContain(
      `try(CAST(json_extract(message, '$.sourceIPs') AS array(varchar))) AS "sourceips"`,
    );
    expect(view).toContain("WHERE json_extract_scalar(message, '$.kind') = 'Event'");
  });

  it('the RegexSerDe expression separates both layouts the way DuckDB reads them', () => {
    const regex = /^(?:(\d{4}-\d{2}-\d{2}T\S+) )?(\{.*)$/;
    const plainLine = readFileSync(jsonLines, 'utf8').split('\n')[0] as string;
    const exportLine = readFileSync(exported, 'utf8').split('\n')[0] as string;
    expect(regex.exec(plainLine)?.slice(1)).toEqual([undefined, plainLine]);
    expect(regex.exec(exportLine)?.slice(1)).toEqual(['2024-05-01T11:00:00.000Z', exportLine.slice(25)]);
    expect(regex.exec('Permission Check Successful')).toBeNull();
  });
});
