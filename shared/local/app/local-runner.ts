import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { parse } from 'yaml';
import { type Allowlist, parseAllowlist } from '../../domain/allowlist.js';
import type { InvestigationRequest } from '../../domain/case.js';
import { CasefileError } from '../../errors.js';
import type { CaseAdapters } from '../../ports/case-adapters.js';
import { DuckDbQueryEngine, type DuckDbSettings } from '../adapters/duckdb-query-engine.js';
import { DuckDbTableBuilder } from '../adapters/duckdb-table-builder.js';
import { FileEvidenceStore } from '../adapters/file-evidence-store.js';
import { FolderInventory } from '../adapters/folder-inventory.js';
import { LocalLogExporter } from '../adapters/local-log-exporter.js';
import { type EventLog, executionLimitGuard } from './execution-limits.js';
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
}

/**
 * Runs the real state machine definition on the embedded engine: every Task runs the same handler
 * code as the Lambda, built over local adapters (DuckDB, the filesystem, a folder of logs).
 */
export async function runInvestigationLocally(options: LocalInvestigation): Promise<LocalOutcome> {
  const workDir = await mkdtemp(join(tmpdir(), 'casefile-work-'));
  const engine = await DuckDbQueryEngine.open({ tempDirectory: join(workDir, 'spill'), ...options.engine });
  const store = new FileEvidenceStore(options.out);
  const adapters: CaseAdapters = {
    engineName: 'duckdb',
    store,
    inventory: new FolderInventory(options.logs, { caseStoreRoot: options.out }),
    exporter: new LocalLogExporter(store),
    tables: new DuckDbTableBuilder(engine, join(workDir, 'tables')),
    engine,
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
    let caseId = options.request.caseId ?? null;
    const progress = reportProgress(
      execution.eventLogs,
      iterationStates(definition),
      (event) => {
        if (event.type === 'StateExited' && event.state.name === 'OpenCase') {
          caseId = (event.state.output as { case?: { caseId?: string } }).case?.caseId ?? caseId;
        }
        try {
          limits.check(event);
        } catch (error) {
          limitCrossed ??= error as Error;
          execution.abort();
        }
      },
      options.onProgress,
    );
    const output: { result?: JSONValue; error?: Error } = await execution.result.then(
      (result) => ({ result }),
      (error: Error) => ({ error }),
    );
    await progress;
    if (limitCrossed || output.error) {
      const failure = limitCrossed ?? failureOf(output.error as Error);
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
    engine.close();
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

function failureOf(error: Error): Error {
  return error.cause instanceof Error ? error.cause : error;
}

async function reportProgress(
  events: AsyncGenerator<EventLog>,
  inner: Set<string>,
  watch: (event: EventLog) => void,
  onProgress: LocalInvestigation['onProgress'],
): Promise<void> {
  let total = 0;
  let done = 0;
  for await (const logged of events) {
    watch(logged);
    if (!onProgress) continue;
    const event = logged as {
      type: string;
      state?: { name: string; output?: unknown };
      parentState?: { name: string };
      Error?: string;
    };
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
