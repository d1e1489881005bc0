import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const manifestEntrySchema = z.strictObject({
  /** Relative to the case folder (`hunts/root-account-usage.csv`); an input's path where it was read. */
  file: z.string(),
  size: z.number(),
  sha256,
});

export const manifestSchema = z.strictObject({
  caseId: z.string(),
  /** The run that wrote the case (see `claim.json`). */
  runId: z.string(),
  algorithm: z.literal('SHA-256'),
  createdAt: z.string(),
  engine: z.strictObject({ name: z.string(), version: z.string().nullable() }),
  /** Every file of the case folder this run wrote, but the manifest itself. */
  files: z.array(manifestEntrySchema),
  /**
   * How many log files were read: each, by its path where it was read, with its size and SHA-256, is
   * a line of `manifest-inputs.jsonl`, which `files` lists with its own hash.
   */
  inputFiles: z.number().int().nonnegative().optional(),
  /**
   * A manifest written before `manifest-inputs.jsonl` listed the log files read here, and has no
   * `inputFiles`: read as it is, so such a case can still be verified.
   */
  inputs: z.array(manifestEntrySchema).optional(),
  /** Input locations read as a whole (S3 prefixes in AWS): S3 keeps each object's checksum and version. */
  inputLocations: z.array(z.string()),
  /** The SHA-256 of each hunt's exact query text, so a query can be matched to a library version. */
  queries: z.array(z.strictObject({ huntId: z.string(), sha256 })),
  /** Files found in the folder that this run did not write: never vouched for. */
  notWrittenByThisRun: z.array(z.string()),
  /**
   * A re-run's manifest vouches for the earlier runs' manifests (`manifest.json`, `runs/<k>/manifest.json`),
   * so the hash printed at the end of the latest run covers every run of the case.
   */
  earlierManifests: z.array(manifestEntrySchema).optional(),
});

export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
/**
 * `manifest.json`, written last: size and SHA-256 of every file the run wrote and every log file it
 * read, the engine's version and each hunt's query hash.
 */
export type Manifest = z.infer<typeof manifestSchema>;
