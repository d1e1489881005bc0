import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { inventoryLogs } from '../shared/workflow/inventory-logs.js';
import { parseCaseInput } from '../shared/workflow/step-input.js';

/** Finds which logs exist for the case and where. */
const inventoryLogsStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context } = parseCaseInput(event);
  return inventoryLogs(context, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(inventoryLogsStep(adapters));

export const handler = createHandler(awsCaseAdapters);
