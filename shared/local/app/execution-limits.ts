import type { StateMachine } from 'aws-local-stepfunctions';
import { CasefileError } from '../../errors.js';

/**
 * Step Functions limits the embedded engine does not enforce, enforced here so that a local run fails
 * where the deployed workflow would.
 *
 * - A state's input or output, like every history event's payload, is at most 256 KiB of UTF-8:
 *   beyond it the execution fails with States.DataLimitExceeded, which no Catch sees.
 *   https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * - A Standard execution keeps at most 25,000 history events; an inline Map's iterations count against
 *   the parent's history, a distributed Map's iterations are child executions with histories of their own.
 *   https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
 *   https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 */
/** One event of the embedded engine's execution log. */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export const MAX_PAYLOAD_BYTES = 262_144;
export const MAX_HISTORY_EVENTS = 25_000;

/** The local run crossed a limit the deployed workflow would fail on. */
export class ExecutionLimitExceededError extends CasefileError {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionLimitExceededError';
  }
}

/**
 * History events AWS writes for what the embedded engine reports as one event: a Lambda Task is
 * entered, scheduled, started, succeeds or fails, and is exited; every retry schedules, starts and
 * fails again; a Map is entered, started, succeeds and is exited; other states are entered and exited.
 */
function historyEventsFor(event: EventLog, places: Map<string, { type: string }>): number {
  switch (event.type) {
    case 'StateEntered': {
      const type = places.get(event.state.name)?.type;
      return type === 'Task' ? 5 : type === 'Map' ? 4 : 2;
    }
    case 'StateRetried':
      return 3;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
    case 'ExecutionStarted':
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
      return 1;
    default:
      return 0;
  }
}

interface StateShape {
  Type?: string;
  ItemProcessor?: { ProcessorConfig?: { Mode?: string }; States?: Record<string, StateShape> };
}

interface StatePlace {
  type: string;
  /** The Map whose ItemProcessor holds the state, if any. */
  map: string | null;
  /** The nearest enclosing distributed Map: its child executions hold the state's history. */
  distributedMap: string | null;
}

function placeStates(definition: { States: Record<string, StateShape> }): Map<string, StatePlace> {
  const places = new Map<string, StatePlace>();
  const visit = (states: Record<string, StateShape>, map: string | null, distributedMap: string | null) => {
    for (const [name, state] of Object.entries(states)) {
      places.set(name, { type: state.Type ?? '', map, distributedMap });
      const processor = state.ItemProcessor;
      if (processor?.States) {
        visit(
          processor.States,
          name,
          processor.ProcessorConfig?.Mode === 'DISTRIBUTED' ? name : distributedMap,
        );
      }
    }
  };
  visit(definition.States, null, null);
  return places;
}

const isIterationEvent = (event: EventLog) =>
  event.type === 'MapIterationStarted' ||
  event.type === 'MapIterationSucceeded' ||
  event.type === 'MapIterationFailed';

export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}

/**
 * Watches a local execution's events and reports the first limit crossed. History events are counted
 * per execution: the root, or one child execution of a distributed Map. Events of an inline Map inside
 * a child are charged to every child of that Map running at the time, so the count errs high, never low.
 */
export function executionLimitGuard(definition: Record<string, unknown>) {
  const places = placeStates(definition as { States: Record<string, StateShape> });
  const history = new Map<string, number>();
  const runningChildren = new Map<string, Set<number>>();
  const isDistributed = (name: string) => [...places.values()].some((p) => p.distributedMap === name);
  const child = (map: string, index: number) => `${map}[${index}]`;

  /** The executions whose history an event is written to. */
  const executionsOf = (event: EventLog): string[] => {
    if ('parentState' in event && isIterationEvent(event) && isDistributed(event.parentState.name)) {
      return [child(event.parentState.name, event.index)];
    }
    const name = 'state' in event ? event.state.name : 'parentState' in event ? event.parentState.name : null;
    const place = name === null ? undefined : places.get(name);
    if (!place?.distributedMap) return ['execution'];
    const directlyInChild = place.map === place.distributedMap && !isIterationEvent(event);
    if (directlyInChild && typeof (event as { index?: number }).index === 'number') {
      return [child(place.distributedMap, (event as { index: number }).index)];
    }
    return [...(runningChildren.get(place.distributedMap) ?? [])].map((i) =>
      child(place.distributedMap as string, i),
    );
  };

  return {
    /** Throws ExecutionLimitExceededError when this event crosses a limit. */
    check(event: EventLog): void {
      if (event.type === 'StateEntered' || event.type === 'StateExited') {
        const what = event.type === 'StateEntered' ? 'input' : 'output';
        const bytes = payloadBytes(event.type === 'StateEntered' ? event.state.input : event.state.output);
        if (bytes > MAX_PAYLOAD_BYTES) {
          throw new ExecutionLimitExceededError(
            `States.DataLimitExceeded: the ${what} of state ${event.state.name} is ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES} Step Functions allows.`,
          );
        }
      }
      const distributedIteration =
        'parentState' in event && isIterationEvent(event) && isDistributed(event.parentState.name)
          ? { map: event.parentState.name, index: event.index }
          : null;
      if (distributedIteration && event.type === 'MapIterationStarted') {
        const running = runningChildren.get(distributedIteration.map) ?? new Set<number>();
        runningChildren.set(distributedIteration.map, running.add(distributedIteration.index));
      }
      for (const execution of executionsOf(event)) {
        const count = (history.get(execution) ?? 0) + historyEventsFor(event, places);
        history.set(execution, count);
        if (count > MAX_HISTORY_EVENTS) {
          throw new ExecutionLimitExceededError(
            `The ${execution === 'execution' ? 'execution' : `child execution ${execution}`} passed the ${MAX_HISTORY_EVENTS} history events Step Functions keeps.`,
          );
        }
      }
      if (distributedIteration && event.type !== 'MapIterationStarted') {
        runningChildren.get(distributedIteration.map)?.delete(distributedIteration.index);
      }
    },
    /** History events counted so far, per execution. */
    historyCounts: (): ReadonlyMap<string, number> => history,
  };
}
