/**
 * The query log samples in test/fixtures/aws-docs-examples/route53 come from the Amazon Route 53
 * developer guide (awsdocs/amazon-route53-docs), licensed CC BY-SA 4.0; they are read in place,
 * never copied. The fixtures in test/fixtures/route53resolver and route53public are written for these tests.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
import { route53publicSource } from '../../../shared/sources/route53public-source.js';
import { route53resolverSource } from '../../../shared/sources/route53resolver-source.js';
import { fixtureData } from '../../support/fixture-data.js';
import {
  athenaColumns,
  duckdbColumns,
  itRefuses,
  quarantinedByName,
  recordCounts,
  skippedByName,
  useBuiltFolder,
  withBuiltFolder,
} from '../../support/source-harness.js';

const resolverFixtures = fileURLToPath(new URL('../../fixtures/route53resolver/', import.meta.url));
const publicFixtures = fileURLToPath(new URL('../../fixtures/route53public/', import.meta.url));
const resolverExample = fixtureData('aws-docs-examples/route53/resolver-query-log_doc-example.jsonl');
const publicExample = fixtureData('aws-docs-examples/route53/public-hosted-zone-query-log_doc-examples.log');

const location: AthenaLocation = {
  s3Uri: 's3://dns-logs-bucket/resolver',
  accounts: ['111122223333'],
  regions: [],
  window: { from: '2024-05-01T10:00:00.000Z', to: '2024-05-01T12:00:00.000Z' },
};

describe('recognising Route 53 query logs by content', () => {
  it('reads the documented Resolver record as a Resolver query log', async () => {
    expect(classifyLogFile(await readFile(resolverExample, 'utf8'))).toEqual({
      kind: 'log',
      source: 'route53resolver',
      layout: 'json-lines',
    });
  });

  it('reads the documented public hosted zone entries, and their CloudWatch Logs export', async () => {
    const text = await readFile(publicExample, 'utf8');
    expect(classifyLogFile(text)).toEqual({ kind: 'log', source: 'route53public', layout: 'query-log' });
    expect(route53publicSource.detect(`2017-12-13T08:16:02.500Z ${text}`)).toBe('cloudwatch-export');
  });

  itRefuses(route53resolverSource, 'does not read %s as a Resolver query log', [
    ['a WAF record', '{"timestamp":1,"webaclId":"x","terminatingRuleId":"y","httpRequest":{}}'],
    ['JSON that only mentions a query name', '{"query_name":"example.com."}'],
  ]);
});

describe('the route53resolver table', () => {
  const built = useBuiltFolder(resolverFixtures);

  it('reads every record that fits, sets aside each line that is no JSON, and reads a port that is no number as NULL', () => {
    expect(recordCounts(built)).toEqual([['route53resolver', 7]]);
    expect(skippedByName(built)).toEqual({
      'corrupt.jsonl.gz': 'inventory: corrupt gzip: gzip data cut off (file truncated)',
    });
    expect(quarantinedByName(built)).toEqual({
      'garbage-line.jsonl line 2': expect.stringMatching(/^not valid JSON: Unexpected token 'q'/),
      'truncated-line.jsonl line 2': expect.stringMatching(/^not valid JSON: Unterminated string/),
    });
    const wrongType = built.tables.files?.find((f) => f.file.endsWith('wrong-type.jsonl'));
    expect(wrongType).toMatchObject({ records: 1, read: 1, quarantined: 0, nulledValues: 1 });
    expect(built.tables.tables[0]?.lastEventTime).toBe('2024-05-01T10:05:00.000Z');
  });

  it('reads answers, the querying instance and the firewall action', async () => {
    const { rows } = await built.engine.run(
      // DISTINCT: each damaged file starts with the first query; wrong-type.jsonl's port is no number.
      `SELECT DISTINCT query_timestamp, query_name, srcport, srcids.instance AS instance, answers[1].rdata AS first_answer, firewall_rule_action
       FROM route53resolver WHERE srcport IS NOT NULL ORDER BY query_timestamp`,
    );
    expect(
      rows.map((r) => [
        r.query_name?.slice(0, 20),
        r.srcport,
        r.instance,
        r.first_answer,
        r.firewall_rule_action,
      ]),
    ).toEqual([
      ['ssm.us-east-1.amazon', '53211', 'i-0123456789abcdef0', '52.46.141.158', null],
      ['pool.supportxmr.com.', '53211', 'i-0123456789abcdef0', '203.0.113.200', null],
      ['dGhpcyBpcyBhIHNlY3Jl', '53211', 'i-0123456789abcdef0', null, null],
      ['malware-c2.example.', '53211', 'i-0fedcba9876543210', null, 'BLOCK'],
    ]);
  });

  it('has the same columns and types as the Athena table', async () => {
    const athena = athenaColumns(
      route53resolverSource.athenaCreateTable?.('route53resolver_0', location) ?? '',
    );
    expect(await duckdbColumns(built.engine, 'route53resolver')).toEqual(athena);
  });

  it('loads the documented record in place', async () => {
    await withBuiltFolder(fixtureData('aws-docs-examples/route53'), async (doc) => {
      const { rows } = await doc.engine.run(
        'SELECT query_name, srcport, firewall_rule_action FROM route53resolver',
      );
      expect(rows).toEqual([
        { query_name: '15.3.4.32.in-addr.arpa.', srcport: '56067', firewall_rule_action: 'BLOCK' },
      ]);
      expect(recordCounts(doc).sort()).toEqual([
        ['route53public', 5],
        ['route53resolver', 1],
      ]);
    });
  });
});

describe('the Resolver Athena table', () => {
  it('projects down to the day when the inventory listed the VPC folders', () => {
    const ddl =
      route53resolverSource.athenaCreateTable?.('r53_0', {
        ...location,
        resourceFolders: ['vpc-0f1e2d3c4b5a69788'],
      }) ?? '';
    expect(ddl).toContain("'projection.delivery_vpc.values'='vpc-0f1e2d3c4b5a69788'");
    expect(ddl).toContain(
      `'storage.location.template'='s3://dns-logs-bucket/resolver/AWSLogs/\${delivery_account}/vpcdnsquerylogs/\${delivery_vpc}/\${delivery_day}/'`,
    );
  });

  it('partitions only by account when the VPC ids are unknown', () => {
    const ddl = route53resolverSource.athenaCreateTable?.('r53_0', location) ?? '';
    expect(ddl).toContain('PARTITIONED BY (`delivery_account` string)');
    expect(ddl).toContain(
      `'storage.location.template'='s3://dns-logs-bucket/resolver/AWSLogs/\${delivery_account}/vpcdnsquerylogs/'`,
    );
  });
});

describe('the route53public table', () => {
  it('reads plain entries and CloudWatch Logs exports, and skips malformed files with a reason', async () => {
    await withBuiltFolder(publicFixtures, async (built) => {
      expect(recordCounts(built)).toEqual([['route53public', 5]]);
      expect(skippedByName(built)).toEqual({
        'corrupt.txt.gz': 'inventory: corrupt gzip: gzip data cut off (file truncated)',
      });
      expect(quarantinedByName(built)).toEqual({
        'truncated-line.txt line 2': '3 fields where the format has 10',
      });
      const { rows } = await built.engine.run(
        // DISTINCT: the cut-off file starts with the first query.
        'SELECT DISTINCT query_timestamp, query_name, rcode, resolver_ip, edns_client_subnet FROM route53public ORDER BY query_timestamp',
      );
      expect(rows.map(({ query_timestamp, ...row }) => row)).toEqual([
        { query_name: 'example.com', rcode: 'NOERROR', resolver_ip: '192.0.2.53', edns_client_subnet: null },
        {
          query_name: 'dev-admin.example.com',
          rcode: 'NXDOMAIN',
          resolver_ip: '198.51.100.53',
          edns_client_subnet: '198.51.100.0/24',
        },
        {
          query_name: 'vpn.example.com',
          rcode: 'NOERROR',
          resolver_ip: '2001:db8::53',
          edns_client_subnet: '2001:db8:abcd::/48',
        },
        {
          query_name: 'backup.example.com',
          rcode: 'NXDOMAIN',
          resolver_ip: '198.51.100.53',
          edns_client_subnet: null,
        },
      ]);
    });
  });

  it('is tabled in Athena from the export folder (these logs go only to CloudWatch Logs), with the columns DuckDB has', async () => {
    const ddl =
      route53publicSource.athenaCreateTable?.('route53public_0', {
        ...location,
        s3Uri: 's3://casefile-cases/cases/IR-1/exports/aws-route53-example.com/',
        layout: 'cloudwatch-export',
      }) ?? '';
    expect(ddl).toContain("LOCATION 's3://casefile-cases/cases/IR-1/exports/aws-route53-example.com/'");
    expect(ddl).not.toContain('PARTITIONED BY');
    await withBuiltFolder(publicFixtures, async (built) => {
      expect(await duckdbColumns(built.engine, 'route53public')).toEqual(athenaColumns(ddl));
    });
  });
});
