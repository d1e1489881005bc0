import middy from '@middy/core';
import { caseLogging } from '../shared/aws/case-logging.js';
import {
  type GuardDutyTriggerOptions,
  guardDutyTriggerOptionsFromEnvironment,
  startFromGuardDutyEvent,
} from '../shared/aws/guardduty-trigger.js';
import {
  type InvestigationStarter,
  investigationStarterFromEnvironment,
} from '../shared/aws/investigation-starter.js';

/** EventBridge rule on GuardDuty findings: opens (or finds) the investigation of a serious finding. */
export const createHandler = (starter: () => InvestigationStarter, options: () => GuardDutyTriggerOptions) =>
  middy(async (event: unknown) => startFromGuardDutyEvent(event, starter(), options()));

let starter: InvestigationStarter | undefined;

export const handler = createHandler(
  () => {
    starter ??= investigationStarterFromEnvironment();
    return starter;
  },
  () => guardDutyTriggerOptionsFromEnvironment(),
).use(caseLogging());
