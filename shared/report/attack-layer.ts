import type { AttackLayer } from '../domain/case-files/attack-layer-file.js';
import { severities } from '../domain/hunt-definition.js';
import type { HuntResultRecord } from '../domain/hunt-result.js';
import { tacticsOfTechnique } from './attack/attack-techniques.js';

/** Navigator 5 reads and writes layer format 4.5. */
const NAVIGATOR_VERSION = '5.1.0';
/** A technique's score is its most severe hunt's: info 0, low 25, medium 50, high 75, critical 100. */
const scoreOf = (severity: HuntResultRecord['severity']) => severities.indexOf(severity) * 25;

/**
 * The techniques this case's findings hit, each under the tactics ATT&CK files it under, scored by
 * the most severe hunt that hit it, with every such hunt named in the comment.
 */
export function attackLayer(
  caseId: string,
  attackVersion: string,
  findings: HuntResultRecord[],
): AttackLayer {
  const cells = new Map<string, { techniqueID: string; tactic: string; score: number; hunts: string[] }>();
  for (const f of findings) {
    if (f.status !== 'SUCCEEDED' || f.rowCount === 0 || f.kind === 'pivot') continue;
    for (const technique of f.mitre) {
      for (const tactic of tacticsOfTechnique(technique, f.tactics)) {
        const key = `${technique}/${tactic}`;
        const cell = cells.get(key) ?? { techniqueID: technique, tactic, score: 0, hunts: [] };
        cell.score = Math.max(cell.score, scoreOf(f.severity));
        cell.hunts.push(`${f.huntId} (${f.severity}, ${f.rowCount} row(s)): ${f.title}`);
        cells.set(key, cell);
      }
    }
  }
  return {
    name: `casefile ${caseId}`,
    description: `ATT&CK techniques hit by the findings of case ${caseId}, scored by the most severe finding.`,
    versions: { attack: attackVersion.replace(/^v/, ''), navigator: NAVIGATOR_VERSION, layer: '4.5' },
    domain: 'enterprise-attack',
    techniques: [...cells.values()]
      .sort((a, b) => a.techniqueID.localeCompare(b.techniqueID) || a.tactic.localeCompare(b.tactic))
      .map(({ hunts, ...cell }) => ({ ...cell, comment: hunts.join('\n') })),
    gradient: { colors: ['#ffe9a8', '#f4a259', '#c0392b'], minValue: 0, maxValue: 100 },
    legendItems: [
      { label: 'critical finding', color: '#c0392b' },
      { label: 'high finding', color: '#e0713a' },
      { label: 'medium finding', color: '#f4a259' },
      { label: 'low or info finding', color: '#ffe9a8' },
    ],
  };
}
