import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { runHunt } from '../shared/workflow/run-hunt.js';
import { parseHuntInput } from '../shared/workflow/step-input.js';

/** Runs one hunt of the fan-out and files its result in the case folder. */
const runHuntStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const input = parseHuntInput(event);
  return runHunt(input.case, input.huntId, adapters(input.case), input.route);
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(runHuntStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
