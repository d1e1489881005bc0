import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { mergeInventory } from '../shared/workflow/inventory-logs.js';
import { parseAccountOutcomes } from '../shared/workflow/step-input.js';

/** Merges the accounts' inventories into inventory.json, with the coverage of every source. */
const mergeInventoryStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context, accounts } = parseAccountOutcomes(event);
  return mergeInventory(context, accounts, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(mergeInventoryStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
