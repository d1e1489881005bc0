import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { fileHuntFailure } from '../shared/workflow/file-hunt-failure.js';
import { parseHuntFailureInput } from '../shared/workflow/step-input.js';

/** Files a failed hunt's error in the case folder, so the workflow's state carries only its status. */
const fileHuntFailureStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context, huntId, failure } = parseHuntFailureInput(event);
  return fileHuntFailure(context, huntId, failure, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(fileHuntFailureStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
