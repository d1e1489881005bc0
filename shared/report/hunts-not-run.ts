import type { HuntNotRun } from '../domain/hunt-selection.js';

/** Hunts not run, one line per reason (most hunts first), instead of one line per hunt. */
export function huntsNotRunByReason(notRun: HuntNotRun[]): { reason: string; huntIds: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const n of notRun) groups.set(n.reason, [...(groups.get(n.reason) ?? []), n.huntId]);
  return [...groups]
    .map(([reason, huntIds]) => ({ reason, huntIds: huntIds.sort() }))
    .sort((a, b) => b.huntIds.length - a.huntIds.length || a.reason.localeCompare(b.reason));
}
