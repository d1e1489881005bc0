/** The fixtures in test/fixtures/cloudwatch-exports are written for these tests (see their README). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { LogSourceId } from '../../../shared/domain/log-sources.js';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
import { logSourceModule } from '../../../shared/sources/registry.js';
import {
  athenaColumns,
  athenaStatements,
  duckdbColumns,
  recordCounts,
  skippedByName,
  skippedFiles,
  useBuiltFolder,
} from '../../support/source-harness.js';

const fixtures = fileURLToPath(new URL('../../fixtures/cloudwatch-exports/', import.meta.url));

/** Each exported group, the source its messages are, and one of its stream files. */
const groups: { folder: string; source: LogSourceId; stream: string; records: number }[] = [
  {
    folder: 'vpc-flow-logs-prod',
    source: 'vpcflow',
    stream: '4f6c2a1e-3b5d-4c7e-9a8f-0b1c2d3e4f50/eni-0a1b2c3d4e5f60002-all/000000.gz',
    records: 4,
  },
  {
    folder: 'aws-route53-resolver-prod',
    source: 'route53resolver',
    stream:
      '8a2b4c6d-1e3f-4a5b-8c7d-9e0f1a2b3c4d/vpc-0f1e2d3c4b5a69788_vpc-0f1e2d3c4b5a69788_7f21d6e0b4a8/000000',
    records: 3,
  },
  {
    folder: 'aws-waf-logs-shop-prod',
    source: 'waf',
    stream: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f/us-east-1_shop-prod_1/000000.gz',
    records: 2,
  },
];

function text(path: string): string {
  const raw = readFileSync(path);
  return (raw[0] === 0x1f ? gunzipSync(raw) : raw).toString('utf8');
}

function exportLocation(folder: string): AthenaLocation {
  return {
    s3Uri: `s3://casefile-cases-111122223333/cases/IR-2024-017/exports/${folder}/`,
    accounts: [],
    regions: [],
    window: { from: '2024-05-01T10:00:00.000Z', to: '2024-05-01T12:00:00.000Z' },
    layout: 'cloudwatch-export',
  };
}

describe.each(groups)('a CloudWatch Logs export of $source ($folder)', ({ folder, source, stream }) => {
  it('is recognised by its export lines, whatever the stream', () => {
    expect(classifyLogFile(text(join(fixtures, folder, stream)))).toEqual({
      kind: 'log',
      source,
      layout: 'cloudwatch-export',
    });
  });

  it('becomes an Athena table over the export folder, with no delivery layout to project', () => {
    const ddl = logSourceModule(source).athenaCreateTable?.(`${source}_0`, exportLocation(folder)) ?? '';
    const table = athenaStatements(ddl).find((s) => s.startsWith('CREATE EXTERNAL TABLE')) ?? '';
    expect(table).toContain(
      `LOCATION 's3://casefile-cases-111122223333/cases/IR-2024-017/exports/${folder}/'`,
    );
    expect(table).not.toContain('AWSLogs');
    expect(table).not.toContain('PARTITIONED BY');
  });

  it('makes a value of the wrong type NULL in the Athena view instead of failing every hunt', () => {
    const ddl = logSourceModule(source).athenaCreateTable?.(`${source}_0`, exportLocation(folder)) ?? '';
    const view = athenaStatements(ddl).find((s) => s.startsWith('CREATE OR REPLACE VIEW'));
    // A plain external table has no casts: RegexSerDe gives NULL for what it cannot read.
    if (source === 'vpcflow') return expect(view).toBeUndefined();
    const columns = (view ?? '').split('\n').filter((line) => / AS "\w+",?$/.test(line));
    expect(columns).toHaveLength(logSourceModule(source).columns.length);
    for (const line of columns) expect(line.trim()).toMatch(/^try\(CAST\(/);
  });

  it("gives Athena's RegexSerDe a pattern that splits every export line and no write-check object", () => {
    const ddl = logSourceModule(source).athenaCreateTable?.(`${source}_0`, exportLocation(folder)) ?? '';
    const regex = /'input\.regex'='((?:[^'\\]|\\.)*)'/.exec(ddl)?.[1]?.replaceAll('\\\\', '\\') ?? '';
    const pattern = new RegExp(regex);
    for (const line of text(join(fixtures, folder, stream))
      .trim()
      .split('\n')) {
      expect(pattern.test(line), line).toBe(true);
    }
    expect(pattern.test('Permission Check Successful')).toBe(false);
  });
});

describe('a folder of CloudWatch Logs exports on DuckDB', () => {
  const built = useBuiltFolder(fixtures);

  it('tables every stream of every group, and skips only the write-check objects (and the README)', () => {
    expect(recordCounts(built).sort()).toEqual(
      groups.map((g) => [g.source, g.records] as [string, number]).sort(),
    );
    const skipped = skippedByName(built);
    expect(Object.keys(skipped).sort()).toEqual(['README.md', 'aws-logs-write-test']);
    expect(skippedFiles(built).filter((s) => s.file.endsWith('aws-logs-write-test'))).toHaveLength(3);
  });

  it.each(groups)(
    'gives $source the same columns and types as its Athena table',
    async ({ folder, source }) => {
      const ddl = logSourceModule(source).athenaCreateTable?.(`${source}_0`, exportLocation(folder)) ?? '';
      expect(await duckdbColumns(built.engine, source)).toEqual(athenaColumns(ddl));
    },
  );

  it('reads flow records with their addresses, and a NODATA record without them', async () => {
    const { rows } = await built.engine.run(
      'SELECT interface_id, srcaddr, dstport, action, log_status FROM vpcflow ORDER BY start, srcaddr NULLS LAST',
    );
    expect(rows).toEqual([
      {
        interface_id: 'eni-0a1b2c3d4e5f60001',
        srcaddr: '10.0.1.15',
        dstport: '443',
        action: 'ACCEPT',
        log_status: 'OK',
      },
      {
        interface_id: 'eni-0a1b2c3d4e5f60001',
        srcaddr: '203.0.113.77',
        dstport: '49152',
        action: 'ACCEPT',
        log_status: 'OK',
      },
      {
        interface_id: 'eni-0a1b2c3d4e5f60002',
        srcaddr: '198.51.100.99',
        dstport: '22',
        action: 'REJECT',
        log_status: 'OK',
      },
      {
        interface_id: 'eni-0a1b2c3d4e5f60002',
        srcaddr: null,
        dstport: null,
        action: null,
        log_status: 'NODATA',
      },
    ]);
  });

  it('reads Resolver and WAF records exactly as their S3 deliveries are read', async () => {
    const resolver = await built.engine.run(
      'SELECT query_name, srcids.instance AS instance FROM route53resolver ORDER BY query_timestamp LIMIT 1',
    );
    expect(resolver.rows).toEqual([
      { query_name: 'ssm.us-east-1.amazonaws.com.', instance: 'i-0123456789abcdef0' },
    ]);
    const waf = await built.engine.run(
      'SELECT action, httprequest.clientip AS client_ip FROM waf ORDER BY "timestamp" LIMIT 1',
    );
    expect(waf.rows).toEqual([{ action: 'ALLOW', client_ip: '198.51.100.23' }]);
  });
});
