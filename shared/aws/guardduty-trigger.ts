import { z } from 'zod';
import {
  defaultFindingScope,
  investigationFromFinding,
  parseGuardDutyFinding,
} from '../domain/guardduty-finding.js';
import { InvalidRequestError, TransientServiceError } from '../errors.js';
import type { InvestigationStarter, StartOutcome } from './investigation-starter.js';

/** The EventBridge envelope of a GuardDuty finding (`source: aws.guardduty`, `detail-type: GuardDuty Finding`). */
const findingEventSchema = z.object({
  source: z.literal('aws.guardduty'),
  'detail-type': z.literal('GuardDuty Finding'),
  detail: z.unknown(),
});

export interface GuardDutyTriggerOptions {
  /** Findings below this severity open no case (GuardDuty's High band starts at 7). */
  minSeverity: number;
  lookbackHours: number;
  afterHours: number;
  now: () => Date;
}

export type GuardDutyTriggerOutcome =
  | StartOutcome
  | { kind: 'below-threshold'; findingId: string; severity: number; minSeverity: number };

/**
 * Opens one investigation per finding. GuardDuty re-publishes an active finding when it is updated;
 * the case id is the finding's, so a re-published finding reaches the case already open for it
 * (`existing` for the same version, `conflict` for a later one) and never starts a second case.
 */
export async function startFromGuardDutyEvent(
  event: unknown,
  starter: Pick<InvestigationStarter, 'start'>,
  options: GuardDutyTriggerOptions,
): Promise<GuardDutyTriggerOutcome> {
  const envelope = findingEventSchema.safeParse(event);
  if (!envelope.success) {
    throw new InvalidRequestError('The event is not a GuardDuty Finding event from EventBridge.');
  }
  const finding = parseGuardDutyFinding(envelope.data.detail);
  if (finding.severity < options.minSeverity) {
    return {
      kind: 'below-threshold',
      findingId: finding.id,
      severity: finding.severity,
      minSeverity: options.minSeverity,
    };
  }
  const { request } = investigationFromFinding(finding, { ...options, now: options.now() });
  const outcome = await starter.start(request as unknown as Record<string, unknown>);
  // A throttled start is thrown so that EventBridge's retry policy delivers the finding again.
  if (outcome.kind === 'busy') {
    throw new TransientServiceError(
      `Step Functions is busy (${outcome.reason}); the finding will be delivered again.`,
    );
  }
  return outcome;
}

/** Options from the function's environment (serverless.yml), with the documented defaults. */
export function guardDutyTriggerOptionsFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): GuardDutyTriggerOptions {
  return {
    minSeverity: numberOr(env.GUARDDUTY_MIN_SEVERITY, 7),
    lookbackHours: numberOr(env.GUARDDUTY_LOOKBACK_HOURS, defaultFindingScope.lookbackHours),
    afterHours: numberOr(env.GUARDDUTY_AFTER_HOURS, defaultFindingScope.afterHours),
    now: () => new Date(),
  };
}

function numberOr(raw: string | undefined, fallback: number): number {
  const value = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? value : fallback;
}
