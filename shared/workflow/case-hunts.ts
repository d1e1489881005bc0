import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { HuntDefinition } from '../domain/hunt-definition.js';
import { InvalidHuntError } from '../errors.js';
import { loadHuntLibrary } from '../hunts/hunt-library.js';
import { compileSigmaRules, type SigmaFolder } from '../hunts/sigma/load-sigma-folder.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import type { QueryParameter } from '../ports/query-engine.js';

/** The hunts one case can run: the library, plus the Sigma rules its request brought along. */
export interface CaseHunts {
  hunts: HuntDefinition[];
  /** Values bound to a Sigma hunt's `?`s; library hunts bind the case's IOCs instead. */
  sigmaParameters: Map<string, QueryParameter[]>;
  sigmaErrors: SigmaFolder['errors'];
  sigmaSkipped: SigmaFolder['skipped'];
}

/**
 * `withSigma: false` when only library hunts are wanted (a library hunt's run): a case may bring
 * thousands of Sigma rules, and no hunt should read them all again.
 */
export async function loadCaseHunts(
  caseId: string,
  adapters: CaseAdapters,
  { withSigma } = { withSigma: true },
): Promise<CaseHunts> {
  const library = await loadHuntLibrary(adapters.huntLibraryDir);
  const folder = caseFolderLayout(caseId).sigmaFolder;
  const rules = [];
  for (const object of withSigma ? await adapters.store.list(folder) : []) {
    rules.push({
      file: object.key.slice(folder.length),
      text: new TextDecoder().decode(await adapters.store.get(object.key)),
    });
  }
  const sigma = compileSigmaRules(rules);
  return {
    hunts: [...library, ...sigma.hunts.map((c) => c.hunt)],
    sigmaParameters: new Map(sigma.hunts.map((c) => [c.hunt.id, c.parameters])),
    sigmaErrors: sigma.errors,
    sigmaSkipped: sigma.skipped,
  };
}

export function findCaseHunt(hunts: CaseHunts, huntId: string): HuntDefinition {
  const hunt = hunts.hunts.find((h) => h.id === huntId);
  if (!hunt)
    throw new InvalidHuntError(`No hunt with id '${huntId}' in the library or the case's Sigma rules.`);
  return hunt;
}
