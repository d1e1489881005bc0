import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { planInventory } from '../shared/workflow/inventory-logs.js';
import { parseCaseInput } from '../shared/workflow/step-input.js';

/** Lists the accounts to inventory, one Map iteration each. */
const planInventoryStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context } = parseCaseInput(event);
  return planInventory(context, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(planInventoryStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
