import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const statemachinesDir = fileURLToPath(new URL('../../../statemachines/', import.meta.url));

/** The ARN a local run gives a `Fn::GetAtt: [function, Arn]` reference (never called: tasks run in process). */
export const localFunctionArn = (functionName: string) =>
  `arn:aws:lambda:us-east-1:000000000000:function:casefile-local-${functionName}`;

/**
 * Loads a state machine exactly as serverless.yml does, resolving only the CloudFormation
 * references to Lambda ARNs that CloudFormation resolves at deploy time. The states are untouched.
 */
export async function loadStateMachineDefinition(name = 'investigation'): Promise<Record<string, unknown>> {
  const text = await readFile(new URL(`${name}.asl.yaml`, `file://${statemachinesDir}`), 'utf8');
  return resolveFunctionReferences(parse(text)) as Record<string, unknown>;
}

function resolveFunctionReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolveFunctionReferences);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node);
  const [only] = entries;
  if (entries.length === 1 && only?.[0] === 'Fn::GetAtt') {
    const [functionName, attribute] = only[1] as [string, string];
    if (attribute !== 'Arn')
      throw new Error(`Only Fn::GetAtt [function, Arn] is supported, got ${attribute}`);
    return localFunctionArn(functionName);
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, resolveFunctionReferences(value)]));
}

/** Task state name → the serverless function it invokes, read from the definition itself. */
export function taskFunctions(definition: Record<string, unknown>): Map<string, string> {
  const tasks = new Map<string, string>();
  const visit = (states: Record<string, Record<string, unknown>>) => {
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type === 'Task' && typeof state.Resource === 'string') {
        tasks.set(stateName, state.Resource.replace(localFunctionArn(''), ''));
      }
      const processor = (state.ItemProcessor ?? state.Iterator) as
        | { States?: Record<string, Record<string, unknown>> }
        | undefined;
      if (processor?.States) visit(processor.States);
      for (const branch of (state.Branches ?? []) as { States: Record<string, Record<string, unknown>> }[])
        visit(branch.States);
    }
  };
  visit(definition.States as Record<string, Record<string, unknown>>);
  return tasks;
}
