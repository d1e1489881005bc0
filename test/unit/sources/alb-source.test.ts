/**
 * The access log samples in test/fixtures/aws-docs-examples/alb come from the Elastic Load
 * Balancing user guide (awsdocs/elb-application-load-balancers-user-guide), licensed CC BY-SA 4.0;
 * they are read in place, never copied. The fixtures in test/fixtures/alb are written for these tests.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALB_LINE_PATTERN, albColumns, albSource } from '../../../shared/sources/alb-source.js';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
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
} from '../../support/source-harness.js';

const fixtures = fileURLToPath(new URL('../../fixtures/alb/', import.meta.url));
const accessLog = fileURLToPath(new URL('../../fixtures/alb/access-log.txt', import.meta.url));
const docExamples = fixtureData('aws-docs-examples/alb/alb-access_doc-examples.log');

const location: AthenaLocation = {
  s3Uri: 's3://alb-logs-bucket/',
  accounts: ['111122223333'],
  regions: ['us-east-1'],
  window: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-01T23:59:59.999Z' },
};
const ddl = () => albSource.athenaCreateTable?.('alb_0', location) ?? '';

describe('recognising ALB access logs by content', () => {
  it('reads the documented examples and the fixtures as ALB access logs', async () => {
    for (const path of [docExamples, accessLog]) {
      expect(classifyLogFile(await readFile(path, 'utf8'))).toEqual({
        kind: 'log',
        source: 'alb',
        layout: 'alb-line',
      });
    }
  });

  itRefuses(albSource, 'does not read %s as ALB', [
    [
      'a Network Load Balancer entry',
      'tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - - 2018-12-20T02:59:30',
    ],
    [
      'a Classic Load Balancer entry',
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -',
    ],
    [
      'a truncated entry',
      'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000',
    ],
    ['flow logs', 'version account-id interface-id srcaddr dstaddr\n'],
  ]);
});

describe('the alb table from delivered files', () => {
  const built = useBuiltFolder(fixtures);

  it('reads every entry of every file, sets aside each line that is no entry, and skips the unreadable gzip', () => {
    expect(recordCounts(built)).toEqual([['alb', 8]]);
    expect(skippedByName(built)).toEqual({
      'corrupt.txt.gz': 'inventory: corrupt gzip: gzip data cut off (file truncated)',
    });
    expect(quarantinedByName(built)).toEqual({
      'garbage-line.txt line 2': 'not an ALB access log entry',
      'truncated-line.txt line 2': 'not an ALB access log entry',
      'wrong-field-count.txt line 2': 'not an ALB access log entry',
    });
    expect(built.tables.tables[0]?.firstEventTime).toBe('2024-05-01T10:00:00.123Z');
  });

  it('splits the request, keeps a quoted user agent whole, and makes "-" NULL', async () => {
    const { rows } = await built.engine.run(
      `SELECT type, client_ip, client_port, target_ip, elb_status_code, target_status_code, request_verb, request_url,
              request_proto, user_agent, request_processing_time, conn_trace_id
       FROM alb ORDER BY "time"`,
    );
    const firstEntry = [
      'GET',
      'https://shop.example.com:443/products?id=42',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36',
      'TID_0a1b2c3d4e5f',
    ];
    // The access log's first entry, and the same entry at the head of each of the three damaged files.
    expect(rows.map((r) => [r.request_verb, r.request_url, r.user_agent, r.conn_trace_id])).toEqual([
      firstEntry,
      firstEntry,
      firstEntry,
      firstEntry,
      [
        'GET',
        'https://shop.example.com:443/static/..%2f..%2f..%2fetc%2fpasswd',
        'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)',
        'TID_0a1b2c3d4e5f',
      ],
      [
        'GET',
        'https://shop.example.com:443/search?q=shoes',
        'Mozilla/5.0 "quoted" agent',
        'TID_1b2c3d4e5f60',
      ],
      [null, null, null, null],
      ['POST', 'http://shop.example.com:80/login', 'python-requests/2.31.0', null],
    ]);
    expect(rows[6]).toMatchObject({
      type: 'http',
      client_ip: '203.0.113.50',
      client_port: '40000',
      target_ip: null,
      elb_status_code: '400',
      target_status_code: null,
      request_proto: null,
      request_processing_time: '-1',
    });
  });

  it('has the same columns and types as the Athena table', async () => {
    expect(await duckdbColumns(built.engine, 'alb')).toEqual(athenaColumns(ddl()));
  });
});

describe('one pattern for both engines', () => {
  it('has one capture group per column', () => {
    const groups = new RegExp(`${ALB_LINE_PATTERN}|`).exec('')?.length ?? 0;
    expect(groups - 1).toBe(albColumns.length);
  });

  it('parses the documented examples and the fixtures in Athena (Java/JavaScript) as DuckDB (RE2) does', async () => {
    for (const path of [docExamples, accessLog]) {
      const lines = (await readFile(path, 'utf8')).trim().split('\n');
      const athenaRows = serdeRows(ddl(), lines, albColumns);
      const rows = await duckdbRows(albSource.duckdbSelect([path], 'alb-line', false));
      // Athena keeps the numbers' text ("0.000"); DuckDB prints the parsed number ("0").
      const asNumbers = (row: Record<string, string | null>) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [k, v !== null && /^-?[\d.]+$/.test(v) ? Number(v) : v]),
        );
      expect(athenaRows.map(asNumbers), path).toEqual(rows.map(asNumbers));
    }
  });
});

describe('the Athena table', () => {
  it('projects accounts, regions and delivery days under elasticloadbalancing/', () => {
    expect(ddl()).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'");
    expect(ddl()).toContain("'projection.delivery_day.range'='2024/04/30,2024/05/02'");
    expect(ddl()).toContain(
      `'storage.location.template'='s3://alb-logs-bucket/AWSLogs/\${delivery_account}/elasticloadbalancing/\${delivery_region}/\${delivery_day}/'`,
    );
  });
});
