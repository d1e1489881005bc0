import type { CaseContext } from '../domain/case.js';
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
  return record as { case: CaseContext } & Record<string, unknown>;
}

export function parseHuntInput(event: unknown): { case: CaseContext; huntId: string } {
  const input = parseCaseInput(event);
  if (typeof input.huntId !== 'string' || !/^[a-z0-9][a-z0-9-]{1,79}$/.test(input.huntId)) {
    throw new InvalidRequestError(`'huntId' must be a hunt id, got ${JSON.stringify(input.huntId)}.`);
  }
  return { case: input.case, huntId: input.huntId };
}

export function parseReportInput(event: unknown): {
  case: CaseContext;
  hunts: HuntOutcome[];
  timings: Record<string, number>;
} {
  const input = parseCaseInput(event);
  if (!Array.isArray(input.hunts))
    throw new InvalidRequestError("'hunts' must be the list of hunt outcomes.");
  for (const outcome of input.hunts) {
    const o = asObject(outcome, 'a hunt outcome');
    if (typeof o.huntId !== 'string' || (o.status !== 'SUCCEEDED' && o.status !== 'FAILED')) {
      throw new InvalidRequestError(`Malformed hunt outcome: ${JSON.stringify(outcome).slice(0, 200)}`);
    }
  }
  const timings = (
    typeof input.timings === 'object' && input.timings !== null ? input.timings : {}
  ) as Record<string, number>;
  return { case: input.case, hunts: input.hunts as HuntOutcome[], timings };
}

/** CreateTables receives the outcome of every export (an empty list when nothing needed exporting). */
export function parseExportsInput(event: unknown): { case: CaseContext; exports: ExportOutcome[] } {
  const input = parseCaseInput(event);
  const exports = input.exports ?? [];
  if (!Array.isArray(exports))
    throw new InvalidRequestError("'exports' must be the list of export outcomes.");
  for (const outcome of exports) {
    const o = asObject(outcome, 'an export outcome');
    if (typeof o.logGroup !== 'string' || typeof o.status !== 'string') {
      throw new InvalidRequestError(`Malformed export outcome: ${JSON.stringify(outcome).slice(0, 200)}`);
    }
  }
  return { case: input.case, exports: exports as ExportOutcome[] };
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
  if (!Array.isArray(input.accounts))
    throw new InvalidRequestError("'accounts' must be the list of account outcomes.");
  for (const outcome of input.accounts) {
    const o = asObject(outcome, 'an account outcome');
    if (typeof o.account !== 'string' || (o.status !== 'SUCCEEDED' && o.status !== 'FAILED')) {
      throw new InvalidRequestError(`Malformed account outcome: ${JSON.stringify(outcome).slice(0, 200)}`);
    }
  }
  return { case: input.case, accounts: input.accounts as AccountInventoryOutcome[] };
}

export function parseFailureInput(event: unknown): {
  case: CaseContext;
  failure: { Error?: string; Cause?: string };
} {
  const input = parseCaseInput(event);
  const failure = asObject(input.failure, "'failure'");
  return { case: input.case, failure: failure as { Error?: string; Cause?: string } };
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError(`${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}
