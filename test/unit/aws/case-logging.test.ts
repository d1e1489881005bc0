import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { caseIdOf, caseLogging, logger } from '../../../shared/aws/case-logging.js';

const context = {
  functionName: 'casefile-test-runHunt',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:casefile-test-runHunt',
  memoryLimitInMB: '1024',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

/** Every line the logger prints, parsed: Powertools writes one JSON object per line to stdout. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const write = (chunk: unknown) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(write as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write as typeof process.stderr.write);
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('caseLogging', () => {
  it('puts the case id and the Lambda request id on every line a step logs', async () => {
    const lines = capture();
    const handler = middy(async () => {
      logger.info('hunt ran');
      return 'ok';
    }).use(caseLogging());

    await handler({ case: { caseId: 'ir-2024-017' }, huntId: 'root-account-usage' }, context);

    expect(lines.find((l) => l.message === 'hunt ran')).toMatchObject({
      level: 'INFO',
      service: 'casefile',
      caseId: 'ir-2024-017',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    });
  });

  it('logs a failed step with its error and the case id, and lets the error reach Step Functions', async () => {
    const lines = capture();
    const handler = middy(async () => {
      throw new Error('Athena said no');
    }).use(caseLogging());

    await expect(handler({ caseId: 'ir-2024-018' }, context)).rejects.toThrow('Athena said no');
    expect(lines.find((l) => l.message === 'step failed')).toMatchObject({
      level: 'ERROR',
      caseId: 'ir-2024-018',
      error: { message: 'Athena said no' },
    });
  });

  it('does not carry one case id into the next invocation', async () => {
    const lines = capture();
    const handler = middy(async () => {
      logger.info('step');
    }).use(caseLogging());
    await handler({ caseId: 'first' }, context);
    await handler({ unrelated: true }, context);
    const steps = lines.filter((l) => l.message === 'step');
    expect(steps[0]?.caseId).toBe('first');
    expect(steps[1]?.caseId).toBeUndefined();
  });

  it('finds the case id where each kind of event carries it', () => {
    expect(caseIdOf({ case: { caseId: 'a' } })).toBe('a');
    expect(caseIdOf({ caseId: 'b' })).toBe('b');
    // OpenCase's input, as the state machine's Parameters build it.
    expect(caseIdOf({ request: { caseId: 'r' }, runId: 'exec-1' })).toBe('r');
    expect(caseIdOf({ pathParameters: { caseId: 'c' } })).toBe('c');
    expect(caseIdOf({ source: 'aws.states', detail: { name: 'd' } })).toBe('d');
    // Run 2 of case e: the execution is named after the run, its input names the case.
    expect(
      caseIdOf({ source: 'aws.states', detail: { name: 'e.run-2', input: JSON.stringify({ caseId: 'e' }) } }),
    ).toBe('e');
    expect(caseIdOf({ source: 'aws.guardduty', detail: { name: 'not-a-case' } })).toBeUndefined();
    expect(caseIdOf({ detail: {} })).toBeUndefined();
  });
});
