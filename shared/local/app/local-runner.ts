import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { parse } from 'yaml';
import { type Allowlist, parseAllowlist } from '../../domain/allowlist.js';
import type { CaseContext, InvestigationRequest } from '../../domain/case.js';
import { maxHuntRowsFrom } from '../../domain/hunt-result.js';
import { CasefileError } from '../../errors.js';
import type { CaseAdapters } from '../../ports/case-adapters.js';
import { DuckDbQueryEngine, type DuckDbSettings } from '../adapters/duckdb-query-engine.js';
import { DuckDbTableBuilder, routedSchema } from '../adapters/duckdb-table-builder.js';
import { FileEvidenceStore } from '../adapters/file-evidence-store.js';
import { FolderInventory } from '../adapters/folder-inventory.js';
import { inputFileBytes } from '../adapters/input-file-bytes.js';
import { LocalLogExporter } from '../adapters/local-log-exporter.js';
import { type EventLog, executionLimitGuard } from './execution-limits.js';
import {
  InvestigationInterruptedError,
  markInterrupted,
  newLocalRunId,
  removeOrphanedWorkDirs,
  workDirOf,
} from './interrupted-runs.js';
import { loadStateMachineDefinition, taskFunctions } from './state-machine-definition.js';
import { failedExecutionFunction, workflowFunctions } from './workflow-functions.js';

type LocalTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JSONValue = Parameters<LocalTaskHandlers[string]>[0];

export type ProgressEvent =
  | { kind: 'step'; state: string }
  | { kind: 'hunts'; done: number; total: number }
  | { kind: 'retry'; state: string; error: string };

export interface LocalInvestigation {
  logs: string;
  out: string;
  request: InvestigationRequest;
  huntLibraryDir?: string;
  engine?: DuckDbSettings;
  onProgress?: (event: ProgressEvent) => void;
  /** The run's id (the execution name); a resume passes the id its claim was taken over with. */
  runId?: string;
  /** Aborting it (SIGINT, SIGTERM) stops the run: the case is marked INTERRUPTED, scratch data removed. */
  signal?: AbortSignal;
  /**
   * Tests only: adapters to use instead of the local ones (an AWS adapter over a mocked client), and
   * no waiting between retries, so the workflow's Retry, Catch and polling loops run for real, fast.
   */
  testing?: {
    adapters?: Partial<CaseAdapters>;
    noRetryDelay?: boolean;
    /** The adapters one function's handler gets, e.g. a store that records what each function writes. */
    adaptersFor?: (functionName: string, adapters: CaseAdapters) => CaseAdapters;
  };
}

export interface LocalOutcome {
  caseFolder: string;
  files: number;
  manifestSha256: string;
}

/**
 * Runs the real state machine definition on the embedded engine: every Task runs the same handler
 * code as the Lambda, built over local adapters (DuckDB, the filesystem, a folder of logs).
 */
export async function runInvestigationLocally(options: LocalInvestigation): Promise<LocalOutcome> {
  const runId = options.runId ?? newLocalRunId();
  await removeOrphanedWorkDirs();
  const workDir = workDirOf(runId);
  await mkdir(workDir, { recursive: true });
  await writeFile(join(workDir, 'pid'), String(process.pid));
  const engine = await DuckDbQueryEngine.open({ tempDirectory: join(workDir, 'spill'), ...options.engine });
  const store = new FileEvidenceStore(options.out).forRun(runId);
  let interrupted = false;
  let stop: (() => void) | undefined;
  const adapters: CaseAdapters = {
    engineName: 'duckdb',
    store,
    inventory: new FolderInventory(options.logs, { caseStoreRoot: options.out }),
    exporter: new LocalLogExporter(store),
    tables: new DuckDbTableBuilder(engine, join(workDir, 'tables')),
    engine,
    // A hunt CreateTables routes reads its route's classes of the CloudTrail copy, as in Athena.
    routedEngine: (route) => engine.inSchema(routedSchema(route)),
    inputs: { read: inputFileBytes },
    ...maxHuntRowsFrom(process.env.MAX_HUNT_ROWS),
    ...(options.huntLibraryDir ? { huntLibraryDir: options.huntLibraryDir } : {}),
    allowlist: await deploymentAllowlist(),
    now: () => new Date(),
    ...options.testing?.adapters,
  };
  try {
    const definition = await loadStateMachineDefinition('investigation');
    const stateMachine = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { checkPaths: true, checkArn: true },
    });
    const startedAt = new Date();
    const execution = stateMachine.run({ ...options.request } as JSONValue, {
      context: {
        Execution: {
          Name: runId,
          Input: { ...options.request } as JSONValue,
          StartTime: startedAt.toISOString(),
        },
      },
      overrides: {
        taskResourceLocalHandlers: localHandlers(definition, adapters, options.testing?.adaptersFor),
        // A local export is a file conversion in this process, not a service task worth 15 s between polls.
        waitTimeOverrides: { WaitForExport: 20 },
        ...(options.testing?.noRetryDelay
          ? {
              retryIntervalOverrides: Object.fromEntries(
                [...taskFunctions(definition).keys()].map((state) => [state, 0]),
              ),
            }
          : {}),
      },
    });
    // Step Functions' payload and history limits, which the embedded engine does not enforce.
    const limits = executionLimitGuard(definition);
    let limitCrossed: Error | null = null;
    let opened: CaseContext | null = null;
    const progress = reportProgress(execution.eventLogs, iterationStates(definition), {
      onProgress: options.onProgress,
      onOpened: (context) => {
        opened = context;
      },
      watch: (event) => {
        try {
          limits.check(event);
        } catch (error) {
          limitCrossed ??= error as Error;
          execution.abort();
        }
      },
    });
    const stopped = new Promise<never>((_, reject) => {
      stop = () => reject(new InvestigationInterruptedError('The investigation was interrupted.', null));
      if (options.signal?.aborted) stop();
      options.signal?.addEventListener('abort', stop, { once: true });
    });
    // An abort after the run ended rejects nothing anyone waits for.
    stopped.catch(() => undefined);
    const output: { result?: JSONValue; error?: Error } = await Promise.race([
      execution.result.then(
        (result) => ({ result }),
        (error: Error) => ({ error }),
      ),
      stopped,
    ]).catch(async (error: Error) => {
      if (!(error instanceof InvestigationInterruptedError)) throw error;
      interrupted = true;
      execution.abort();
      const caseId = (opened as CaseContext | null)?.caseId ?? options.request.caseId;
      if (!caseId) throw error;
      await markInterrupted(
        store,
        caseId,
        runId,
        `stopped by ${String(options.signal?.reason ?? 'a signal')}`,
      );
      throw new InvestigationInterruptedError(
        `The investigation was interrupted; case ${caseId} is marked INTERRUPTED.`,
        store.locate(`${caseId}/`),
      );
    });
    await progress;
    if (limitCrossed || output.error) {
      const failure = limitCrossed ?? failureOf(output.error as Error);
      const caseId = (opened as CaseContext | null)?.caseId ?? options.request.caseId;
      // What the rule on failed executions does in AWS: a case the workflow could not close is closed here.
      if (caseId) {
        const recordFailedExecution = failedExecutionFunction.createHandler(() => adapters);
        await recordFailedExecution(
          failedExecutionEvent(caseId, startedAt, failure),
          lambdaContext('recordFailedExecution'),
        );
      }
      throw (
        limitCrossed ??
        new CasefileError(`The investigation failed: ${failure.name}: ${failure.message}`, {
          cause: output.error,
        })
      );
    }
    return output.result as unknown as LocalOutcome;
  } finally {
    // A query still running in an interrupted run would use a closed engine: the process exits instead.
    if (stop) options.signal?.removeEventListener('abort', stop);
    if (!interrupted) engine.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The allowlist every local case starts from: the file CASEFILE_ALLOWLIST names, if any. */
async function deploymentAllowlist(): Promise<Allowlist> {
  const file = process.env.CASEFILE_ALLOWLIST;
  if (!file) return {};
  return parseAllowlist(parse(await readFile(file, 'utf8')), file);
}

function localHandlers(
  definition: Record<string, unknown>,
  adapters: CaseAdapters,
  adaptersFor: (functionName: string, adapters: CaseAdapters) => CaseAdapters = (_, all) => all,
) {
  const handlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
  for (const [stateName, functionName] of taskFunctions(definition)) {
    const workflowFunction = workflowFunctions[functionName];
    if (!workflowFunction)
      throw new Error(`State ${stateName} invokes '${functionName}', which has no handler in functions/.`);
    const functionAdapters = adaptersFor(functionName, adapters);
    const handler = workflowFunction.createHandler(() => functionAdapters);
    handlers[stateName] = async (input) => (await handler(input, lambdaContext(functionName))) as JSONValue;
  }
  return handlers;
}

/** States inside a Map, at any depth: shown as the Map's progress, not as steps of their own. */
function iterationStates(definition: Record<string, unknown>): Set<string> {
  type WithProcessor = { ItemProcessor?: { States: Record<string, WithProcessor> } };
  const inner = new Set<string>();
  const visit = (states: Record<string, WithProcessor>, nested: boolean) => {
    for (const [name, state] of Object.entries(states)) {
      if (nested) inner.add(name);
      if (state.ItemProcessor) visit(state.ItemProcessor.States, true);
    }
  };
  visit(definition.States as Record<string, WithProcessor>, false);
  return inner;
}

async function reportProgress(
  events: AsyncGenerator<{
    type: string;
    state?: { name: string; output?: unknown };
    parentState?: { name: string };
    Error?: string;
  }>,
  inner: Set<string>,
  listeners: {
    onProgress: LocalInvestigation['onProgress'];
    onOpened: (context: CaseContext) => void;
    watch: (event: EventLog) => void;
  },
): Promise<void> {
  const { onProgress, onOpened, watch } = listeners;
  let total = 0;
  let done = 0;
  for await (const event of events) {
    watch(event as unknown as EventLog);
    if (event.type === 'StateExited' && event.state?.name === 'OpenCase') {
      const opened = (event.state.output as { case?: CaseContext }).case;
      if (opened) onOpened(opened);
    }
    if (!onProgress) continue;
    const ofHunts = event.parentState?.name === 'RunHunts';
    if (event.type === 'StateEntered' && event.state && !inner.has(event.state.name)) {
      onProgress({ kind: 'step', state: event.state.name });
    } else if (event.type === 'StateExited' && event.state?.name === 'CreateTables') {
      // The hunts chosen are known before the fan-out starts, so the bar has its real length.
      total = (event.state.output as { tables?: { hunts?: unknown[] } }).tables?.hunts?.length ?? 0;
    } else if ((event.type === 'MapIterationSucceeded' || event.type === 'MapIterationFailed') && ofHunts) {
      done += 1;
      onProgress({ kind: 'hunts', done, total: Math.max(total, done) });
    } else if (event.type === 'StateRetried' && event.state) {
      onProgress({ kind: 'retry', state: event.state.name, error: event.Error ?? 'error' });
    }
  }
}

function failureOf(error: Error): Error {
  return error.cause instanceof Error ? error.cause : error;
}

/**
 * The "Step Functions Execution Status Change" event the rule on failed executions delivers, in the
 * documented shape (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html).
 */
function failedExecutionEvent(caseId: string, startedAt: Date, failure: Error) {
  return {
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: {
      name: caseId,
      status: 'FAILED',
      startDate: startedAt.getTime(),
      error: failure.name,
      cause: failure.message,
    },
  };
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `casefile-local-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:casefile-local-${functionName}`,
    memoryLimitInMB: '2048',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/local/casefile/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 900_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
