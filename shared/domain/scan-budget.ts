import { InvalidRequestError } from '../errors.js';
import type { AthenaEstimate } from './athena-estimate.js';
import { type Severity, severities } from './hunt-definition.js';

/** The budget a case runs under: the request's and the deployment's, the smaller wins; null for none. */
export function caseScanBudget(
  requested: number | null | undefined,
  deployment: number | undefined,
): number | null {
  const limits = [requested, deployment].filter((n): n is number => typeof n === 'number');
  return limits.length === 0 ? null : Math.min(...limits);
}

/** The deployment's cap (stack parameter `maxScanBytesPerCase`, 0 for none), as the environment gives it. */
export function deploymentScanBudget(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '' || value.trim() === '0') return undefined;
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    throw new InvalidRequestError(`MAX_SCAN_BYTES_PER_CASE must be a whole number of bytes, got '${value}'.`);
  return bytes;
}

export interface BudgetedHunts {
  run: string[];
  notRun: { huntId: string; reason: string }[];
}

/**
 * The hunts a case can afford before any runs: the one-pass copies are paid first, then hunts in
 * severity order (most severe first, then by id) while their estimated billed bytes fit. A hunt that
 * does not fit is left out and named with its estimate; a cheaper, less severe hunt after it may
 * still fit. Billed bytes, not scanned: the budget is what the case may cost.
 */
export function huntsWithinBudget(
  estimate: AthenaEstimate,
  hunts: { id: string; severity: Severity }[],
  budgetBytes: number,
): BudgetedHunts {
  const rank = (s: Severity) => severities.length - severities.indexOf(s);
  const ordered = [...hunts].sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
  const cost = new Map(estimate.hunts.map((h) => [h.huntId, h.billedBytes]));
  let spent = estimate.copies.reduce((sum, c) => sum + c.billedBytes, 0);
  const run: string[] = [];
  const notRun: BudgetedHunts['notRun'] = [];
  // One reason for all, so the report lists them on one line; each hunt's estimate is in athena-estimate.json.
  const reason = `over the case's scan budget of ${budgetBytes} bytes (each hunt's estimate is in athena-estimate.json)`;
  for (const hunt of ordered) {
    const bytes = cost.get(hunt.id) ?? 0;
    if (spent + bytes <= budgetBytes) {
      spent += bytes;
      run.push(hunt.id);
    } else {
      notRun.push({ huntId: hunt.id, reason });
    }
  }
  return { run, notRun };
}
