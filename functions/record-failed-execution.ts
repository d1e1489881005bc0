import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import {
  parseExecutionStatusChange,
  recordFailedExecution,
} from '../shared/workflow/record-failed-execution.js';

/**
 * Target of the EventBridge rule on the investigation's FAILED, TIMED_OUT and ABORTED executions:
 * `States.ALL` does not catch States.DataLimitExceeded or States.Runtime, so without it such a case
 * would stay RUNNING (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 */
const recordFailedExecutionStep = (adapters: CaseAdapterFactory) => async (event: unknown) =>
  recordFailedExecution(parseExecutionStatusChange(event), adapters());

/** The Lambda handler over the given adapters; tests pass their own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(recordFailedExecutionStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
