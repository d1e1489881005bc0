import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import { InvalidRequestError } from '../shared/errors.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { checkLogExport } from '../shared/workflow/export-logs.js';
import { parseCaseInput } from '../shared/workflow/step-input.js';

/** Reports whether one export task is still running; the workflow waits and asks again. */
const checkLogExportStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const input = parseCaseInput(event);
  if (typeof input.taskId !== 'string' || input.taskId === '')
    throw new InvalidRequestError("'taskId' is required.");
  return checkLogExport(input.taskId, adapters(input.case));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(checkLogExportStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
