import { describe, expect, it } from 'vitest';
import { attackLayerSchema } from '../../../shared/domain/case-files/attack-layer-file.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { attackTechnique, tacticsOfTechnique } from '../../../shared/report/attack/attack-techniques.js';
import { attackLayer } from '../../../shared/report/attack-layer.js';
import { summariseCase } from '../../../shared/report/summarise-case.js';
import { eventRow, huntResult } from './hunt-results.js';

describe('ATT&CK techniques and their tactics (vendored from ATT&CK v17)', () => {
  it('knows every technique the hunt library names', async () => {
    const unknown = (await loadHuntLibrary()).flatMap((h) => h.mitre).filter((t) => !attackTechnique(t));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('pairs a technique only with its own tactics, whatever else the hunt is tagged with', () => {
    expect(tacticsOfTechnique('T1078.004', ['initial-access', 'resource-development'])).toEqual([
      'initial-access',
    ]);
    expect(tacticsOfTechnique('T1098', ['exfiltration'])).toEqual(['persistence', 'privilege-escalation']);
    expect(tacticsOfTechnique('T9999', ['impact'])).toEqual(['impact']);
  });

  it('lists no technique under a tactic ATT&CK does not file it under in the coverage table', () => {
    const hunt = huntResult(
      {
        huntId: 'offensive-tool',
        mitre: ['T1078.004', 'T1588.002'],
        tactics: ['initial-access', 'resource-development'],
      },
      [eventRow('e', '2025-03-11T03:00:00Z')],
    );
    const summary = summariseCase({
      caseId: 'c',
      engine: 'duckdb',
      window: { from: null, to: null },
      tables: [],
      results: [hunt],
      huntsNotRun: [],
      skipped: [],
      coverage: [],
    });
    const byTactic = Object.fromEntries(summary.attackCoverage.map((c) => [c.tactic, c.techniques]));
    expect(byTactic).toEqual({ 'initial-access': ['T1078.004'], 'resource-development': ['T1588.002'] });
  });
});

describe('the ATT&CK Navigator layer', () => {
  const findings = [
    huntResult(
      { huntId: 'logging-stopped', severity: 'critical', mitre: ['T1562.008'], tactics: ['defense-evasion'] },
      [eventRow('a', '2025-03-11T03:21:34Z')],
    ),
    huntResult(
      { huntId: 'flow-logs-deleted', severity: 'high', mitre: ['T1562.008'], tactics: ['defense-evasion'] },
      [eventRow('b', '2025-03-11T03:00:19Z')],
    ),
    huntResult({ huntId: 'quiet', severity: 'critical', mitre: ['T1485'], tactics: ['impact'] }, []),
  ];

  it('has the fields layer format 4.5 requires, and nothing the schema refuses', () => {
    const layer = attackLayer('demo', 'v17', findings);
    expect(attackLayerSchema.safeParse(layer).success).toBe(true);
    expect(layer).toMatchObject({
      name: 'casefile demo',
      domain: 'enterprise-attack',
      versions: { attack: '17', layer: '4.5' },
    });
  });

  it('scores each technique hit by its most severe finding and names every hunt; techniques not hit are absent', () => {
    const { techniques } = attackLayer('demo', 'v17', findings);
    expect(techniques).toHaveLength(1);
    expect(techniques[0]).toMatchObject({ techniqueID: 'T1562.008', tactic: 'defense-evasion', score: 100 });
    expect(techniques[0]?.comment).toContain('logging-stopped');
    expect(techniques[0]?.comment).toContain('flow-logs-deleted');
  });
});
