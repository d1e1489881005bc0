import { isDeepStrictEqual } from 'node:util';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { StartOutcome } from '../api/start-outcome.js';
import { validateInvestigationRequest } from '../domain/case.js';
import { type CaseSchedule, scheduleEnd } from '../domain/case-schedule.js';
import { CasefileError, InvalidRequestError } from '../errors.js';
import { type CaseScheduler, caseSchedulerFromEnvironment } from './case-scheduler.js';

export interface InvestigationStarterOptions {
  client?: SFNClient;
  stateMachineArn: string;
  caseBucket: string;
  /** Where case folders start in the bucket, as for the evidence store; `cases/` by default. */
  casePrefix?: string;
  now?: () => Date;
  /** Creates the schedule of a request that carries one; without it such a request is refused. */
  scheduler?: CaseScheduler;
}

export type { StartOutcome };

/** Errors after which the same request may well succeed a little later. */
const BUSY = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'KmsThrottlingException',
  'ServiceUnavailable',
  'ExecutionLimitExceeded',
]);

/**
 * Starts an investigation from an HTTP request. The case id is the execution's name, so a request
 * sent twice (a retried curl, a double click) starts one investigation, not two.
 */
export class InvestigationStarter {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;
  private readonly caseBucket: string;
  private readonly casePrefix: string;
  private readonly now: () => Date;
  private readonly scheduler: CaseScheduler | undefined;

  constructor(options: InvestigationStarterOptions) {
    this.client = options.client ?? new SFNClient({});
    this.stateMachineArn = options.stateMachineArn;
    this.caseBucket = options.caseBucket;
    const prefix = options.casePrefix ?? 'cases/';
    this.casePrefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.now = options.now ?? (() => new Date());
    this.scheduler = options.scheduler;
  }

  /**
   * Starts an investigation for any trigger (HTTP, a GuardDuty finding, a schedule): validates the
   * request, names the execution after the case (or after the run, for run 2 and later: see
   * runExecutionName), and recognises a request that was already started.
   */
  async start(request: Record<string, unknown>, executionName?: string): Promise<StartOutcome> {
    let caseId: string;
    let schedule: CaseSchedule | undefined;
    try {
      // The same validation OpenCase applies: a bad request is refused before anything starts.
      const validated = validateInvestigationRequest(request, 'athena', this.now());
      caseId = validated.context.caseId;
      schedule = validated.schedule;
    } catch (error) {
      if (error instanceof InvalidRequestError) return { kind: 'invalid', message: error.message };
      throw error;
    }
    if (schedule && !this.scheduler) {
      return { kind: 'invalid', message: "This deployment does not schedule re-runs; leave out 'schedule'." };
    }
    const outcome = await this.startExecution(request, caseId, executionName);
    // Created once the case has started, never before; a retried request finds the same schedule,
    // counted from the execution's start, and none once its days are over.
    if (schedule && this.scheduler && (outcome.kind === 'started' || outcome.kind === 'existing')) {
      const startedAt = outcome.startDate ? new Date(outcome.startDate) : this.now();
      if (scheduleEnd(schedule, startedAt) <= this.now()) return outcome;
      return { ...outcome, schedule: await this.scheduler.create(caseId, schedule, startedAt) };
    }
    return outcome;
  }

  private async startExecution(
    request: Record<string, unknown>,
    caseId: string,
    executionName: string | undefined,
  ): Promise<StartOutcome> {
    const input = { ...request, caseId };
    const caseFolder = `s3://${this.caseBucket}/${this.casePrefix}${caseId}/`;
    const name = executionName ?? caseId;
    try {
      const started = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return {
        kind: 'started',
        caseId,
        caseFolder,
        executionArn: started.executionArn ?? '',
        startDate: started.startDate?.toISOString(),
      };
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionAlreadyExists') {
        return this.existing(caseId, name, input, caseFolder);
      }
      // Step Functions refuses an input over 256 KiB (a long IOC list, say): the caller's to shorten.
      if (error instanceof Error && error.name === 'InvalidExecutionInput') {
        return { kind: 'invalid', message: `Step Functions refused the request as input: ${error.message}` };
      }
      if (isBusy(error)) return { kind: 'busy', reason: (error as Error).name };
      throw error;
    }
  }

  /** Step Functions keeps an execution's name for 90 days after it ends: the request either repeats it or clashes. */
  private async existing(
    caseId: string,
    executionName: string,
    input: Record<string, unknown>,
    caseFolder: string,
  ): Promise<StartOutcome> {
    const executionArn = this.executionArn(executionName);
    try {
      const existing = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      const sameRequest =
        existing.input !== undefined && isDeepStrictEqual(JSON.parse(existing.input), input);
      return {
        kind: sameRequest ? 'existing' : 'conflict',
        caseId,
        caseFolder,
        executionArn,
        status: existing.status,
        startDate: existing.startDate?.toISOString(),
      };
    } catch (error) {
      if (isBusy(error)) return { kind: 'busy', reason: (error as Error).name };
      throw error;
    }
  }

  /** Whether the case's execution is running: started, but perhaps not yet opened its folder. */
  async isRunning(caseId: string): Promise<boolean> {
    try {
      const execution = await this.client.send(
        new DescribeExecutionCommand({ executionArn: this.executionArn(caseId) }),
      );
      return execution.status === 'RUNNING';
    } catch (error) {
      if ((error as Error).name === 'ExecutionDoesNotExist') return false;
      throw error;
    }
  }

  /** Where the case's files go: the bucket and prefix the starter names in its answers. */
  get caseLocation(): { bucket: string; prefix: string } {
    return { bucket: this.caseBucket, prefix: this.casePrefix };
  }

  private executionArn(executionName: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
  }
}

/** The starter the Lambda's environment (serverless.yml) describes. */
export function investigationStarterFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): InvestigationStarter {
  const stateMachineArn = env.STATE_MACHINE_ARN;
  const caseBucket = env.CASE_BUCKET;
  if (!stateMachineArn || !caseBucket) {
    throw new CasefileError(
      "The function's environment lacks STATE_MACHINE_ARN or CASE_BUCKET; check serverless.yml.",
    );
  }
  const scheduler = caseSchedulerFromEnvironment(env);
  return new InvestigationStarter({
    stateMachineArn,
    caseBucket,
    ...(scheduler ? { scheduler } : {}),
    ...(env.CASE_PREFIX === undefined ? {} : { casePrefix: env.CASE_PREFIX }),
  });
}

function isBusy(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return BUSY.has(error.name) || status === 429 || (status !== undefined && status >= 500);
}
