import { z } from 'zod';
import { extendCaseFromFinding, type FindingUpdateOutcome } from '../api/case-reruns.js';
import {
  defaultFindingScope,
  investigationFromFinding,
  parseGuardDutyFinding,
} from '../domain/guardduty-finding.js';
import { InvalidRequestError, TransientServiceError } from '../errors.js';
import type { EvidenceStore } from '../ports/evidence-store.js';
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
  | FindingUpdateOutcome
  | { kind: 'below-threshold'; findingId: string; severity: number; minSeverity: number };

/**
 * Opens one investigation per finding. GuardDuty re-publishes an active finding as it recurs, with a
 * later `updatedAt` (and `service.count`, `service.eventLastSeen`)
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_cloudwatch.html). The case
 * id is the finding's, so a re-published finding reaches the case already open for it: the same
 * `updatedAt` changes nothing, a later one opens the case's next run (see extendCaseFromFinding).
 */
export async function startFromGuardDutyEvent(
  event: unknown,
  starter: Pick<InvestigationStarter, 'start'>,
  options: GuardDutyTriggerOptions,
  store: EvidenceStore,
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
  const { request, updatedAt } = investigationFromFinding(finding, { ...options, now: options.now() });
  const outcome = await starter.start(request as unknown as Record<string, unknown>);
  if (outcome.kind === 'existing' || outcome.kind === 'conflict') {
    const extended = await extendCaseFromFinding(
      { store, start: (next, name) => starter.start(next, name) },
      { caseId: outcome.caseId, updatedAt, to: request.to as string, iocs: request.iocs ?? {} },
    );
    return settled(extended);
  }
  return settled(outcome);
}

/**
 * What is thrown so that the finding is delivered again later (the function's asynchronous retries,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): Step Functions
 * busy, the case's run still going, or the case started and not opened yet. The update is not lost.
 */
function settled<T extends { kind: string }>(outcome: T): T {
  const later: Record<string, string> = {
    busy: 'Step Functions is busy',
    skipped: 'the case is still in its latest run',
    'not-opened-yet': 'the case was started and has not opened its folder yet',
    conflict: 'another update of the finding opened that run first',
  };
  const reason = later[outcome.kind];
  if (reason) throw new TransientServiceError(`${reason}; the finding will be delivered again.`);
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
