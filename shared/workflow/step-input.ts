import type { CaseContext } from '../domain/case.js';
import { type EventRoute, ROUTE_CLASSES } from '../domain/event-classes.js';
import type { HuntOutcome } from '../domain/hunt-result.js';
import type { ExportOutcome } from '../domain/log-exports.js';
import { InvalidRequestError } from '../errors.js';
import type { AccountInventoryOutcome } from './inventory-logs.js';

/**
 * Every step after OpenCase receives `{ case: CaseContext, ... }` from the state machine. A payload of
 * another shape means the definition and the code disagree: fail loudly, never guess.
 */
export function parseCaseInput(event: unknown): { case: CaseContext } & Record<string, unknown> {
  const record = asObject(event, 'step input');
  const context = asObject(record.case, "'case'");
  if (typeof context.caseId !== 'string' || context.caseId === '') {
    throw new InvalidRequestError("The step input's case has no caseId.");
  }
  if (context.engine !== 'athena' && context.engine !== 'duckdb') {
    throw new InvalidRequestError(`The step input's case names no known engine (${String(context.engine)}).`);
  }
  const window = asObject(context.window, "'case.window'");
  if (!('from' in window) || !('to' in window))
    throw new InvalidRequestError("'case.window' needs from and to.");
  // Steps bound their queries by this window: only the instants OpenCase wrote, in order, are taken.
  const closed = asObject(context.closedWindow, "'case.closedWindow'");
  if (!isInstant(closed.from) || !isInstant(closed.to) || closed.from > closed.to) {
    throw new InvalidRequestError("'case.closedWindow' needs from and to instants, from first.");
  }
  return record as { case: CaseContext } & Record<string, unknown>;
}

export function parseHuntInput(event: unknown): {
  case: CaseContext;
  huntId: string;
  route: EventRoute | null;
} {
  const input = parseCaseInput(event);
  if (typeof input.huntId !== 'string' || !/^[a-z0-9][a-z0-9-]{1,79}$/.test(input.huntId)) {
    throw new InvalidRequestError(`'huntId' must be a hunt id, got ${JSON.stringify(input.huntId)}.`);
  }
  const route = input.route ?? null;
  if (route !== null && !(typeof route === 'string' && Object.hasOwn(ROUTE_CLASSES, route))) {
    throw new InvalidRequestError(`'route' must be an event route or null, got ${JSON.stringify(route)}.`);
  }
  return { case: input.case, huntId: input.huntId, route: route as EventRoute | null };
}

export function parseReportInput(event: unknown): {
  case: CaseContext;
  hunts: HuntOutcome[];
  timings: Record<string, number>;
} {
  const input = parseCaseInput(event);
  const hunts = outcomeList<HuntOutcome>(
    input.hunts,
    "'hunts'",
    'hunt',
    (o) => typeof o.huntId === 'string' && isStatus(o.status),
  );
  const timings = (
    typeof input.timings === 'object' && input.timings !== null ? input.timings : {}
  ) as Record<string, number>;
  return { case: input.case, hunts, timings };
}

/** CreateTables receives the numbers of the export batches whose outcomes are in the case folder. */
export function parseExportsInput(event: unknown): { case: CaseContext; exportBatches: number[] } {
  const input = parseCaseInput(event);
  return { case: input.case, exportBatches: batchNumbers(input.exportBatches ?? [], "'exportBatches'") };
}

/** One child of the export Map: the case and the number of its batch. */
export function parseExportBatchInput(event: unknown): { case: CaseContext; batch: number } {
  const input = parseCaseInput(event);
  const [batch] = batchNumbers([input.batch], "'batch'");
  return { case: input.case, batch: batch as number };
}

/** The end of an export batch: the outcome of each of its groups, to file in the case folder. */
export function parseExportBatchOutcomes(event: unknown): {
  case: CaseContext;
  batch: number;
  outcomes: ExportOutcome[];
} {
  const { case: context, batch } = parseExportBatchInput(event);
  const outcomes = outcomeList<ExportOutcome>(
    (event as Record<string, unknown>).outcomes,
    "'outcomes'",
    'export',
    (o) => typeof o.logGroup === 'string' && typeof o.status === 'string',
  );
  return { case: context, batch, outcomes };
}

/** An account whose inventory Task failed, with the error Step Functions caught. */
export function parseAccountFailureInput(event: unknown): {
  case: CaseContext;
  account: string;
  failure: { Error?: string; Cause?: string };
} {
  const { case: context, account } = parseAccountInput(event);
  const failure = asObject((event as Record<string, unknown>).failure, "'failure'");
  return { case: context, account, failure: failure as { Error?: string; Cause?: string } };
}

/** A hunt whose Task failed, with the error Step Functions caught. */
export function parseHuntFailureInput(event: unknown): {
  case: CaseContext;
  huntId: string;
  failure: { Error?: string; Cause?: string };
} {
  const { case: context, huntId } = parseHuntInput(event);
  const failure = asObject((event as Record<string, unknown>).failure, "'failure'");
  return { case: context, huntId, failure: failure as { Error?: string; Cause?: string } };
}

function batchNumbers(value: unknown, name: string): number[] {
  if (!Array.isArray(value) || !value.every((n) => Number.isInteger(n) && n >= 0 && n < 10_000)) {
    throw new InvalidRequestError(`${name} must be export batch numbers.`);
  }
  return value as number[];
}

export function parseAccountInput(event: unknown): { case: CaseContext; account: string } {
  const input = parseCaseInput(event);
  if (typeof input.account !== 'string' || input.account === '') {
    throw new InvalidRequestError("'account' must name the account to inventory.");
  }
  return { case: input.case, account: input.account };
}

/** The per-account outcomes of the inventory Map: each succeeded, or failed with a reason. */
export function parseAccountOutcomes(event: unknown): {
  case: CaseContext;
  accounts: AccountInventoryOutcome[];
} {
  const input = parseCaseInput(event);
  const accounts = outcomeList<AccountInventoryOutcome>(
    input.accounts,
    "'accounts'",
    'account',
    (o) => typeof o.account === 'string' && isStatus(o.status),
  );
  return { case: input.case, accounts };
}

export function parseFailureInput(event: unknown): {
  case: CaseContext;
  failure: { Error?: string; Cause?: string };
} {
  const input = parseCaseInput(event);
  const failure = asObject(input.failure, "'failure'");
  return { case: input.case, failure: failure as { Error?: string; Cause?: string } };
}

const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;

const isStatus = (status: unknown) => status === 'SUCCEEDED' || status === 'FAILED';

/** A Map state's results: a list whose every entry has the shape `valid` checks. */
function outcomeList<T>(
  value: unknown,
  name: string,
  kind: string,
  valid: (outcome: Record<string, unknown>) => boolean,
): T[] {
  if (!Array.isArray(value)) throw new InvalidRequestError(`${name} must be the list of ${kind} outcomes.`);
  for (const outcome of value) {
    if (!valid(asObject(outcome, `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} outcome`))) {
      throw new InvalidRequestError(`Malformed ${kind} outcome: ${JSON.stringify(outcome).slice(0, 200)}`);
    }
  }
  return value as T[];
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError(`${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}
