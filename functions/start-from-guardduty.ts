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
import { S3EvidenceStore } from '../shared/aws/s3-evidence-store.js';

/** EventBridge rule on GuardDuty findings: opens (or finds) the investigation of a serious finding. */
export const createHandler = (starter: () => InvestigationStarter, options: () => GuardDutyTriggerOptions) =>
  middy(async (event: unknown) => {
    const current = starter();
    // case.json says which versions of the finding the case has run for.
    return startFromGuardDutyEvent(event, current, options(), new S3EvidenceStore(current.caseLocation));
  });

let starter: InvestigationStarter | undefined;

export const handler = createHandler(
  () => {
    starter ??= investigationStarterFromEnvironment();
    return starter;
  },
  () => guardDutyTriggerOptionsFromEnvironment(),
).use(caseLogging());
