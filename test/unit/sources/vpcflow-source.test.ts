/**
 * Flow log samples in test/fixtures/aws-docs-examples/vpc-flow come from the Amazon VPC User Guide
 * (awsdocs/amazon-vpc-user-guide), licensed CC BY-SA 4.0; they are read in place, never copied.
 * The fixtures in test/fixtures/vpcflow are written for these tests.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../shared/errors.js';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
import { vpcflowColumns, vpcflowSource } from '../../../shared/sources/vpcflow-source.js';
import { fixtureData } from '../../support/fixture-data.js';
import {
  athenaColumns,
  duckdbColumns,
  duckdbRows,
  itRefuses,
  quarantinedByName,
  recordCounts,
  serdeRows,
  skippedByName,
  useBuiltFolder,
  withBuiltFolder,
} from '../../support/source-harness.js';

const fixtures = fileURLToPath(new URL('../../fixtures/vpcflow/', import.meta.url));
const docExamples = fixtureData('aws-docs-examples/vpc-flow');

const location: AthenaLocation = {
  s3Uri: 's3://flow-logs-bucket/network/',
  accounts: ['111122223333', '444455556666'],
  regions: ['us-east-1', 'eu-west-1'],
  window: { from: '2024-05-01T10:00:00.000Z', to: '2024-05-03T18:30:00.000Z' },
};

async function docExampleFiles(): Promise<string[]> {
  return (await readdir(docExamples)).filter((name) => name.endsWith('.log')).sort();
}

describe('recognising flow logs by content', () => {
  it('reads each documented format from its header, and carries the header in the layout', async () => {
    for (const name of await docExampleFiles()) {
      const text = await readFile(join(docExamples, name), 'utf8');
      const header = text.split('\n', 1)[0] as string;
      expect(classifyLogFile(text), name).toEqual({
        kind: 'log',
        source: 'vpcflow',
        layout: `text:${header.split(' ').join(',')}`,
      });
    }
  });

  it('recognises Parquet delivery by its magic number', () => {
    expect(vpcflowSource.detect('PAR1\u0015\u0004\u0015')).toBe('parquet');
  });

  it('accepts fields newer than the table when most of the header is known', () => {
    expect(vpcflowSource.detect('version srcaddr dstaddr some-future-field\n')).toBe(
      'text:version,srcaddr,dstaddr,some-future-field',
    );
  });

  it('reads default-format records without a header, as CloudWatch Logs holds them', () => {
    const record =
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    expect(vpcflowSource.detect(`${record}\n${record}\n`)).toBe('default-format-records');
  });

  itRefuses(vpcflowSource, 'does not read %s as flow logs', [
    [
      'a custom-format record without its header',
      '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789',
    ],
    ['words that are not flow log fields', 'hello there general kenobi'],
    ['a header naming no address or interface', 'version account-id action\n'],
    ['a header with a repeated field', 'srcaddr dstaddr srcaddr\n'],
    ['a CloudTrail file', '{"Records":[{"eventVersion":"1.08"}]}'],
    [
      'an ALB access log',
      'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80',
    ],
  ]);
});

describe('the vpcflow table from delivered files', () => {
  const built = useBuiltFolder(fixtures);

  it('loads every readable file (default, custom, headerless, gzip and Parquet), and of each damaged file every record that fits', async () => {
    const counts = Object.fromEntries(
      (built.tables.files ?? [])
        .filter((f) => f.file.includes('/malformed/'))
        .map((f) => [f.file.split('/').at(-1), [f.records, f.read, f.quarantined, f.nulledValues]]),
    );
    // records, read, set aside, values read as NULL
    expect(counts).toEqual({
      'garbage-after-header.txt': [1, 1, 0, 2],
      'truncated-line.txt': [2, 1, 1, 0],
      'truncated-stream.txt.gz': [2395, 2394, 1, 0],
      'wrong-field-count.txt': [1, 0, 1, 0],
    });
    expect(recordCounts(built)).toEqual([['vpcflow', 11 + 1 + 1 + 2394]]);
    expect(skippedByName(built)).toEqual({
      'corrupt.txt.gz': 'inventory: corrupt gzip: gzip data cut off (file truncated)',
      'not-flow-logs.parquet': expect.stringMatching(
        /^tables: unreadable: .*not a flow log \(no srcaddr or dstaddr column\)/,
      ),
      'truncated-stream.txt.gz':
        'tables: partly read: gzip data cut off (file truncated); the 2394 records before it were read',
    });
    expect(quarantinedByName(built)).toEqual({
      'truncated-line.txt line 3': '6 fields where the format has 14',
      'truncated-stream.txt.gz line 2396': '10 fields where the format has 14',
      'wrong-field-count.txt line 2': '15 fields where the format has 14',
    });
    const { rows } = await built.engine.run(
      "SELECT srcport, dstport, packets FROM vpcflow WHERE interface_id = 'eni-0a1b2c3d4e5f60001' AND srcaddr = '198.51.100.23' AND dstaddr = '10.0.1.15' AND packets = 12 AND srcport IS NULL",
    );
    expect(rows).toEqual([{ srcport: null, dstport: null, packets: '12' }]);
  });

  it('has the event span of the flows it read', () => {
    const [table] = built.tables.tables;
    expect(table?.firstEventTime).toBe('2024-05-01T10:00:00.000Z');
    expect(table?.lastEventTime).toBe('2024-05-01T13:00:00.000Z');
  });

  it('maps a custom format onto the fixed columns, NULL where the format lacks a field or says "-"', async () => {
    const { rows } = await built.engine.run(
      `SELECT version, interface_id, dstaddr, dstport, bytes, flow_direction, traffic_path, pkt_dst_aws_service, tcp_flags, region
       FROM vpcflow WHERE interface_id = 'eni-0a1b2c3d4e5f60003' ORDER BY bytes`,
    );
    expect(rows).toEqual([
      {
        version: '5',
        interface_id: 'eni-0a1b2c3d4e5f60003',
        dstaddr: '192.0.2.200',
        dstport: '3333',
        bytes: '5200',
        flow_direction: 'egress',
        traffic_path: '8',
        pkt_dst_aws_service: null,
        tcp_flags: '2',
        region: null,
      },
      {
        version: '5',
        interface_id: 'eni-0a1b2c3d4e5f60003',
        dstaddr: '52.216.8.14',
        dstport: '443',
        bytes: '1200000',
        flow_direction: 'egress',
        traffic_path: '8',
        pkt_dst_aws_service: 'S3',
        tcp_flags: '19',
        region: null,
      },
    ]);
  });

  it('reads a NODATA record as NULL addresses and ports', async () => {
    const { rows } = await built.engine.run(
      "SELECT srcaddr, dstport, action, log_status, start FROM vpcflow WHERE log_status = 'NODATA'",
    );
    expect(rows).toEqual([
      { srcaddr: null, dstport: null, action: null, log_status: 'NODATA', start: '1714557600' },
    ]);
  });

  it('reads Parquet columns by name and leaves the ones the file lacks NULL', async () => {
    const { rows } = await built.engine.run(
      'SELECT srcaddr, dstport, "end", vpc_id, subnet_id FROM vpcflow WHERE interface_id = \'eni-0a1b2c3d4e5f60004\' ORDER BY dstport',
    );
    expect(rows).toEqual([
      {
        srcaddr: '10.0.3.8',
        dstport: '4444',
        end: '1714568460',
        vpc_id: 'vpc-0f1e2d3c4b5a69788',
        subnet_id: null,
      },
      {
        srcaddr: '198.51.100.200',
        dstport: '50123',
        end: '1714568460',
        vpc_id: 'vpc-0f1e2d3c4b5a69788',
        subnet_id: null,
      },
    ]);
  });

  it('has the same columns and types as the Athena table', async () => {
    const athena = athenaColumns(vpcflowSource.athenaCreateTable?.('flows', location) ?? '');
    expect(await duckdbColumns(built.engine, 'vpcflow')).toEqual(athena);
    expect(athena.map((c) => c.name)).toEqual(vpcflowColumns.map((c) => c.name));
  });

  it('filters on the flow start time for a case window', async () => {
    await withBuiltFolder(
      fixtures,
      async (windowed) => {
        // Three flows of the readable files, and those of the cut-off stream's complete lines.
        expect(windowed.tables.tables[0]?.recordCount).toBe(
          3 + (await cutOffStreamFlowsStartingIn(10.5, 12.5)),
        );
      },
      { from: '2024-05-01T10:30:00Z', to: '2024-05-01T12:30:00Z' },
    );
  });
});

/** Flows of truncated-stream.txt.gz, read independently of the gate, whose start is between the hours given (UTC, 1 May 2024). */
async function cutOffStreamFlowsStartingIn(fromHour: number, toHour: number): Promise<number> {
  const compressed = await readFile(join(fixtures, 'malformed', 'truncated-stream.txt.gz'));
  const text = gunzipSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  const day = Date.UTC(2024, 4, 1) / 1000;
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.split(' '))
    .filter((fields) => fields.length === 14)
    .filter(([, , , , , , , , , , start]) => {
      const hour = (Number(start) - day) / 3600;
      return hour >= fromHour && hour <= toHour;
    }).length;
}

describe('the AWS documentation examples', () => {
  it('load in place, every documented format into the same columns', async () => {
    await withBuiltFolder(docExamples, async (built) => {
      expect(built.tables.skipped).toEqual([]);
      const { rows } = await built.engine.run(
        'SELECT count(*) AS n, count(start) AS timed, count(pkt_srcaddr) AS nat, count(traffic_path) AS paths FROM vpcflow',
      );
      expect(rows[0]).toEqual({ n: '27', timed: '17', nat: '20', paths: '1' });
    });
  });
});

describe('the Athena table', () => {
  it('projects accounts, regions and the delivery days of the window, widened by one day', () => {
    const ddl = vpcflowSource.athenaCreateTable?.('casefile_case_1.vpcflow_0', location) ?? '';
    expect(ddl).toContain('CREATE EXTERNAL TABLE `casefile_case_1`.`vpcflow_0` (');
    expect(ddl).toContain(
      'PARTITIONED BY (`delivery_account` string, `delivery_region` string, `delivery_day` string)',
    );
    expect(ddl).toContain("LOCATION 's3://flow-logs-bucket/network/AWSLogs/'");
    expect(ddl).toContain("'projection.delivery_account.values'='111122223333,444455556666'");
    expect(ddl).toContain("'projection.delivery_region.values'='eu-west-1,us-east-1'");
    expect(ddl).toContain("'projection.delivery_day.range'='2024/04/30,2024/05/04'");
    expect(ddl).toContain(
      `'storage.location.template'='s3://flow-logs-bucket/network/AWSLogs/\${delivery_account}/vpcflowlogs/\${delivery_region}/\${delivery_day}/'`,
    );
    expect(ddl).toContain("'skip.header.line.count'='1'");
  });

  it('reads Parquet delivery by column name', () => {
    const ddl = vpcflowSource.athenaCreateTable?.('vpcflow_0', { ...location, layout: 'parquet' }) ?? '';
    expect(ddl).toContain('STORED AS PARQUET');
    expect(ddl).not.toContain('skip.header.line.count');
  });

  it('parses each documented text format with its header into the values DuckDB reads', async () => {
    for (const name of await docExampleFiles()) {
      const path = join(docExamples, name);
      const text = await readFile(path, 'utf8');
      const layout = vpcflowSource.detect(text) as string;
      const athenaRows = serdeRows(
        vpcflowSource.athenaCreateTable?.('vpcflow_0', { ...location, layout }) ?? '',
        text.trim().split('\n').slice(1),
        vpcflowColumns,
      );
      const rows = await duckdbRows(vpcflowSource.duckdbSelect([path], layout, false));
      expect(athenaRows, name).toEqual(rows);
    }
  });

  it('refuses locations it cannot put in DDL safely', () => {
    expect(() =>
      vpcflowSource.athenaCreateTable?.('t', { ...location, accounts: ["1111'22223333"] }),
    ).toThrow(InvalidRequestError);
    expect(() => vpcflowSource.athenaCreateTable?.('t', { ...location, s3Uri: "s3://bucket/it's/" })).toThrow(
      InvalidRequestError,
    );
    expect(() =>
      vpcflowSource.athenaCreateTable?.('t', { ...location, regions: ['us-east-1,evil'] }),
    ).toThrow(InvalidRequestError);
    expect(() => vpcflowSource.athenaCreateTable?.('drop table', location)).toThrow(InvalidRequestError);
  });
});
