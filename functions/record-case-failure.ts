import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { recordCaseFailure } from '../shared/workflow/record-case-failure.js';
import { parseFailureInput } from '../shared/workflow/step-input.js';

/** Records in case.json which step failed and why, so a failed case still explains itself. */
const recordCaseFailureStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const input = parseFailureInput(event);
  return recordCaseFailure(input, adapters(input.case));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(recordCaseFailureStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
