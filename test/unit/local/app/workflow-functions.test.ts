import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  loadStateMachineDefinition,
  taskFunctions,
} from '../../../../shared/local/app/state-machine-definition.js';
import {
  failedExecutionFunction,
  workflowFunctions,
} from '../../../../shared/local/app/workflow-functions.js';

const serverless = parse(await readFile('serverless.yml', 'utf8')) as {
  functions: Record<string, { handler: string }>;
};
const invoked = new Set(taskFunctions(await loadStateMachineDefinition('investigation')).values());

describe('the functions the local runner runs', () => {
  it('are exactly the serverless.yml functions the state machine invokes', () => {
    expect(Object.keys(workflowFunctions).sort()).toEqual([...invoked].sort());
    for (const name of invoked) expect(Object.keys(serverless.functions), name).toContain(name);
  });

  it.each([
    ...Object.entries(workflowFunctions),
    ['recordFailedExecution', failedExecutionFunction] as const,
  ])('%s is built from the module serverless.yml deploys', async (name, entry) => {
    expect(entry.handler).toBe(serverless.functions[name]?.handler);
    const modulePath = entry.handler.replace(/\.handler$/, '.ts');
    const deployed = (await import(`../../../../${modulePath}`)) as Record<string, unknown>;
    expect(deployed.createHandler).toBe(entry.createHandler);
    expect(typeof deployed.handler).toBe('function');
  });
});
