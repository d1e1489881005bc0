import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { parseReportInput } from '../shared/workflow/step-input.js';
import { traceStory } from '../shared/workflow/trace-story.js';

/** Writes the case's lineage, pivot rounds, open items and log completeness; returns counts only. */
const traceStoryStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const input = parseReportInput(event);
  return traceStory({ case: input.case, hunts: input.hunts }, adapters(input.case));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(traceStoryStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
