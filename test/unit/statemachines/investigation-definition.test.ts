import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { casefileErrorNames } from '../../../shared/errors.js';
import {
  loadStateMachineDefinition,
  taskFunctions,
} from '../../../shared/local/app/state-machine-definition.js';

type State = Record<string, unknown>;

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const nested = (state.ItemProcessor as { States?: Record<string, State> } | undefined)?.States;
    return [[name, state] as [string, State], ...(nested ? allStates(nested) : [])];
  });
}

describe('the investigation state machine', async () => {
  const definition = await loadStateMachineDefinition('investigation');
  const states = allStates(definition.States as Record<string, State>);
  const stateNamed = (wanted: string): State => {
    const found = states.find(([name]) => name === wanted);
    if (!found) throw new Error(`The definition has no state ${wanted}`);
    return found[1];
  };

  it('is valid Amazon States Language', () => {
    const { isValid, errors } = aslValidator(definition);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('only matches errors that exist: ours, Lambda service errors or States.*', () => {
    const matched = states.flatMap(([, state]) =>
      [...((state.Retry as State[]) ?? []), ...((state.Catch as State[]) ?? [])].flatMap(
        (r) => r.ErrorEquals as string[],
      ),
    );
    expect(matched.length).toBeGreaterThan(0);
    for (const name of matched) {
      const known =
        name.startsWith('States.') ||
        name.startsWith('Lambda.') ||
        (casefileErrorNames as readonly string[]).includes(name);
      expect(known, `${name} is matched but never thrown`).toBe(true);
    }
  });

  it('gives every Task a retry for transient errors and a catch that records the failure', () => {
    for (const [name, state] of states.filter(([, s]) => s.Type === 'Task')) {
      const retried = ((state.Retry as State[]) ?? []).flatMap((r) => r.ErrorEquals as string[]);
      expect(
        retried.some((e) => e === 'TransientServiceError' || e === 'States.ALL'),
        `${name} retries`,
      ).toBe(true);
      if (name === 'RecordCaseFailure') continue;
      const caught = ((state.Catch as State[]) ?? []).flatMap((c) => c.ErrorEquals as string[]);
      expect(caught, `${name} catches`).toContain('States.ALL');
    }
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
  it('retries every Task on each transient Lambda error, and never on an error a retry cannot mend', () => {
    const transientLambdaErrors = [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.ClientExecutionTimeoutException',
      'Lambda.TooManyRequestsException',
    ];
    for (const [name, state] of states.filter(([, s]) => s.Type === 'Task')) {
      const retried = ((state.Retry as State[]) ?? []).flatMap((r) => r.ErrorEquals as string[]);
      expect(retried, `${name} retries`).toEqual(expect.arrayContaining(transientLambdaErrors));
      for (const hopeless of ['States.ALL', 'InvalidRequestError', 'InvalidHuntError', 'QueryFailedError']) {
        expect(retried, `${name} retries ${hopeless}`).not.toContain(hopeless);
      }
    }
  });

  it('keeps the request out of the state once OpenCase has filed it: only the case context goes on', () => {
    const openCase = stateNamed('OpenCase');
    expect(openCase.ResultSelector).toEqual({ 'case.$': '$' });
    // ResultPath left out is "$": the result replaces the input.
    expect(openCase).not.toHaveProperty('ResultPath');
  });

  it('fans the hunts out with a configurable concurrency and files a failed hunt in the case folder instead of failing', () => {
    const runHunts = stateNamed('RunHunts');
    expect(runHunts.Type).toBe('Map');
    expect(runHunts.MaxConcurrencyPath).toBe('$.case.maxConcurrency');
    expect(stateNamed('RunHunt').ResultSelector).toEqual({ 'huntId.$': '$.huntId', 'status.$': '$.status' });
    expect((stateNamed('RunHunt').Catch as State[])[0]?.Next).toBe('FileHuntFailure');
    expect(stateNamed('FileHuntFailure').Type).toBe('Task');
    // What a failed hunt leaves in the Map's result: no cause, however long.
    expect(stateNamed('HuntFailed').Parameters).toEqual({ 'huntId.$': '$.huntId', status: 'FAILED' });
  });

  it('files a failed account inventory in the case folder: the Map keeps only each account and its status', () => {
    expect((stateNamed('InventoryAccount').Catch as State[])[0]?.Next).toBe('FileAccountFailure');
    expect(stateNamed('InventoryAccount').ResultSelector).toEqual({
      'account.$': '$.account',
      'status.$': '$.status',
      'durationMs.$': '$.durationMs',
    });
    expect(stateNamed('AccountInventoryFailed').Parameters).toEqual({
      'account.$': '$.account',
      status: 'FAILED',
    });
  });

  it('exports in batches, one child execution of a distributed Map each, and hands nothing back to the state', () => {
    const exportMap = stateNamed('ExportCloudWatchLogs');
    expect(exportMap.ItemsPath).toBe('$.inventory.exportBatches');
    expect((exportMap.ItemProcessor as { ProcessorConfig: unknown }).ProcessorConfig).toEqual({
      Mode: 'DISTRIBUTED',
      ExecutionType: 'STANDARD',
    });
    expect(exportMap.ResultPath).toBeNull();
    expect(stateNamed('RecordExportBatch')).not.toHaveProperty('ResultPath');
    expect(stateNamed('CreateTables').Parameters).toMatchObject({
      'exportBatches.$': '$.inventory.exportBatches',
    });
  });

  it('exports CloudWatch-only logs one at a time, polling with Wait states and waiting out the account limit', () => {
    expect(stateNamed('ExportCloudWatchLogs').MaxConcurrency).toBe(1);
    expect(stateNamed('ExportGroups').MaxConcurrency).toBe(1);
    expect(stateNamed('WaitForExport').Type).toBe('Wait');
    expect((stateNamed('StartLogExport').Retry as State[])[0]?.ErrorEquals).toEqual([
      'ExportLimitExceededError',
    ]);
    expect(stateNamed('ExportFailed').Type).toBe('Pass');
  });

  it('invokes only functions that the project defines', () => {
    expect([...new Set(taskFunctions(definition).values())].sort()).toEqual([
      'buildReport',
      'checkLogExport',
      'createTables',
      'fileAccountFailure',
      'fileHuntFailure',
      'inventoryLogs',
      'listExportBatch',
      'mergeInventory',
      'openCase',
      'planInventory',
      'recordCaseFailure',
      'recordExportBatch',
      'runHunt',
      'startLogExport',
      'traceStory',
      'writeManifest',
    ]);
  });

  it('traces the story after the hunts and before the report, and a failed story still reports the findings', () => {
    expect(stateNamed('RunHunts').Next).toBe('TraceStory');
    const story = stateNamed('TraceStory');
    expect(story.Next).toBe('BuildReport');
    expect(story.ResultPath).toBe('$.story');
    expect(story.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.storyFailure', Next: 'BuildReport' },
    ]);
  });
});
