import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { fileAccountFailure } from '../shared/workflow/inventory-logs.js';
import { parseAccountFailureInput } from '../shared/workflow/step-input.js';

/** Files why an account could not be inventoried, so the workflow's state carries only its status. */
const fileAccountFailureStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context, account, failure } = parseAccountFailureInput(event);
  return fileAccountFailure(context, account, failure, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(fileAccountFailureStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
