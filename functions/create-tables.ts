import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { createTables } from '../shared/workflow/create-tables.js';
import { readExportOutcomes } from '../shared/workflow/export-logs.js';
import { parseExportsInput } from '../shared/workflow/step-input.js';

/** Makes every found log source queryable and picks the hunts. */
const createTablesStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context, exportBatches } = parseExportsInput(event);
  const caseAdapters = adapters(context);
  const exports = await readExportOutcomes(context, exportBatches, caseAdapters);
  return createTables(context, exports, caseAdapters);
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(createTablesStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
