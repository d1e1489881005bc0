import type { HuntDefinition } from './hunt-definition.js';
import { hasIocs, type Iocs } from './iocs.js';
import type { LogSourceId } from './log-sources.js';

export interface HuntNotRun {
  huntId: string;
  reason: string;
}

export interface HuntSelection {
  run: string[];
  notRun: HuntNotRun[];
}

/**
 * Every hunt whose log sources exist runs; every other one is listed with the reason it did not.
 * `scopeSources` are the sources the case asked for (null: all): a hunt reading another one was
 * left out by the case's scope, not by a missing log, and says so.
 */
export function selectHunts(
  library: HuntDefinition[],
  available: LogSourceId[],
  requested: string[] | null,
  iocs: Iocs = {},
  scopeSources: readonly LogSourceId[] | null = null,
): HuntSelection {
  const selection: HuntSelection = { run: [], notRun: [] };
  const known = new Set(library.map((h) => h.id));
  for (const id of requested ?? []) {
    if (!known.has(id)) selection.notRun.push({ huntId: id, reason: 'no hunt with this id in the library' });
  }
  for (const hunt of library) {
    if (requested && !requested.includes(hunt.id)) continue;
    const missing = hunt.sources.filter((source) => !available.includes(source));
    if (hunt.kind === 'pivot' && !hasIocs(iocs, hunt.parameters ?? [])) {
      selection.notRun.push({
        huntId: hunt.id,
        reason: `pivot hunt: the request names no ${(hunt.parameters ?? []).join(' or ')}`,
      });
    } else if (scopeSources && missing.some((source) => !scopeSources.includes(source))) {
      selection.notRun.push({
        huntId: hunt.id,
        reason: `reads ${missing.filter((m) => !scopeSources.includes(m)).join(', ')}, outside the case's sources (${scopeSources.join(', ')})`,
      });
    } else if (missing.length > 0) {
      selection.notRun.push({
        huntId: hunt.id,
        reason: `no readable ${missing.join(', ')} logs for this case`,
      });
    } else {
      selection.run.push(hunt.id);
    }
  }
  return selection;
}
