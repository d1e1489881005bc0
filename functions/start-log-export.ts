import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import { InvalidRequestError } from '../shared/errors.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { startLogExport } from '../shared/workflow/export-logs.js';
import { parseCaseInput } from '../shared/workflow/step-input.js';

/** Starts the export of one CloudWatch-only log group for the case window. */
const startLogExportStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const input = parseCaseInput(event);
  const logGroup = (input.export as { logGroup?: unknown } | undefined)?.logGroup;
  if (typeof logGroup !== 'string' || logGroup === '')
    throw new InvalidRequestError("'export.logGroup' is required.");
  return startLogExport(input.case, logGroup, adapters(input.case));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(startLogExportStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
