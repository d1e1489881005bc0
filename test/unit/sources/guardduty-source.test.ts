import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../shared/errors.js';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import { guarddutyColumns, guarddutySource } from '../../../shared/sources/guardduty-source.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
import {
  athenaColumns,
  athenaStatements,
  duckdbColumns,
  duckdbSelectColumns,
  itRefuses,
  parseViewQuery,
  quarantinedByName,
  skippedByName,
  useBuiltFolder,
  useScratch,
  withBuiltFolder,
} from '../../support/source-harness.js';

const fixtures = fileURLToPath(new URL('../../fixtures/guardduty/', import.meta.url));
const day = join(fixtures, 'AWSLogs/111122223333/GuardDuty/us-east-1/2024/05/01/');
const findings = join(day, '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.jsonl');
const update = join(day, '1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e.jsonl');

describe('recognising GuardDuty findings by content', () => {
  it('reads an exported findings file as GuardDuty', () => {
    expect(classifyLogFile(readFileSync(findings, 'utf8'))).toEqual({
      kind: 'log',
      source: 'guardduty',
      layout: 'json-lines',
    });
  });

  itRefuses(guarddutySource, 'does not take %s for an exported finding', [
    [
      'a Security Hub finding',
      '{"SchemaVersion":"2018-10-08","Id":"arn:aws:securityhub:us-east-1:1:x","ProductArn":"arn:aws:securityhub"}',
    ],
    [
      'an EventBridge event around a finding',
      '{"version":"0","id":"x","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{}}',
    ],
    ['a CSV summary of findings', 'Finding ID,Type,Severity\n'],
    [
      'a CloudTrail record about GuardDuty',
      '{"eventVersion":"1.08","eventSource":"guardduty.amazonaws.com","eventName":"ArchiveFindings"}',
    ],
  ]);
});

describe('the GuardDuty table in DuckDB', () => {
  const scratch = useScratch();

  it('reads findings into typed columns, lower-case like Athena, with varying objects as JSON text', async () => {
    const { engine, dir } = scratch;
    const gzipped = join(dir, 'findings.jsonl.gz');
    await writeFile(gzipped, gzipSync(readFileSync(findings)));
    await engine.execute(
      `CREATE OR REPLACE TABLE guardduty AS ${guarddutySource.duckdbSelect([gzipped], 'json-lines', true)} UNION ALL ${guarddutySource.duckdbSelect([update], 'json-lines', false)}`,
    );
    expect((await duckdbColumns(engine, 'guardduty')).map((c) => c.name)).toEqual(
      guarddutyColumns.map((c) => c.name),
    );
    const { rows } = await engine.run(
      `SELECT id, type, severity, service.count AS count, service.archived AS archived, service.eventlastseen AS last_seen,
              json_extract_scalar(resource, '$.resourceType') AS resource_type,
              json_extract_scalar(service.action, '$.awsApiCallAction.remoteIpDetails.ipAddressV4') AS remote_ip
       FROM guardduty ORDER BY createdat, updatedat`,
    );
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({
      id: 'c4e9f3a0b5d16e7f8091a2b3c4d5e6f7',
      type: 'Recon:EC2/PortProbeUnprotectedPort',
      severity: '2',
      count: '40',
      archived: 'false',
      last_seen: '2024-05-01T12:00:00.000Z',
      resource_type: 'Instance',
      remote_ip: null,
    });
    const exfiltration = rows.filter((r) => r.id === 'a2c7d1e8f3b94c5d6e7f8091a2b3c4d5');
    expect(exfiltration.map((r) => [r.count, r.remote_ip])).toEqual([
      ['1', '203.0.113.77'],
      ['9', '203.0.113.77'],
    ]);
    const types = await engine.run(
      'SELECT typeof(severity) AS severity, typeof(service) AS service FROM guardduty LIMIT 1',
    );
    expect(types.rows[0]?.severity).toBe('DOUBLE');
    expect(types.rows[0]?.service).toMatch(
      /^STRUCT\(servicename VARCHAR, detectorid VARCHAR, .*count INTEGER\)$/,
    );
  });
});

describe('GuardDuty findings through the table builder', () => {
  const built = useBuiltFolder(fixtures);

  it('loads the export, sets aside a cut-off finding and skips the unreadable files', () => {
    expect(built.tables.tables).toMatchObject([
      {
        source: 'guardduty',
        recordCount: 6,
        firstEventTime: '2024-05-01T10:40:12.000Z',
        lastEventTime: '2024-05-01T13:02:41.000Z',
      },
    ]);
    expect(skippedByName(built)).toEqual({
      '2a3b4c5d-corrupt.jsonl.gz': expect.stringMatching(/^inventory: corrupt gzip: gzip data damaged/),
      'findings-summary.csv': expect.stringMatching(/^inventory: unknown format/),
    });
    expect(quarantinedByName(built)).toEqual({
      'truncated-findings.jsonl line 2': expect.stringMatching(/^not valid JSON: Unterminated string/),
    });
  });

  it('dates a finding by when its activity was last seen, for the window', async () => {
    const window = { from: '2024-05-01T11:00:00.000Z', to: '2024-05-01T12:30:00.000Z' };
    await withBuiltFolder(
      day,
      async (windowed) => {
        const { rows } = await windowed.engine.run('SELECT type FROM guardduty ORDER BY type');
        expect(rows.map((r) => r.type)).toEqual([
          'CryptoCurrency:EC2/BitcoinTool.B!DNS',
          'Recon:EC2/PortProbeUnprotectedPort',
          'Stealth:IAMUser/CloudTrailLoggingDisabled',
        ]);
      },
      window,
    );
  });
});

describe('the GuardDuty table in Athena', () => {
  const location: AthenaLocation = {
    s3Uri: 's3://guardduty-export-111122223333/',
    accounts: ['111122223333', '444455556666'],
    regions: ['us-east-1', 'eu-west-1'],
    window: { from: '2024-05-01T10:00:00.000Z', to: '2024-05-03T18:30:00.000Z' },
  };
  const ddl = (where: AthenaLocation = location) =>
    guarddutySource.athenaCreateTable?.('casefile_case_1.guardduty', where) ?? '';

  it('gives the view exactly the columns and types of the DuckDB table', async () => {
    expect(athenaColumns(ddl())).toEqual(
      await duckdbSelectColumns(guarddutySource.duckdbSelect([findings], 'json-lines', false)),
    );
  });

  it('projects the export layout over accounts, regions and the widened window', () => {
    const [drop, table, view] = athenaStatements(ddl());
    expect(drop).toBe('DROP TABLE IF EXISTS `casefile_case_1`.`guardduty_raw`');
    // https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html: non-deterministic for some inputs.
    expect(table).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'");
    expect(table).not.toContain('JsonSerDe');
    expect(table).toContain(
      'PARTITIONED BY (`delivery_account` string, `delivery_region` string, `delivery_day` string)',
    );
    expect(table).toContain("LOCATION 's3://guardduty-export-111122223333/AWSLogs/'");
    expect(table).toContain("'projection.delivery_account.values'='111122223333,444455556666'");
    expect(table).toContain("'projection.delivery_region.values'='eu-west-1,us-east-1'");
    expect(table).toContain("'projection.delivery_day.range'='2024/04/30,2024/05/04'");
    expect(table).toContain(
      `'storage.location.template'='s3://guardduty-export-111122223333/AWSLogs/\${delivery_account}/GuardDuty/\${delivery_region}/\${delivery_day}/'`,
    );
    expect(table).toContain('`message` string');
    expect(view).toContain("CAST(CASE WHEN json_extract(message, '$.service') IS NULL THEN NULL ELSE ROW(");
    // A damaged line parses to nothing in Athena rather than failing a hunt; the view leaves it out.
    expect(view).toMatch(/\nWHERE json_extract\(try\(json_parse\(message\)\), '\$\.id'\) IS NOT NULL$/);
    expect(view).not.toContain('delivery_');
    expect(() => parseViewQuery(view as string)).not.toThrow();
  });

  it('refuses a location without accounts to project', () => {
    expect(() => ddl({ ...location, accounts: [] })).toThrow(InvalidRequestError);
  });
});
