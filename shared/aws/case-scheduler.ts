import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { type CaseSchedule, rateExpression, scheduleEnd, scheduleName } from '../domain/case-schedule.js';
import { CasefileError } from '../errors.js';

export interface CaseSchedulerOptions {
  client?: SchedulerClient;
  /** casefile's own schedule group: the starter may create and delete schedules there only. */
  groupName: string;
  /** The function that opens the next run of a case (functions/run-scheduled-case.ts). */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it, allowed that one function only. */
  roleArn: string;
}

/** What a case's schedule came to: its name in the group, its rate and when it stops. */
export interface CreatedSchedule {
  name: string;
  every: string;
  endsAt: string;
}

/**
 * One EventBridge Scheduler schedule per scheduled case
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html): a rate
 * expression, an `EndDate` after the days asked for and `ActionAfterCompletion: DELETE`, so the
 * schedule removes itself once its last invocation is done. Its target is a Lambda function invoked
 * asynchronously with `{ caseId }` as input, through a role Scheduler assumes
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html).
 */
export class CaseScheduler {
  private readonly client: SchedulerClient;

  constructor(private readonly options: CaseSchedulerOptions) {
    this.client = options.client ?? new SchedulerClient({});
  }

  /** Creates the case's schedule; one that exists already (a retried request) is the same schedule. */
  async create(caseId: string, schedule: CaseSchedule, startedAt: Date): Promise<CreatedSchedule> {
    const name = scheduleName(caseId);
    const endsAt = scheduleEnd(schedule, startedAt);
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.options.groupName,
          ScheduleExpression: rateExpression(schedule),
          ScheduleExpressionTimezone: 'UTC',
          EndDate: endsAt,
          ActionAfterCompletion: 'DELETE',
          // A run need not start on the minute; a window lets Scheduler spread invocations
          // (Mode FLEXIBLE, 1-1440 minutes), kept well under the rate so runs do not bunch up.
          FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: flexibleMinutes(schedule) },
          Description: `casefile: run case ${caseId} again every ${schedule.every} for ${schedule.forDays} day(s)`,
          Target: {
            Arn: this.options.targetArn,
            RoleArn: this.options.roleArn,
            Input: JSON.stringify({ caseId }),
            // A run skipped or lost is made up by the next tick, which covers the gap: no long retries.
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3_600 },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
    return { name, every: schedule.every, endsAt: endsAt.toISOString() };
  }
}

/** A quarter of the rate, at most 15 minutes: a 15-minute rate fires within 3 minutes of its tick. */
export function flexibleMinutes(schedule: CaseSchedule): number {
  return Math.max(1, Math.min(15, Math.floor(schedule.everyMinutes / 4)));
}

/** The scheduler the starter's environment (serverless.yml) describes, or none where schedules are not deployed. */
export function caseSchedulerFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): CaseScheduler | undefined {
  const { SCHEDULE_GROUP, RERUN_FUNCTION_ARN, SCHEDULER_ROLE_ARN } = env;
  if (!SCHEDULE_GROUP && !RERUN_FUNCTION_ARN && !SCHEDULER_ROLE_ARN) return undefined;
  if (!SCHEDULE_GROUP || !RERUN_FUNCTION_ARN || !SCHEDULER_ROLE_ARN) {
    throw new CasefileError(
      "The function's environment names only part of SCHEDULE_GROUP, RERUN_FUNCTION_ARN, SCHEDULER_ROLE_ARN; check serverless.yml.",
    );
  }
  return new CaseScheduler({
    groupName: SCHEDULE_GROUP,
    targetArn: RERUN_FUNCTION_ARN,
    roleArn: SCHEDULER_ROLE_ARN,
  });
}
