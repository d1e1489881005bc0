import { z } from 'zod';
import { severities } from '../hunt-definition.js';

const newHitSchema = z.strictObject({
  huntId: z.string(),
  title: z.string(),
  severity: z.enum(severities),
  /** The record's id (`eventid`, `auditid`, ...); null where the source has none and the row is the hit. */
  recordId: z.string().nullable(),
  row: z.record(z.string(), z.string().nullable()),
});

/**
 * `runs/<n>/new-hits.json`: what run n found that no earlier run had. A hit is a hunt and a record
 * id, so a record found again in the overlap with the previous run is counted once, in the run that
 * found it first. The run's `hunts/` hold everything it matched; this file is the difference.
 */
export const newHitsSchema = z.strictObject({
  caseId: z.string(),
  run: z.number().int().min(2),
  window: z.strictObject({ from: z.string(), to: z.string() }),
  /** The runs whose hits this one was compared with. */
  comparedWith: z.array(z.number().int().min(1)),
  newHits: z.array(newHitSchema),
  /** Hits this run matched that an earlier run had already found (the overlap, or a record found again). */
  seenBefore: z.number().int().min(0),
  /** For each hunt, the hit keys of this run's new hits: what later runs compare with. */
  keys: z.record(z.string(), z.array(z.string())),
});

export type NewHits = z.infer<typeof newHitsSchema>;
export type NewHit = NewHits['newHits'][number];
