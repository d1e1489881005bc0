import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serveInvestigations } from '../../shared/local/app/investigations-server.js';

/** Contract tests: every answer of `casefile serve` is one `api/openapi.yaml` documents, in its schema. */
const openapi = parse(await readFile(new URL('../../api/openapi.yaml', import.meta.url), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(openapi, 'openapi');

type Operation = 'startInvestigation' | 'getInvestigation' | 'getHuntResult' | 'getReport';
function documentedResponse(operation: Operation, status: number) {
  for (const path of Object.values(openapi.paths) as Record<
    string,
    { operationId: string; responses: object }
  >[]) {
    for (const op of Object.values(path)) {
      if (op.operationId !== operation) continue;
      let response = (op.responses as Record<string, { $ref?: string; content?: object }>)[String(status)];
      if (response?.$ref) response = openapi.components.responses[response.$ref.split('/').pop() as string];
      return response;
    }
  }
  throw new Error(`No operation ${operation}`);
}

let server: Server;
let base: string;

async function call(
  operation: Operation,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  const documented = documentedResponse(operation, response.status);
  expect(
    documented,
    `${operation} answered ${response.status}, which the OpenAPI document does not list`,
  ).toBeDefined();
  const contentType = response.headers.get('content-type') ?? '';
  const found = Object.entries(documented?.content ?? {}).find(([type]) => contentType.startsWith(type));
  expect(
    found,
    `${operation} answered ${contentType}, which the OpenAPI document does not list`,
  ).toBeDefined();
  const [mediaType, media] = found as [string, { schema: object }];
  if (mediaType === 'application/json') {
    const json = JSON.parse(text);
    const schema = media.schema as { $ref?: string };
    const validate = schema.$ref ? ajv.getSchema(`openapi${schema.$ref}`) : ajv.compile(schema);
    expect(validate?.(json), JSON.stringify(validate?.errors)).toBe(true);
    return { status: response.status, json, text };
  }
  return { status: response.status, json: null, text };
}

const record = (eventName: string, at: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.09',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAQEXAMPLEUSER0001',
    arn: 'arn:aws:iam::111122223333:user/intruder',
    accountId: '111122223333',
    accessKeyId: 'AKIAQEXAMPLEKEY00001',
    userName: 'intruder',
  },
  eventTime: at,
  eventSource: 'cloudtrail.amazonaws.com',
  eventName,
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.10',
  userAgent: 'aws-cli/2.15.30',
  requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail' },
  responseElements: null,
  eventID: `0000000${at.slice(11, 13)}-0000-4000-8000-000000000001`,
  readOnly: false,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '111122223333',
  ...extra,
});

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'casefile-api-'));
  const logs = join(work, 'logs');
  await mkdir(logs);
  await writeFile(
    join(logs, 'trail.json'),
    JSON.stringify({
      Records: [
        record('DescribeTrails', '2024-05-01T09:00:00Z', { readOnly: true }),
        record('StopLogging', '2024-05-01T10:00:00Z'),
        record('StopLogging', '2024-05-01T11:00:00Z', { eventID: '00000011-0000-4000-8000-000000000002' }),
      ],
    }),
  );
  ({ server, url: base } = await serveInvestigations({ logs, out: join(work, 'cases'), port: 0 }));
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

async function completed(caseId: string) {
  for (let i = 0; i < 600; i++) {
    const { json } = await call('getInvestigation', 'GET', `/investigations/${caseId}`);
    // BuildReport marks the case COMPLETED; the manifest is written by the step after it.
    if (json.status !== 'RUNNING' && (json.status !== 'COMPLETED' || json.step === 'WriteManifest'))
      return json;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`case ${caseId} never finished`);
}

describe('POST /investigations, then the case through the API', () => {
  it('starts a case (202), reports its progress and findings, pages hunt rows and serves the report', async () => {
    const request = { caseId: 'api-case', from: '2024-05-01', to: '2024-05-01', reason: 'ticket IR-17' };
    const started = await call('startInvestigation', 'POST', '/investigations', request);
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ caseId: 'api-case', links: { self: '/investigations/api-case' } });

    const status = await completed('api-case');
    expect(status).toMatchObject({ status: 'COMPLETED', step: 'WriteManifest' });
    expect(status.findingsBySeverity.critical).toBeGreaterThanOrEqual(1);
    expect(status.hunts.done).toBe(status.hunts.total);

    const first = await call(
      'getHuntResult',
      'GET',
      '/investigations/api-case/hunts/cloudtrail-logging-disabled?limit=1',
    );
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ rowCount: 2, offset: 0, limit: 1 });
    expect(first.json.rows).toHaveLength(1);
    expect(first.json.rows[0].event_name).toBe('StopLogging');
    const second = await call('getHuntResult', 'GET', first.json.next);
    expect(second.json.rows).toHaveLength(1);
    expect(second.json.next).toBeNull();
    expect(second.json.rows[0].eventid).not.toBe(first.json.rows[0].eventid);

    const report = await call('getReport', 'GET', '/investigations/api-case/report');
    expect(report.status).toBe(200);
    expect(report.text).toMatch(/^# Case api-case/);
  });

  it('hands out short-lived download links that serve exactly the case files, to no one without the token', async () => {
    await completed('api-case');
    const before = Date.now();
    const rowsLink = await call(
      'getHuntResult',
      'GET',
      '/investigations/api-case/hunts/cloudtrail-logging-disabled?as=link&expiresIn=120',
    );
    expect(rowsLink.status).toBe(200);
    expect(rowsLink.json).toMatchObject({
      fileName: 'api-case-cloudtrail-logging-disabled.csv',
      contentType: 'text/csv; charset=utf-8',
    });
    const expiresAt = Date.parse(rowsLink.json.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 120_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 120_000);
    const { origin } = new URL(base);
    expect(new URL(rowsLink.json.url).origin).toBe(origin);
    const rows = await fetch(rowsLink.json.url);
    expect(rows.status).toBe(200);
    expect(rows.headers.get('content-disposition')).toBe(
      'attachment; filename="api-case-cloudtrail-logging-disabled.csv"',
    );
    const csv = await rows.text();
    expect(csv.split('\n')[0]).toMatch(/^event_time,event_name,/);
    expect(csv.match(/StopLogging/g)).toHaveLength(2);

    const reportLink = await call('getReport', 'GET', '/investigations/api-case/report?format=html&as=link');
    expect(reportLink.json.fileName).toBe('api-case-report.html');
    expect(Date.parse(reportLink.json.expiresAt) - before).toBeGreaterThanOrEqual(900_000 - 1000);
    const page = await fetch(reportLink.json.url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toMatch(/^<!doctype html>/i);
    const html = await call('getReport', 'GET', '/investigations/api-case/report?format=html');
    expect(html.text).toMatch(/^<!doctype html>/i);

    // Tokens are not guessable from each other, and a made-up one finds nothing.
    const tokens = [rowsLink.json.url, reportLink.json.url].map((u: string) => u.split('/').pop() as string);
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(tokens[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await fetch(`${base}/downloads/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await fetch(`${base}/downloads/`)).status).toBe(404);
  });

  it.each([
    ['a link that would live under a minute', 'as=link&expiresIn=30', 'expiresIn'],
    ['a link that would live over an hour', 'as=link&expiresIn=86400', 'expiresIn'],
    ['an expiry without a link', 'expiresIn=300', 'expiresIn'],
    ['an unknown answer form', 'as=zip', 'as'],
  ])('refuses %s, naming the parameter', async (_, query, field) => {
    const answer = await call('getReport', 'GET', `/investigations/api-case/report?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.json.field).toBe(field);
  });

  it('records a scope with no logs in it as a completed case that read nothing, and says why', async () => {
    const request = { caseId: 'api-scoped', accounts: ['999988887777'], sources: ['cloudtrail'] };
    expect((await call('startInvestigation', 'POST', '/investigations', request)).status).toBe(202);
    const status = await completed('api-scoped');
    expect(status.status).toBe('COMPLETED');
    const report = await call('getReport', 'GET', '/investigations/api-scoped/report');
    expect(report.text).toContain('- Scope: accounts 999988887777; sources cloudtrail');
    expect(report.text).toContain('No log records were read');
  });

  it('answers the same request again with the existing case (200) and another request under its id with 409', async () => {
    const request = { caseId: 'api-repeat', from: '2024-05-01', to: '2024-05-01' };
    expect((await call('startInvestigation', 'POST', '/investigations', request)).status).toBe(202);
    const again = await call('startInvestigation', 'POST', '/investigations', request);
    expect(again.status).toBe(200);
    expect(again.json.caseId).toBe('api-repeat');
    const other = await call('startInvestigation', 'POST', '/investigations', {
      ...request,
      to: '2024-05-02',
    });
    expect(other.status).toBe(409);
    await completed('api-repeat');
  });

  it('uses an Idempotency-Key to recognise a retried POST without a case id', async () => {
    const headers = { 'Idempotency-Key': 'ticket-IR-18-attempt' };
    const request = { from: '2024-05-01', to: '2024-05-01' };
    const first = await call('startInvestigation', 'POST', '/investigations', request, headers);
    expect(first.status).toBe(202);
    const retried = await call('startInvestigation', 'POST', '/investigations', request, headers);
    expect(retried.status).toBe(200);
    expect(retried.json.caseId).toBe(first.json.caseId);
    const changed = await call(
      'startInvestigation',
      'POST',
      '/investigations',
      { ...request, reason: 'x' },
      headers,
    );
    expect(changed.status).toBe(409);
    await completed(first.json.caseId);
  });
});

describe('precise errors', () => {
  const now = new Date();
  const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  it.each([
    ['an unknown field', { windowStart: '2024-05-01' }, 'windowStart'],
    ['a case id with a slash', { caseId: '../etc' }, 'caseId'],
    ['a reversed window', { from: '2024-05-02', to: '2024-05-01' }, 'from'],
    ['a window starting in the future', { from: inDays(3) }, 'from'],
    ['a window ending in the future', { from: inDays(-1), to: inDays(5) }, 'to'],
    ['a window of three years', { from: '2021-01-01', to: '2024-01-01' }, 'from'],
    ['an unknown hunt', { hunts: ['cloudtrail-logging-disabled', 'no-such-hunt'] }, 'hunts'],
    ['a malformed indicator', { iocs: { ips: ['203.0.113.7:443'] } }, 'iocs'],
    ['an unknown indicator type', { iocs: { emails: ['a@b.c'] } }, 'iocs'],
    ['an account id that is not 12 digits', { accounts: ['12345'] }, 'accounts'],
    ['an unknown source', { sources: ['syslog'] }, 'sources'],
    ['an empty list of regions', { regions: [] }, 'regions'],
    ['a region name with a typo', { regions: ['eu-west'] }, 'regions'],
    ['a concurrency of 0', { maxConcurrency: 0 }, 'maxConcurrency'],
  ])('refuses %s, naming the field', async (_, body, field) => {
    const answer = await call('startInvestigation', 'POST', '/investigations', body);
    expect(answer.status).toBe(400);
    expect(answer.json.field).toBe(field);
  });

  it('names the unknown hunts', async () => {
    const answer = await call('startInvestigation', 'POST', '/investigations', { hunts: ['no-such-hunt'] });
    expect(answer.json.message).toContain('no-such-hunt');
  });

  it.each([
    ['a body that is not JSON', '{"from":'],
    ['a JSON array', '[]'],
    ['an empty body', ''],
  ])('refuses %s', async (_, body) => {
    expect((await call('startInvestigation', 'POST', '/investigations', body)).status).toBe(400);
  });

  it('refuses a body over the 256 KiB a workflow input may be, with 413', async () => {
    const answer = await call('startInvestigation', 'POST', '/investigations', {
      reason: 'x'.repeat(300_000),
    });
    expect(answer.status).toBe(413);
  });

  it('answers 404 for an unknown case, hunt result or report, and 400 for a malformed id', async () => {
    expect((await call('getInvestigation', 'GET', '/investigations/no-such-case')).status).toBe(404);
    expect((await call('getReport', 'GET', '/investigations/no-such-case/report')).status).toBe(404);
    expect((await call('getHuntResult', 'GET', '/investigations/no-such-case/hunts/x1')).status).toBe(404);
    // An unknown case is a 404 before any run number is looked at.
    expect((await call('getHuntResult', 'GET', '/investigations/no-such-case/hunts/x1?run=0')).status).toBe(
      404,
    );
    expect((await call('getReport', 'GET', '/investigations/no-such-case/report?run=7')).status).toBe(404);
    expect((await call('getHuntResult', 'GET', '/investigations/api-case/hunts/x1?limit=5000')).status).toBe(
      400,
    );
    expect((await call('getInvestigation', 'GET', '/investigations/bad%20id')).status).toBe(400);
  });
});
