import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { listExportBatch } from '../shared/workflow/export-logs.js';
import { parseExportBatchInput } from '../shared/workflow/step-input.js';

/** Reads one batch of the log groups to export from the case's inventory. */
const listExportBatchStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context, batch } = parseExportBatchInput(event);
  return listExportBatch(context, batch, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(listExportBatchStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
