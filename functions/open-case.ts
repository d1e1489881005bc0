import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { openCase } from '../shared/workflow/open-case.js';

/** Validates the request and opens the case folder. */
const openCaseStep = (adapters: CaseAdapterFactory) => async (event: unknown) => openCase(event, adapters());

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(openCaseStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
