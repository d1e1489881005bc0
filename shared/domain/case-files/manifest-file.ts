import { z } from 'zod';

const manifestEntrySchema = z.strictObject({
  /** Relative to the case folder (`hunts/root-account-usage.csv`). */
  file: z.string(),
  size: z.number(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.strictObject({
  caseId: z.string(),
  algorithm: z.literal('SHA-256'),
  createdAt: z.string(),
  files: z.array(manifestEntrySchema),
});

export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
/** `manifest.json`: the SHA-256 and size of every other file of the case, written last. */
export type Manifest = z.infer<typeof manifestSchema>;
