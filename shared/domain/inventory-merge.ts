import type { Inventory } from './inventory.js';

export interface AccountInventoryFailure {
  account: string;
  error: string;
  cause: string;
}

/**
 * One inventory from the workflow's per-account fan-out. The order is fixed (by source, place,
 * account) so the same estate always gives the same inventory.json; an account that could not be
 * inventoried is a note that names it and says why, never a silent hole.
 */
export function mergeInventories(
  parts: Inventory[],
  failures: AccountInventoryFailure[],
  discoveredAt: string,
): Inventory {
  const sources = parts.flatMap((p) => p.sources);
  sources.sort(
    (a, b) =>
      a.source.localeCompare(b.source) ||
      a.location.localeCompare(b.location) ||
      (a.organizationId ?? '').localeCompare(b.organizationId ?? '') ||
      (a.accounts?.join() ?? '').localeCompare(b.accounts?.join() ?? ''),
  );
  const exports = parts.flatMap((p) => p.exports ?? []);
  exports.sort(
    (a, b) =>
      (a.account ?? '').localeCompare(b.account ?? '') ||
      (a.region ?? '').localeCompare(b.region ?? '') ||
      a.logGroup.localeCompare(b.logGroup),
  );
  const gaps = parts.flatMap((p) => p.gaps ?? []);
  return {
    discoveredAt,
    sources,
    skipped: parts.flatMap((p) => p.skipped),
    notes: [
      ...parts.flatMap((p) => p.notes),
      ...failures.map((f) => `Account ${f.account} could not be inventoried (${f.error}): ${f.cause}`),
    ],
    exports,
    ...(gaps.length > 0 ? { gaps } : {}),
  };
}
