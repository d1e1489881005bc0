import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { recordExportBatch } from '../shared/workflow/export-logs.js';
import { parseExportBatchOutcomes } from '../shared/workflow/step-input.js';

/** Files the outcomes of one batch of exports in the case folder, for CreateTables to read. */
const recordExportBatchStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context, batch, outcomes } = parseExportBatchOutcomes(event);
  return recordExportBatch(context, batch, outcomes, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(recordExportBatchStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
