import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  InvalidArn,
  InvalidExecutionInput,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleApiRequest } from '../../../shared/api/investigations-api.js';
import {
  InvestigationStarter,
  investigationStarterFromEnvironment,
} from '../../../shared/aws/investigation-starter.js';
import { CasefileError } from '../../../shared/errors.js';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';

const sfn = mockClient(SFNClient);
const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:casefile-test-investigation';
const executionArn = (name: string) =>
  `arn:aws:states:us-east-1:111122223333:execution:casefile-test-investigation:${name}`;
const NOW = new Date('2024-05-02T10:00:00Z');

function starter() {
  return new InvestigationStarter({
    client: new SFNClient({ region: 'us-east-1' }),
    stateMachineArn: STATE_MACHINE,
    caseBucket: 'casefile-test-cases',
    now: () => NOW,
  });
}

const post = (body: unknown) => ({ body: JSON.stringify(body) });

/** POST /investigations as the API Lambda answers it, over this starter. */
function postInvestigation(event: { body?: string }, headers: Record<string, string> = {}) {
  const s = starter();
  return handleApiRequest(
    { method: 'POST', path: '/investigations', query: {}, headers, body: event.body ?? null },
    {
      start: (request) => s.start(request),
      store: new FileEvidenceStore('/nonexistent-case-store'),
      knownHuntIds: async () => new Set(['cloudtrail-logging-disabled']),
      now: () => NOW,
      isStarting: async () => false,
      downloadLink: async () => {
        throw new Error('POST /investigations makes no download link');
      },
    },
  );
}
const json = (response: { body?: string }) => JSON.parse(response.body ?? '') as Record<string, unknown>;

beforeEach(() => {
  sfn.reset();
});

describe('POST /investigations through InvestigationStarter', () => {
  it('starts the execution named after the case and answers 202 with where the case folder will be', async () => {
    sfn.on(StartExecutionCommand).resolves({
      executionArn: executionArn('ir-2024-017'),
      startDate: new Date('2024-05-02T10:00:01Z'),
    });
    const request = { caseId: 'ir-2024-017', from: '2024-04-28', to: '2024-05-02', requestedBy: 'alice' };

    const response = await postInvestigation(post(request));

    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE,
      name: 'ir-2024-017',
      input: JSON.stringify(request),
    });
    expect(response.statusCode).toBe(202);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(json(response)).toEqual({
      caseId: 'ir-2024-017',
      executionArn: executionArn('ir-2024-017'),
      startDate: '2024-05-02T10:00:01.000Z',
      caseFolder: 's3://casefile-test-cases/cases/ir-2024-017/',
      links: {
        self: '/investigations/ir-2024-017',
        report: '/investigations/ir-2024-017/report',
        caseFolder: 's3://casefile-test-cases/cases/ir-2024-017/',
      },
    });
  });

  it('fills in a new case id when the request has none, and passes it on in the input', async () => {
    sfn.on(StartExecutionCommand).callsFake((input) => ({
      executionArn: executionArn(input.name),
      startDate: NOW,
    }));

    const response = await postInvestigation(post({ reason: 'GuardDuty finding 42' }));

    const { caseId } = json(response);
    expect(response.statusCode).toBe(202);
    expect(caseId).toMatch(/^case-20240502T100000-[0-9a-f]{6}$/);
    const sent = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(sent?.name).toBe(caseId);
    expect(JSON.parse(sent?.input ?? '')).toEqual({ reason: 'GuardDuty finding 42', caseId });
  });

  it.each([
    ['no body', { body: undefined }, /JSON object/],
    ['a body that is not JSON', { body: '{"caseId": ', isBase64Encoded: false }, /not JSON/],
    ['a JSON array', post([1, 2]), /must be a JSON object/],
    ['a field the API does not know', post({ window: '7d' }), /Unknown field 'window'/],
    ['a hunt the library does not have', post({ hunts: ['no-such-hunt'] }), /Unknown hunts: no-such-hunt/],
    ['a case id Step Functions cannot name an execution', post({ caseId: 'case 1; rm -rf' }), /caseId/],
    ['a window that ends before it starts', post({ from: '2024-05-02', to: '2024-05-01' }), /after it ends/],
    ['a maxConcurrency out of range', post({ maxConcurrency: 500 }), /maxConcurrency/],
    ['an IOC of an unknown type', post({ iocs: { hashes: ['abc'] } }), /Unknown IOC type/],
    ['an allowlist with a bad range', post({ allowlist: { sourceIps: ['10.0.0.0/40'] } }), /CIDR/],
    [
      'a Sigma rule whose file name climbs out',
      post({ sigmaRules: [{ file: '../x.yml', text: 'a: 1' }] }),
      /file name/,
    ],
  ])('answers 400 without starting anything for %s', async (_what, event, message) => {
    const response = await postInvestigation(event);

    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({
      error: 'InvalidRequest',
      message: expect.stringMatching(message),
      field: expect.any(String),
    });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 200 with the existing execution when the same request is sent again', async () => {
    const request = { caseId: 'ir-2024-017', from: '2024-04-28' };
    sfn.on(StartExecutionCommand).rejects(
      new ExecutionAlreadyExists({
        message: `Execution Already Exists: '${executionArn('ir-2024-017')}'`,
        $metadata: {},
      }),
    );
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: executionArn('ir-2024-017'),
      stateMachineArn: STATE_MACHINE,
      name: 'ir-2024-017',
      status: 'SUCCEEDED',
      startDate: new Date('2024-05-01T08:00:00Z'),
      stopDate: new Date('2024-05-01T08:09:00Z'),
      // Same request, keys in another order: still the same investigation.
      input: JSON.stringify({ from: '2024-04-28', caseId: 'ir-2024-017' }),
      inputDetails: { included: true },
    });

    const response = await postInvestigation(post(request));

    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, {
      executionArn: executionArn('ir-2024-017'),
    });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      caseId: 'ir-2024-017',
      executionArn: executionArn('ir-2024-017'),
      status: 'SUCCEEDED',
      startDate: '2024-05-01T08:00:00.000Z',
      caseFolder: 's3://casefile-test-cases/cases/ir-2024-017/',
      links: {
        self: '/investigations/ir-2024-017',
        report: '/investigations/ir-2024-017/report',
        caseFolder: 's3://casefile-test-cases/cases/ir-2024-017/',
      },
    });
  });

  it('answers 409 when the case id was used for another request', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: executionArn('ir-2024-017'),
      stateMachineArn: STATE_MACHINE,
      status: 'RUNNING',
      startDate: new Date('2024-05-01T08:00:00Z'),
      input: JSON.stringify({ caseId: 'ir-2024-017', from: '2024-01-01' }),
    });

    const response = await postInvestigation(post({ caseId: 'ir-2024-017', from: '2024-04-28' }));

    expect(response.statusCode).toBe(409);
    expect(json(response)).toEqual({
      error: 'CaseIdInUse',
      message: expect.stringContaining('already started with another request'),
    });
  });

  it('answers 503 with Retry-After when Step Functions is still throttling after the SDK retries', async () => {
    sfn.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const response = await postInvestigation(post({ caseId: 'ir-2024-018' }));

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '5' });
    expect(json(response)).toEqual({
      error: 'ServiceBusy',
      message: expect.stringContaining('ThrottlingException'),
    });
  });

  it('answers 400 when Step Functions refuses the input itself', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new InvalidExecutionInput({ message: 'Input exceeds the 262144 bytes limit', $metadata: {} }));

    const response = await postInvestigation(
      post({ caseId: 'ir-2024-019', sigmaRules: [{ file: 'big.yml', text: 'x'.repeat(190_000) }] }),
    );

    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({
      error: 'InvalidRequest',
      message: expect.stringContaining('262144 bytes'),
    });
  });

  it('lets a misconfiguration fail the invocation rather than blame the caller', async () => {
    sfn.on(StartExecutionCommand).rejects(new InvalidArn({ message: 'Invalid Arn', $metadata: {} }));

    await expect(postInvestigation(post({}))).rejects.toBeInstanceOf(InvalidArn);
  });
});

describe('investigationStarterFromEnvironment', () => {
  it('needs the state machine and the case bucket', () => {
    expect(() => investigationStarterFromEnvironment({ CASE_BUCKET: 'b' })).toThrow(CasefileError);
    expect(
      investigationStarterFromEnvironment({
        STATE_MACHINE_ARN: STATE_MACHINE,
        CASE_BUCKET: 'b',
        CASE_PREFIX: 'x',
      }),
    ).toBeInstanceOf(InvestigationStarter);
  });
});

describe('InvestigationStarter.isRunning', () => {
  it('says a started case is running before its folder exists, and an unknown one is not', async () => {
    sfn
      .on(DescribeExecutionCommand, { executionArn: executionArn('ir-2024-020') })
      .resolves({ status: 'RUNNING' })
      .on(DescribeExecutionCommand, { executionArn: executionArn('never-started') })
      .rejects(Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' }));
    expect(await starter().isRunning('ir-2024-020')).toBe(true);
    expect(await starter().isRunning('never-started')).toBe(false);
  });
});
