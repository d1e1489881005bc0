/**
 * The fixtures in test/fixtures/lambda are CloudWatch Logs exports of Lambda functions, written for
 * these tests in the runtimes' documented formats: Node.js text (as the local exporter writes it),
 * Python text (as CloudWatch Logs writes it, the stream name keeping its slashes), and the JSON log
 * format with Powertools lines.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readFileHead } from '../../../shared/local/adapters/read-file-head.js';
import { classifyLogFile } from '../../../shared/sources/classify-log-file.js';
import { lambdaColumnNames, lambdaSource } from '../../../shared/sources/lambda-source.js';
import type { AthenaLocation } from '../../../shared/sources/log-source-module.js';
import {
  athenaColumns,
  athenaStatements,
  duckdbColumns,
  duckdbSelectColumns,
  itRefuses,
  serdeRegex,
  skippedFiles,
  useBuiltFolder,
  useScratch,
} from '../../support/source-harness.js';

const fixtures = fileURLToPath(new URL('../../fixtures/lambda/', import.meta.url));
const exports = join(fixtures, 'exports');
const nodeExport = join(
  exports,
  'aws-lambda-payments-api/7c0e2f7a-1b3d-4e5f-8a9b-0c1d2e3f4a5b/2024-05-01-LATEST-3f9c1b2a7d4e4f0a8b6c5d4e3f2a1b0c/000000.gz',
);
const pythonExport = join(
  exports,
  'aws-lambda-report-export/0a4e7d2c-95b8-4f13-a6c0-e7d91b3f5a28/2024/05/01/[$LATEST]b81d4e0f2c6a4937a5e8d1f0c3b7a962/000000',
);
const jsonExport = join(
  exports,
  'aws-lambda-orders-worker/3b8e1f6d-0c27-4a95-8d3e-f5a1c9b7e024/2024-05-01-LATEST-7e2c9a1f5b3d4e8c0a6f2d9b1e7c3a5f/000000',
);
const eksExport = fileURLToPath(
  new URL(
    '../../fixtures/eksaudit/cloudwatch-export/6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9/kube-apiserver-audit-5c1e8f2a9b7d4e3f/000000',
    import.meta.url,
  ),
);

const location: AthenaLocation = {
  s3Uri: 's3://casefile-cases/cases/case-1/exports/aws-lambda-payments-api/',
  accounts: [],
  regions: [],
  window: { from: '2024-05-01T10:00:00.000Z', to: '2024-05-01T13:00:00.000Z' },
};
const ddl = () => lambdaSource.athenaCreateTable?.('casefile_case_1.lambda_0', location) ?? '';

const requestId = '8d2f0c4e-5b6a-4c1d-9e7f-2a3b4c5d6e7f';

describe('recognising Lambda logs by content', () => {
  it.each([
    ['Node.js text format, gzip', nodeExport],
    ['Python text format', pythonExport],
    ['the JSON log format', jsonExport],
  ])('reads an export of %s as the export layout', async (_name, path) => {
    expect(classifyLogFile((await readFileHead(path)).text)).toEqual({
      kind: 'log',
      source: 'lambda',
      layout: 'cloudwatch-export',
    });
  });

  it.each([
    ['a START line', `2024-05-01T10:00:00.412Z START RequestId: ${requestId} Version: $LATEST`],
    ['an END line', `2024-05-01T10:00:00.702Z END RequestId: ${requestId}`],
    [
      'a REPORT line',
      `2024-05-01T10:00:00.702Z REPORT RequestId: ${requestId}\tDuration: 289.61 ms\tBilled Duration: 290 ms\t`,
    ],
    [
      'an INIT_START line',
      '2024-05-01T10:00:00.000Z INIT_START Runtime Version: nodejs:20.v22\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:0cdc',
    ],
    [
      "Node's text format",
      `2024-05-01T10:00:00.415Z 2024-05-01T10:00:00.415Z\t${requestId}\tINFO\tcharge created`,
    ],
    [
      "Node's text format before a request",
      '2024-05-01T10:00:00.100Z 2024-05-01T10:00:00.100Z\tundefined\tWARN\tno STAGE set',
    ],
    [
      "Python's text format",
      `2024-05-01T10:00:00.415Z [WARNING]\t2024-05-01T10:00:00.415Z\t${requestId}\tSlow query`,
    ],
    [
      "Lambda's JSON format",
      `2024-05-01T10:00:00.415Z {"timestamp":"2024-05-01T10:00:00.415Z","level":"INFO","requestId":"${requestId}","message":"hi"}`,
    ],
    [
      'a Lambda JSON format platform event',
      `2024-05-01T10:00:00.412Z {"time":"2024-05-01T10:00:00.412Z","type":"platform.start","record":{"requestId":"${requestId}","version":"$LATEST"}}`,
    ],
    [
      "Powertools' structured log",
      `2024-05-01T10:00:00.415Z {"level":"INFO","location":"handler:12","message":"hi","timestamp":"2024-05-01 10:00:00,415+0000","service":"orders","function_request_id":"${requestId}"}`,
    ],
  ])('recognises %s', (_name, line) => {
    expect(lambdaSource.detect(`${line}\n`)).toBe('cloudwatch-export');
  });

  it('looks past the first line of an export for one only Lambda writes', () => {
    const head = [
      '2024-05-01T10:00:00.000Z loading handler from /var/task/bootstrap',
      `2024-05-01T10:00:00.412Z START RequestId: ${requestId} Version: $LATEST`,
      '2024-05-01T10:00:00.500Z {"level":"INFO","message":"cut sho',
    ].join('\n');
    expect(lambdaSource.detect(head)).toBe('cloudwatch-export');
  });

  itRefuses(lambdaSource, 'does not take %s for Lambda logs', [
    ['an EKS audit log export', readFileSync(eksExport, 'utf8')],
    [
      'a CloudTrail record',
      '{"Records":[{"eventVersion":"1.08","eventSource":"lambda.amazonaws.com","eventName":"Invoke20150331"}]}',
    ],
    ["the export's write check object", 'Permission Check Successful'],
    ['Lambda output without the export time', `START RequestId: ${requestId} Version: $LATEST\n`],
    [
      'an export of another application',
      '2024-05-01T11:00:00.000Z time="2024-05-01T11:00:00Z" level=info msg="listening on :8080"\n',
    ],
    [
      'an export of JSON logs naming no Lambda request',
      '2024-05-01T11:00:00.000Z {"level":"INFO","message":"listening on :8080","service":"web"}\n',
    ],
    [
      'an export of Route 53 query logs',
      '2024-05-01T10:00:01.000Z 1.0 2024-05-01T10:00:00Z Z0123456789ABCDEFGHIJ example.com A NOERROR UDP FRA6-C1 192.0.2.10 -\n',
    ],
  ]);

  it('leaves EKS audit exports to their own source', () => {
    expect(classifyLogFile(readFileSync(eksExport, 'utf8'))).toMatchObject({ source: 'eksaudit' });
  });
});

describe('the lambda table from exported files', () => {
  const built = useBuiltFolder(fixtures);

  it('loads every export, skips the write check, sets aside a line without a time and keeps a cut-off export up to the cut', () => {
    expect(built.tables.tables).toMatchObject([
      {
        source: 'lambda',
        recordCount: 34 + 3 + 6,
        firstEventTime: '2024-05-01T10:00:00.000Z',
        lastEventTime: '2024-05-01T13:00:00.010Z',
      },
    ]);
    const skipped = skippedFiles(built).map(({ file, stage, reason }) => ({
      file,
      reason: `${stage}: ${reason}`,
    }));
    expect(skipped).toEqual([
      {
        file: 'exports/aws-lambda-payments-api/aws-logs-write-test',
        reason: 'inventory: unknown format (starts with "Permission Check Successful")',
      },
      {
        file: expect.stringMatching(/^malformed\/exports\/aws-lambda-truncated\/.*\/000000\.gz$/),
        reason: 'tables: partly read: gzip data cut off (file truncated); the 6 records before it were read',
      },
    ]);
    expect(built.tables.quarantined).toEqual([
      {
        source: 'lambda',
        file: expect.stringMatching(/\/malformed\/exports\/aws-lambda-broken\/.*\/000000$/),
        position: 'line 3',
        reason: 'not a CloudWatch Logs export line (<ISO time> <message>)',
        excerpt: expect.stringMatching(/^ {4}at Object\.<anonymous>/),
      },
    ]);
  });

  it('has the columns of the source, text but for the REPORT metrics', async () => {
    expect(await duckdbColumns(built.engine, '"lambda"')).toEqual(
      lambdaColumnNames.map((name) => ({ name, type: name.startsWith('report_') ? 'double' : 'varchar' })),
    );
  });

  it("names the function and stream from the export's folders, the stream keeping its slashes", async () => {
    const { rows } = await built.engine.run(
      'SELECT log_group, log_stream, count(*) AS lines FROM "lambda" GROUP BY ALL ORDER BY log_group',
    );
    // The damaged exports are read from cleaned copies, which keep the export's folders.
    expect(rows).toEqual([
      {
        log_group: 'aws-lambda-broken',
        log_stream: '2024-05-01-LATEST-0c4f8a2e6b1d4f3a9e7c5b0d2a8f6e41',
        lines: '3',
      },
      {
        log_group: 'aws-lambda-orders-worker',
        log_stream: '2024-05-01-LATEST-7e2c9a1f5b3d4e8c0a6f2d9b1e7c3a5f',
        lines: '9',
      },
      {
        log_group: 'aws-lambda-payments-api',
        log_stream: '2024-05-01-LATEST-3f9c1b2a7d4e4f0a8b6c5d4e3f2a1b0c',
        lines: '14',
      },
      {
        log_group: 'aws-lambda-report-export',
        log_stream: '2024/05/01/[$LATEST]b81d4e0f2c6a4937a5e8d1f0c3b7a962',
        lines: '11',
      },
      {
        log_group: 'aws-lambda-truncated',
        log_stream: '2024-05-01-LATEST-5a9d3f7b1c2e4a6f8b0d2c4e6a8f1b3d',
        lines: '6',
      },
    ]);
  });

  it('reads the request, level and message of platform lines and the Node.js text format', async () => {
    const { rows } = await built.engine.run(
      `SELECT event_time, request_id, level, message, record, report_duration_ms, report_max_memory_used_mb, report_init_duration_ms
       FROM "lambda" WHERE log_group = 'aws-lambda-payments-api' AND event_time < '2024-05-01T10:05:00.105Z' ORDER BY event_time, message`,
    );
    const second = '1b7e3a90-64c2-4f8d-a1e5-93c0d7b2f416';
    expect(rows.map((r) => [r.event_time, r.request_id, r.level, r.message])).toEqual([
      [
        '2024-05-01T10:00:00.000Z',
        null,
        null,
        expect.stringMatching(
          /^INIT_START Runtime Version: nodejs:20\.v22\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:0cdc\w+$/,
        ),
      ],
      ['2024-05-01T10:00:00.412Z', requestId, null, `START RequestId: ${requestId} Version: $LATEST`],
      [
        '2024-05-01T10:00:00.415Z',
        requestId,
        'INFO',
        'charge request {"orderId":"ord-1042","amount":4200,"currency":"EUR"}',
      ],
      ['2024-05-01T10:00:00.690Z', requestId, 'INFO', 'charge created ch_3P1xYzLkd8a2'],
      ['2024-05-01T10:00:00.702Z', requestId, null, `END RequestId: ${requestId}`],
      ['2024-05-01T10:00:00.702Z', requestId, null, expect.stringMatching(/^REPORT RequestId: /)],
      ['2024-05-01T10:05:00.100Z', second, null, `START RequestId: ${second} Version: $LATEST`],
      [
        '2024-05-01T10:05:00.102Z',
        second,
        'ERROR',
        expect.stringMatching(
          /^Invoke Error \t\{"errorType":"TypeError","errorMessage":"Cannot read properties/,
        ),
      ],
    ]);
    expect(rows.every((r) => r.record === null)).toBe(true);
    expect(rows.find((r) => r.message?.startsWith('REPORT'))).toMatchObject({
      message: `REPORT RequestId: ${requestId}\tDuration: 289.61 ms\tBilled Duration: 290 ms\tMemory Size: 256 MB\tMax Memory Used: 91 MB\tInit Duration: 411.27 ms`,
      report_duration_ms: '289.61',
      report_max_memory_used_mb: '91',
      report_init_duration_ms: '411.27',
    });
    const { rows: timeout } = await built.engine.run(
      `SELECT request_id, message, report_duration_ms FROM "lambda" WHERE message LIKE '%Task timed out%' OR (report_duration_ms >= 3000)`,
    );
    expect(timeout).toEqual([
      {
        request_id: '4c9a2d17-e83f-4b60-9a7c-5d1e0f2b3c48',
        message:
          '2024-05-01T10:10:03.003Z 4c9a2d17-e83f-4b60-9a7c-5d1e0f2b3c48 Task timed out after 3.00 seconds',
        report_duration_ms: null,
      },
      {
        request_id: '4c9a2d17-e83f-4b60-9a7c-5d1e0f2b3c48',
        message: expect.stringMatching(
          /^REPORT RequestId: 4c9a2d17-e83f-4b60-9a7c-5d1e0f2b3c48\tDuration: 3000\.00 ms/,
        ),
        report_duration_ms: '3000',
      },
    ]);
  });

  it("reads Python's text format, taking WARNING for WARN and keeping an uncaught error whole", async () => {
    const { rows } = await built.engine.run(
      `SELECT request_id, level, message FROM "lambda"
       WHERE log_group = 'aws-lambda-report-export' AND level IS NOT NULL ORDER BY event_time`,
    );
    expect(rows).toEqual([
      {
        request_id: 'e2b84f1c-7a93-4d05-b6e1-0c8f3a29d7b5',
        level: 'INFO',
        message: 'Generating report for tenant acme',
      },
      { request_id: 'e2b84f1c-7a93-4d05-b6e1-0c8f3a29d7b5', level: 'WARN', message: 'Slow query: 310 ms' },
      {
        request_id: '5f0d9c63-2e18-4a7b-8c94-b1a6e3d70f22',
        level: 'INFO',
        message: expect.stringMatching(/^Received event: \{'rawPath': '\/reports\/\.\.\/\.\.\//),
      },
      { request_id: null, level: 'ERROR', message: expect.stringMatching(/^\[ERROR\] FileNotFoundError: /) },
    ]);
  });

  it('reads the JSON log format: the message field as text, the whole line as the record', async () => {
    const { rows } = await built.engine.run(
      `SELECT request_id, level, message, json_extract_scalar(record, '$.type') AS type, json_extract_scalar(record, '$.service') AS service,
              report_duration_ms, report_max_memory_used_mb, report_init_duration_ms
       FROM "lambda" WHERE log_group = 'aws-lambda-orders-worker' AND event_time < '2024-05-01T12:01:00.000Z' ORDER BY event_time`,
    );
    const first = '9a3c7e15-0b42-4d86-bf19-6e2a8d4c0f73';
    const none = { report_duration_ms: null, report_max_memory_used_mb: null, report_init_duration_ms: null };
    expect(rows).toEqual([
      {
        request_id: null,
        level: null,
        message: expect.stringMatching(/^\{"time":"2024-05-01T12:00:00\.000Z","type":"platform\.initStart"/),
        type: 'platform.initStart',
        service: null,
        ...none,
      },
      {
        request_id: first,
        level: null,
        message: expect.any(String),
        type: 'platform.start',
        service: null,
        ...none,
      },
      {
        request_id: first,
        level: 'INFO',
        message: 'processing batch of 2 orders',
        type: null,
        service: null,
        ...none,
      },
      {
        request_id: first,
        level: 'WARN',
        message: 'order ord-7781 has no shipping address',
        type: null,
        service: 'orders',
        ...none,
      },
      {
        request_id: first,
        level: 'ERROR',
        message:
          '{"errorType":"ValidationError","errorMessage":"quantity must be positive","order":"ord-7782"}',
        type: null,
        service: null,
        ...none,
      },
      {
        request_id: first,
        level: null,
        message: expect.any(String),
        type: 'platform.report',
        service: null,
        report_duration_ms: '118.42',
        report_max_memory_used_mb: '104',
        report_init_duration_ms: '296.5',
      },
    ]);
  });
});

describe('lines the reader must not trip over', () => {
  const scratch = useScratch();

  it('keeps a message that only looks like JSON as text, and ignores a metric that is no number', async () => {
    const { engine, dir } = scratch;
    const path = join(dir, 'odd-lines');
    await writeFile(
      path,
      [
        `2024-05-01T10:00:00.000Z START RequestId: ${requestId} Version: $LATEST`,
        '2024-05-01T10:00:00.001Z {not json} ',
        '2024-05-01T10:00:00.002Z [1, 2, 3]',
        '2024-05-01T10:00:00.003Z {"time":"2024-05-01T10:00:00.003Z","type":"platform.report","record":{"metrics":{"durationMs":"fast"}}}',
        '',
      ].join('\n'),
    );
    const { rows } = await engine.run(
      `SELECT log_group, message, record, report_duration_ms FROM (${lambdaSource.duckdbSelect([path], 'cloudwatch-export', false)}) ORDER BY event_time`,
    );
    expect(rows.slice(1)).toEqual([
      { log_group: null, message: '{not json}', record: null, report_duration_ms: null },
      { log_group: null, message: '[1, 2, 3]', record: null, report_duration_ms: null },
      {
        log_group: null,
        message: expect.stringMatching(/^\{"time"/),
        record: expect.stringMatching(/^\{"time"/),
        report_duration_ms: null,
      },
    ]);
  });
});

describe('the lambda table in Athena', () => {
  it('gives the view exactly the columns and types of the DuckDB table', async () => {
    expect(athenaColumns(ddl())).toEqual(
      await duckdbSelectColumns(lambdaSource.duckdbSelect([jsonExport], 'cloudwatch-export', false)),
    );
  });

  it('splits time and message with RegexSerDe over the whole export, and names the function from "$path"', () => {
    const [drop, table, view] = athenaStatements(ddl());
    expect(drop).toBe('DROP TABLE IF EXISTS `casefile_case_1`.`lambda_0_raw`');
    expect(table).toContain(
      'CREATE EXTERNAL TABLE `casefile_case_1`.`lambda_0_raw` (\n  `event_time` string,\n  `body` string\n)',
    );
    expect(table).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'");
    expect(table).toContain("LOCATION 's3://casefile-cases/cases/case-1/exports/aws-lambda-payments-api/'");
    expect(table).not.toContain('projection');
    expect(view).toMatch(/^CREATE OR REPLACE VIEW "casefile_case_1"\."lambda_0" AS\nSELECT\n/);
    expect(view).toContain(
      `SELECT "$path" AS path, event_time, body FROM "casefile_case_1"."lambda_0_raw" WHERE event_time IS NOT NULL`,
    );
    expect(view).toContain('try(json_parse(body)) IS NOT NULL');
  });

  it('computes every column with the SQL text DuckDB runs', () => {
    const view = athenaStatements(ddl())[2] ?? '';
    const selectList = view.slice(view.indexOf('\nSELECT\n') + 8, view.indexOf('\nFROM ('));
    expect(selectList.split(',\n')).toHaveLength(lambdaColumnNames.length);
    expect(lambdaSource.duckdbSelect(['/x'], 'cloudwatch-export', false)).toContain(
      `SELECT\n${selectList}\nFROM (`,
    );
  });

  it('the RegexSerDe expression splits export lines as DuckDB does, and refuses what DuckDB refuses', () => {
    const regex = serdeRegex(ddl());
    const lines = [
      ...readFileSync(pythonExport, 'utf8').trimEnd().split('\n'),
      ...gunzipSync(readFileSync(nodeExport)).toString('utf8').trimEnd().split('\n'),
    ];
    for (const line of lines) {
      const [, time, body] = regex.exec(line) ?? [];
      expect(time).toBe(line.slice(0, 24));
      expect(body).toBe(line.slice(25).trimEnd());
    }
    expect(regex.exec('Permission Check Successful')).toBeNull();
    expect(regex.exec('    at Object.<anonymous> (/var/task/index.js:3:9)')).toBeNull();
  });
});
