import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { inventoryAccount } from '../shared/workflow/inventory-logs.js';
import { parseAccountInput } from '../shared/workflow/step-input.js';

/** Finds which logs exist in one account, and where. */
const inventoryLogsStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context, account } = parseAccountInput(event);
  return inventoryAccount(context, account, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(inventoryLogsStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
