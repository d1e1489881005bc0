/** The fixtures in test/fixtures/cloudfront are written for these tests from the documented field list. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import {
  cloudfrontColumns,
  cloudfrontSource,
  STANDARD_LOG_FIELDS,
} from '../../../shared/sources/cloudfront-source.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
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

const fixtures = fileURLToPath(new URL('../../fixtures/cloudfront/', import.meta.url));
const standardLog = fileURLToPath(
  new URL('../../fixtures/cloudfront/distribution-E2EXAMPLE.2024-05-01-10.a1b2c3d4.txt', import.meta.url),
);

const location: AthenaLocation = {
  s3Uri: 's3://cloudfront-logs-bucket/cdn/',
  accounts: [],
  regions: [],
  window: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-01T23:59:59.999Z' },
};

describe('recognising CloudFront standard logs by content', () => {
  it('reads the W3C header and carries the field list in the layout', async () => {
    expect(classifyLogFile(await readFile(standardLog, 'utf8'))).toEqual({
      kind: 'log',
      source: 'cloudfront',
      layout: `w3c:${STANDARD_LOG_FIELDS.join(',')}`,
    });
  });

  itRefuses(cloudfrontSource, 'does not read %s as CloudFront', [
    [
      'a W3C log of another server',
      '#Version: 1.0\n#Fields: date time c-ip cs-method cs-uri-stem sc-status\n',
    ],
    ['CloudFront fields without the header lines', 'date time x-edge-location sc-bytes c-ip\n'],
    [
      'an IIS log',
      '#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Fields: date time s-ip\n',
    ],
  ]);
});

describe('the cloudfront table from delivered files', () => {
  const built = useBuiltFolder(fixtures);

  it('loads standard and custom field lists, sets aside each line that does not fit its header, and reads a bad date as NULL', () => {
    expect(recordCounts(built)).toEqual([['cloudfront', 6]]);
    expect(skippedByName(built)).toEqual({
      'corrupt.txt.gz': 'inventory: corrupt gzip: gzip data cut off (file truncated)',
    });
    expect(quarantinedByName(built)).toEqual({
      'garbage-line.txt line 3': '4 fields where the format has 33',
      'truncated-line.txt line 4': '7 fields where the format has 33',
      'wrong-field-count.txt line 3': '34 fields where the format has 33',
    });
    const badDate = built.tables.files?.find((f) => f.file.endsWith('bad-date.txt'));
    expect(badDate).toMatchObject({ records: 1, read: 1, quarantined: 0, nulledValues: 1 });
    expect(built.tables.tables[0]?.recordsWithoutTime).toBe(1);
    expect(built.tables.tables[0]?.firstEventTime).toBe('2024-05-01T10:00:00.000Z');
    expect(built.tables.tables[0]?.lastEventTime).toBe('2024-05-01T11:30:00.000Z');
  });

  it('maps each field list onto the documented columns, NULL where a file lacks a field or says "-"', async () => {
    const { rows } = await built.engine.run(
      // DISTINCT: truncated-line.txt starts with the same entry as the first file; bad-date.txt's entry has no date.
      'SELECT DISTINCT "date", "time", request_ip, method, uri, status, query_string, location, bytes, time_taken FROM cloudfront WHERE "date" IS NOT NULL ORDER BY "time"',
    );
    expect(rows).toEqual([
      {
        date: '2024-05-01',
        time: '10:00:00',
        request_ip: '198.51.100.23',
        method: 'GET',
        uri: '/index.html',
        status: '200',
        query_string: null,
        location: 'IAD89-P1',
        bytes: '2345',
        time_taken: '0.002',
      },
      {
        date: '2024-05-01',
        time: '10:00:05',
        request_ip: '203.0.113.77',
        method: 'GET',
        uri: '/products',
        status: '403',
        query_string: 'id=1%20UNION%20SELECT%20username,password%20FROM%20users--',
        location: 'IAD89-P1',
        bytes: '512',
        time_taken: '0.002',
      },
      {
        date: '2024-05-01',
        time: '10:00:09',
        request_ip: '203.0.113.77',
        method: 'GET',
        uri: '/static/..%252f..%252fetc/passwd',
        status: '404',
        query_string: null,
        location: 'IAD89-P1',
        bytes: '400',
        time_taken: '0.002',
      },
      {
        date: '2024-05-01',
        time: '11:30:00',
        request_ip: '192.0.2.44',
        method: 'POST',
        uri: '/api/login',
        status: '401',
        query_string: null,
        location: null,
        bytes: null,
        time_taken: null,
      },
    ]);
  });

  it('has the same columns and types as the Athena table', async () => {
    const athena = athenaColumns(cloudfrontSource.athenaCreateTable?.('cloudfront_0', location) ?? '');
    expect(await duckdbColumns(built.engine, 'cloudfront')).toEqual(athena);
  });
});

describe('the Athena table', () => {
  it('reads the flat prefix without projection, skipping the two header lines', () => {
    const ddl = cloudfrontSource.athenaCreateTable?.('cloudfront_0', location) ?? '';
    expect(ddl).not.toContain('PARTITIONED BY');
    expect(ddl).not.toContain('projection');
    expect(ddl).toContain("LOCATION 's3://cloudfront-logs-bucket/cdn/'");
    expect(ddl).toContain("'skip.header.line.count'='2'");
  });

  it('parses a standard log in Athena (Java/JavaScript pattern) into the values DuckDB reads', async () => {
    const text = await readFile(standardLog, 'utf8');
    const layout = cloudfrontSource.detect(text) as string;
    const athenaRows = serdeRows(
      cloudfrontSource.athenaCreateTable?.('cloudfront_0', { ...location, layout }) ?? '',
      text.trim().split('\n').slice(2),
      cloudfrontColumns,
    );
    const rows = await duckdbRows(cloudfrontSource.duckdbSelect([standardLog], layout, false));
    expect(athenaRows).toEqual(rows);
  });
});
