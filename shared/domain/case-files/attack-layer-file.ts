import { z } from 'zod';

/**
 * `attack-layer.json`: an ATT&CK Navigator layer, format 4.5. Required by the format: `name` and
 * `domain`; each technique needs `techniqueID`, and `tactic` pins it to one column of the matrix.
 * https://github.com/mitre-attack/attack-navigator/blob/master/layers/spec/v4.5/layerformat.md
 */
export interface AttackLayer {
  name: string;
  description: string;
  versions: { attack: string; navigator: string; layer: '4.5' };
  domain: 'enterprise-attack';
  techniques: { techniqueID: string; tactic: string; score: number; comment: string }[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
}

export const attackLayerSchema: z.ZodType<AttackLayer> = z.strictObject({
  name: z.string().min(1),
  description: z.string(),
  versions: z.strictObject({ attack: z.string(), navigator: z.string(), layer: z.literal('4.5') }),
  domain: z.literal('enterprise-attack'),
  techniques: z.array(
    z.strictObject({
      techniqueID: z.string().regex(/^T\d{4}(\.\d{3})?$/),
      tactic: z.string().regex(/^[a-z]+(-[a-z]+)*$/),
      score: z.number(),
      comment: z.string(),
    }),
  ),
  gradient: z.strictObject({ colors: z.array(z.string()), minValue: z.number(), maxValue: z.number() }),
  legendItems: z.array(z.strictObject({ label: z.string(), color: z.string() })),
});
