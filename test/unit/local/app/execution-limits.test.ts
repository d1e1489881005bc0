import { describe, expect, it } from 'vitest';
import {
  type EventLog,
  ExecutionLimitExceededError,
  executionLimitGuard,
  MAX_PAYLOAD_BYTES,
} from '../../../../shared/local/app/execution-limits.js';

const task = { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:f', End: true };
const mapOf = (mode: 'INLINE' | 'DISTRIBUTED', states: Record<string, unknown>, startAt: string) => ({
  Type: 'Map',
  ItemProcessor: { ProcessorConfig: { Mode: mode }, StartAt: startAt, States: states },
  End: true,
});

const entered = (name: string, input: unknown, index?: number) =>
  ({ type: 'StateEntered', timestamp: 0, state: { name, type: 'Task', input }, index }) as EventLog;
const exited = (name: string, output: unknown, index?: number) =>
  ({
    type: 'StateExited',
    timestamp: 0,
    state: { name, type: 'Task', input: {}, output },
    index,
  }) as EventLog;
const iteration = (type: 'MapIterationStarted' | 'MapIterationSucceeded', map: string, index: number) =>
  ({ type, timestamp: 0, parentState: { name: map, type: 'Map', input: {} }, index }) as EventLog;

/** The events of one successful Lambda Task: in AWS, five history events. */
const runTask = (name: string, index?: number) => [entered(name, {}, index), exited(name, {}, index)];

describe('the local guard on Step Functions limits', () => {
  const definition = { StartAt: 'Step', States: { Step: task } };

  it('accepts a state input of exactly 256 KiB (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html)', () => {
    const guard = executionLimitGuard(definition);
    const atLimit = 'x'.repeat(MAX_PAYLOAD_BYTES - 2); // JSON adds the two quotes
    expect(() => guard.check(entered('Step', atLimit))).not.toThrow();
  });

  it('fails a state whose input or output is one byte over, as States.DataLimitExceeded would', () => {
    const over = 'x'.repeat(MAX_PAYLOAD_BYTES - 1);
    expect(() => executionLimitGuard(definition).check(entered('Step', over))).toThrow(
      ExecutionLimitExceededError,
    );
    expect(() => executionLimitGuard(definition).check(exited('Step', over))).toThrow(
      /output of state Step is 262145 bytes/,
    );
  });

  it('counts bytes of UTF-8, not characters', () => {
    const guard = executionLimitGuard(definition);
    expect(() => guard.check(entered('Step', 'é'.repeat(MAX_PAYLOAD_BYTES / 2)))).toThrow(
      ExecutionLimitExceededError,
    );
  });

  it("charges an inline Map's iterations to the execution and fails past 25,000 history events (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html)", () => {
    const guard = executionLimitGuard({
      StartAt: 'Fan',
      States: { Fan: mapOf('INLINE', { Item: task }, 'Item') },
    });
    guard.check(entered('Fan', {}));
    // Each iteration: started, the Task's five events, succeeded = 7 history events.
    const iterations = Math.floor((25_000 - 4) / 7);
    for (let i = 0; i < iterations; i++) {
      for (const event of [
        iteration('MapIterationStarted', 'Fan', i),
        ...runTask('Item', i),
        iteration('MapIterationSucceeded', 'Fan', i),
      ]) {
        guard.check(event);
      }
    }
    expect(guard.historyCounts().get('execution')).toBe(4 + iterations * 7);
    expect(() => {
      // 24,994 + 7 = 25,001
      for (const event of [
        iteration('MapIterationStarted', 'Fan', iterations),
        ...runTask('Item', iterations),
      ]) {
        guard.check(event);
      }
      guard.check(iteration('MapIterationSucceeded', 'Fan', iterations));
    }).toThrow(/passed the 25000 history events/);
  });

  it('counts a retry as three more events: scheduled, started, failed', () => {
    const guard = executionLimitGuard(definition);
    guard.check(entered('Step', {}));
    guard.check({
      type: 'StateRetried',
      timestamp: 0,
      state: { name: 'Step', type: 'Task', input: {} },
    } as EventLog);
    expect(guard.historyCounts().get('execution')).toBe(8);
  });

  it('gives each child execution of a distributed Map a history of its own (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html)', () => {
    const guard = executionLimitGuard({
      StartAt: 'Batches',
      States: {
        Batches: mapOf(
          'DISTRIBUTED',
          { Load: { ...task, End: undefined, Next: 'Each' }, Each: mapOf('INLINE', { Item: task }, 'Item') },
          'Load',
        ),
      },
    });
    guard.check(entered('Batches', {}));
    for (let batch = 0; batch < 3; batch++) {
      guard.check(iteration('MapIterationStarted', 'Batches', batch));
      for (const event of runTask('Load', batch)) guard.check(event);
      guard.check(entered('Each', {}, batch));
      for (let i = 0; i < 3_000; i++) {
        guard.check(iteration('MapIterationStarted', 'Each', i));
        for (const event of runTask('Item', i)) guard.check(event);
        guard.check(iteration('MapIterationSucceeded', 'Each', i));
      }
      guard.check(iteration('MapIterationSucceeded', 'Batches', batch));
    }
    // 3 x 21,000 events in all: too many for one history, within bounds for each child.
    expect(guard.historyCounts().get('execution')).toBe(4);
    expect(guard.historyCounts().get('Batches[2]')).toBe(1 + 5 + 4 + 3_000 * 7 + 1);
  });
});
