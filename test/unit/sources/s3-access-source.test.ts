import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../shared/errors.js';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
import {
  S3_ACCESS_LOG_LINE,
  s3AccessColumns,
  s3AccessProjection,
  s3AccessSource,
} from '../../../shared/sources/s3-access-source.js';
import { sqlString } from '../../../shared/sources/source-sql.js';
import { fixtureData } from '../../support/fixture-data.js';
import {
  athenaColumns,
  athenaStatements,
  declaredColumns,
  duckdbColumns,
  duckdbSelectColumns,
  itRefuses,
  parseViewQuery,
  skippedFiles,
  useBuiltFolder,
  useScratch,
} from '../../support/source-harness.js';

/**
 * The five documentation lines are from the Amazon S3 User Guide (awsdocs/amazon-s3-userguide,
 * LogFormat.md), licensed CC BY-SA 4.0; copied unchanged into test/fixtures/aws-docs-examples.
 */
const docsSample = fixtureData('aws-docs-examples/s3-server-access/s3-server-access_doc-examples.log');
const fixtures = fileURLToPath(new URL('../../fixtures/s3access/', import.meta.url));
const flatFixture = join(fixtures, 'access-logs/2024-05-01-10-15-00-6E3A9F1C2B4D5E6F');

const WINDOW = { from: '2024-05-01T10:00:00.000Z', to: '2024-05-03T18:30:00.000Z' };

describe('recognising S3 server access logs by content', () => {
  it('reads the documentation sample and the fixtures as S3 access logs', () => {
    for (const path of [docsSample, flatFixture]) {
      expect(classifyLogFile(readFileSync(path, 'utf8'))).toEqual({
        kind: 'log',
        source: 's3access',
        layout: 'access-log-lines',
      });
    }
  });

  it.each([
    ['a line that ends after the version id (before 2017)', 18],
    ['a line that ends after the TLS version', 24],
  ])('accepts %s', (_name, fieldCount) => {
    const line = readFileSync(docsSample, 'utf8').split('\n')[0] as string;
    const cut = line
      .split(' ')
      .slice(0, fieldCount + 2)
      .join(' ');
    expect(s3AccessSource.detect(cut)).toBe('access-log-lines');
  });

  itRefuses(s3AccessSource, 'does not take %s for an access log', [
    [
      'a CloudTrail record',
      '{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject"}',
    ],
    [
      'an ALB access log line',
      'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80',
    ],
    [
      'a line cut before the user agent',
      '79a59df9 bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57 REST.GET.OBJECT k "GET /k HTTP/1.1" 200',
    ],
    [
      'a time that is not UTC',
      '79a59df9 b [06/Feb/2019:00:00:38 +0100] 192.0.2.3 - 3E57 REST.GET.OBJECT k "GET /k HTTP/1.1" 200 - 1 1 1 1 "-" "ua" -',
    ],
  ]);
});

describe('the S3 access log table in DuckDB', () => {
  const scratch = useScratch();

  it('reads the documentation sample into typed columns, with "-" as NULL', async () => {
    const { engine } = scratch;
    await engine.execute(
      `CREATE OR REPLACE TABLE s3access AS ${s3AccessSource.duckdbSelect([docsSample], 'access-log-lines', false)}`,
    );
    const { rows } = await engine.run(
      'SELECT request_time, operation, key, http_status, error_code, bytes_sent, object_size, turn_around_time, referrer, user_agent, access_point_arn, acl_required FROM s3access ORDER BY request_time, request_id',
    );
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({
      request_time: '2019-02-06T00:00:38Z',
      operation: 'REST.GET.VERSIONING',
      key: null,
      http_status: '200',
      error_code: null,
      bytes_sent: '113',
      object_size: null,
      turn_around_time: null,
      referrer: null,
      user_agent: 'S3Console/0.4',
      access_point_arn: 'arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP',
      acl_required: 'Yes',
    });
    expect(rows.find((r) => r.http_status === '404')).toMatchObject({ error_code: 'NoSuchBucketPolicy' });
    expect(rows.at(-1)).toMatchObject({
      operation: 'REST.PUT.OBJECT',
      key: 's3-dg.pdf',
      object_size: '4406583',
    });
    expect(await duckdbColumns(engine, 's3access')).toEqual(declaredColumns(s3AccessColumns));
  });

  it('reads older and shorter lines, leaving the fields they lack NULL', async () => {
    const { engine } = scratch;
    await engine.execute(
      `CREATE OR REPLACE TABLE s3access AS ${s3AccessSource.duckdbSelect([flatFixture], 'access-log-lines', false)}`,
    );
    const { rows } = await engine.run(
      "SELECT request_id, requester, remote_ip, version_id, host_id, signature_version, tls_version, user_agent FROM s3access WHERE request_id IN ('7B4A0FABBEXAMPLE', 'DD6CC733AEXAMPLE', '891CE47D2EXAMPLE') ORDER BY request_id",
    );
    expect(rows).toEqual([
      {
        request_id: '7B4A0FABBEXAMPLE',
        requester: 'arn:aws:iam::111122223333:user/alice',
        remote_ip: '198.51.100.7',
        version_id: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
        host_id: null,
        signature_version: null,
        tls_version: null,
        user_agent: 'aws-sdk-java/1.11.0',
      },
      {
        request_id: '891CE47D2EXAMPLE',
        requester: null,
        remote_ip: '203.0.113.50',
        version_id: null,
        host_id: 'ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210+/ZyXwVuTsRqPoNmLkJiHgFeDcBa98765=',
        signature_version: null,
        tls_version: null,
        user_agent:
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
      },
      {
        request_id: 'DD6CC733AEXAMPLE',
        requester: 'arn:aws:iam::111122223333:user/alice',
        remote_ip: '198.51.100.7',
        version_id: null,
        host_id: '10S62Zv81kBW7BB6SX4XJ48o6kpcl6LPwEoizZQQxJd5qDSCTLX0TgS37kYUBKQW3+bPdrg1234=',
        signature_version: 'SigV4',
        tls_version: 'TLSv1.2',
        user_agent: 'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8',
      },
    ]);
  });

  it('computes in the Athena view exactly what the DuckDB reader computes, given RegexSerDe groups', async () => {
    const { engine } = scratch;
    // RegexSerDe hands the view one text column per group, NULL where an optional group did not take part.
    const names = ['bucket_owner', 'bucket', 'time', ...s3AccessColumns.slice(3).map((c) => c.name)];
    const matcher = new RegExp(S3_ACCESS_LOG_LINE);
    const raw = [docsSample, flatFixture].flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (matcher.exec(line) ?? []).slice(1)),
    );
    const values = raw.map(
      (groups) => `(${groups.map((g) => (g === undefined ? 'NULL' : sqlString(g))).join(', ')})`,
    );
    await engine.execute(
      `CREATE OR REPLACE TABLE s3access_raw AS SELECT * FROM (VALUES ${values.join(', ')}) AS t(${names.map((n) => `"${n}"`).join(', ')})`,
    );
    const viaView = await engine.run(
      `SELECT ${s3AccessProjection} FROM s3access_raw ORDER BY request_time, request_id`,
    );
    await engine.execute(
      `CREATE OR REPLACE TABLE s3access AS ${s3AccessSource.duckdbSelect([docsSample, flatFixture], 'access-log-lines', false)}`,
    );
    const viaReader = await engine.run('SELECT * FROM s3access ORDER BY request_time, request_id');
    expect(viaView.rows).toHaveLength(10);
    expect(viaView.rows).toEqual(viaReader.rows);
  });
});

describe('S3 access logs through the table builder', () => {
  const built = useBuiltFolder(fixtures);

  it('loads the flat and date-partitioned files, sets aside a cut-off line and skips the unreadable files', async () => {
    expect(built.tables.tables).toMatchObject([
      {
        source: 's3access',
        table: 's3access',
        recordCount: 8,
        firstEventTime: '2024-05-01T10:01:02.000Z',
        lastEventTime: '2024-05-01T12:00:02.000Z',
      },
    ]);
    expect(skippedFiles(built)).toEqual([
      {
        file: 'malformed/2024-05-01-11-30-00-CORRUPTGZ0000000.gz',
        stage: 'inventory',
        reason: expect.stringMatching(/^corrupt gzip: gzip data damaged/),
      },
      { file: 'malformed/notes.zip', stage: 'inventory', reason: expect.stringMatching(/unknown format/) },
    ]);
    expect(built.tables.quarantined).toEqual([
      {
        source: 's3access',
        file: expect.stringMatching(/\/malformed\/2024-05-01-11-00-00-TRUNCATED00000$/),
        position: 'line 2',
        reason: 'not an S3 server access log line',
        excerpt: expect.stringMatching(/REST\.GET\.OBJECT finance\/q3-rep$/),
      },
    ]);

    const deletes = await built.engine.run(
      "SELECT bucket, operation, http_status, request_uri, access_point_arn FROM s3access WHERE operation LIKE '%DELETE%' ORDER BY request_time",
    );
    expect(deletes.rows).toEqual([
      {
        bucket: 'app-data',
        operation: 'REST.DELETE.OBJECT',
        http_status: '204',
        request_uri: 'DELETE /builds/app-1.0.0.zip HTTP/1.1',
        access_point_arn: 'arn:aws:s3:eu-west-1:111122223333:accesspoint/app-data-ap',
      },
      {
        bucket: 'app-data',
        operation: 'BATCH.DELETE.OBJECT',
        http_status: '204',
        request_uri: null,
        access_point_arn: null,
      },
    ]);
  });
});

describe('the S3 access log table in Athena', () => {
  const flat: AthenaLocation = { s3Uri: 's3://central-logs/s3/', accounts: [], regions: [], window: WINDOW };
  const partitioned: AthenaLocation = {
    s3Uri: 's3://central-logs/s3-partitioned/',
    accounts: ['222222222222', '111111111111'],
    regions: ['eu-west-1'],
    resourceFolders: ['app-data', 'reports-bucket'],
    window: WINDOW,
  };
  const create = (location: AthenaLocation) =>
    s3AccessSource.athenaCreateTable?.('casefile_case_1.s3access', location) ?? '';

  it('gives the view exactly the columns and types of the DuckDB table', async () => {
    const expected = await duckdbSelectColumns(
      s3AccessSource.duckdbSelect([docsSample], 'access-log-lines', false),
    );
    expect(athenaColumns(create(flat))).toEqual(expected);
    expect(athenaColumns(create(partitioned))).toEqual(expected);
  });

  it('reads a flat prefix whole, with the RegexSerDe as AWS documents it, then the view', () => {
    const [drop, table, view] = athenaStatements(create(flat));
    expect(drop).toBe('DROP TABLE IF EXISTS `casefile_case_1`.`s3access_raw`');
    expect(table).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'");
    expect(table).toContain("LOCATION 's3://central-logs/s3/'");
    expect(table).not.toContain('PARTITIONED BY');
    expect(table).not.toContain('projection');
    // Hive unescapes the literal once: the expression arrives with single backslashes.
    expect(table).toContain(`'input.regex'='${S3_ACCESS_LOG_LINE.replaceAll('\\', '\\\\')}'`);
    expect(view).toMatch(/^CREATE OR REPLACE VIEW "casefile_case_1"."s3access" AS\nSELECT\n/);
    expect(view).toContain('FROM "casefile_case_1"."s3access_raw"');
    expect(() => parseViewQuery(view as string)).not.toThrow();
  });

  it('projects date-based keys over accounts, regions, source buckets and the widened window', () => {
    const table = athenaStatements(create(partitioned))[1] ?? '';
    expect(table).toContain(
      'PARTITIONED BY (`source_account` string, `source_region` string, `source_bucket` string, `delivery_day` string)',
    );
    expect(table).toContain("'projection.source_account.values'='111111111111,222222222222'");
    expect(table).toContain("'projection.source_region.values'='eu-west-1'");
    expect(table).toContain("'projection.source_bucket.type'='enum'");
    expect(table).toContain("'projection.source_bucket.values'='app-data,reports-bucket'");
    expect(table).toContain("'projection.delivery_day.range'='2024/04/30,2024/05/04'");
    expect(table).toContain(
      `'storage.location.template'='s3://central-logs/s3-partitioned/\${source_account}/\${source_region}/\${source_bucket}/\${delivery_day}/'`,
    );
  });

  it('projects only accounts and regions when the inventory listed no source buckets', () => {
    const table = athenaStatements(create({ ...partitioned, resourceFolders: [] }))[1] ?? '';
    expect(table).toContain('PARTITIONED BY (`source_account` string, `source_region` string)');
    expect(table).not.toContain('delivery_day');
  });

  it.each([
    ['a location with a quote', { ...flat, s3Uri: "s3://central-logs/it's/" }],
    ['a bucket folder with a quote', { ...partitioned, resourceFolders: ["x'y"] }],
    ['an account that is not one', { ...partitioned, accounts: ['1234'] }],
  ])('refuses %s', (_name, location) => {
    expect(() => create(location)).toThrow(InvalidRequestError);
  });

  it('refuses a table name that could break out of the DDL', () => {
    expect(() => s3AccessSource.athenaCreateTable?.('s3access`; DROP', flat)).toThrow(InvalidRequestError);
  });
});
