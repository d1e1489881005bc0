import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { buildReport } from '../shared/workflow/build-report.js';
import { parseReportInput } from '../shared/workflow/step-input.js';

/** Writes summary.json and report.md from the hunts' outcomes and completes the case. */
const buildReportStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const input = parseReportInput(event);
  return buildReport(input, adapters(input.case));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(buildReportStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
