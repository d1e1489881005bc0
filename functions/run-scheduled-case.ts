import middy from '@middy/core';
import { caseLogging, logger } from '../shared/aws/case-logging.js';
import {
  type InvestigationStarter,
  investigationStarterFromEnvironment,
} from '../shared/aws/investigation-starter.js';
import { S3EvidenceStore } from '../shared/aws/s3-evidence-store.js';
import { runScheduledCase } from '../shared/aws/scheduled-run.js';

/** EventBridge Scheduler's target: opens the next run of the scheduled case. */
export const createHandler = (starter: () => InvestigationStarter) =>
  middy(async (event: unknown) => {
    const current = starter();
    const outcome = await runScheduledCase(event, {
      store: new S3EvidenceStore(current.caseLocation),
      start: (request, name) => current.start(request, name),
    });
    // The record of a tick that started nothing, in the function's structured log.
    if (outcome.kind === 'skipped')
      logger.warn('Scheduled run skipped: the latest run is still going', { outcome });
    else logger.info('Scheduled run', { outcome });
    return outcome;
  });

let starter: InvestigationStarter | undefined;

export const handler = createHandler(() => {
  starter ??= investigationStarterFromEnvironment();
  return starter;
}).use(caseLogging());
