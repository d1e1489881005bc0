import enterprise from './enterprise-techniques.json' with { type: 'json' };

export interface AttackTechnique {
  name: string;
  /** ATT&CK tactic short names (`defense-evasion`), as the Navigator and the hunts spell them. */
  tactics: string[];
}

const techniques: Record<string, AttackTechnique | undefined> = enterprise.techniques;

/** The ATT&CK release the vendored technique data was written from. */
export const ATTACK_DATA_VERSION = enterprise.attackVersion;

export function attackTechnique(id: string): AttackTechnique | undefined {
  return techniques[id];
}

/**
 * The tactics a hunt's technique stands under. ATT&CK lists them per technique, so a hunt tagged
 * with two tactics does not pair each of its techniques with both: T1078.004 never lands under
 * resource development. Of the technique's tactics, those the hunt names win; a technique missing
 * from the data (a Sigma rule's) keeps the hunt's own tactics.
 */
export function tacticsOfTechnique(technique: string, huntTactics: string[]): string[] {
  const known = attackTechnique(technique)?.tactics;
  if (!known) return huntTactics;
  const named = known.filter((t) => huntTactics.includes(t));
  return named.length > 0 ? named : known;
}
