import { z } from 'zod';

/** `claim.json`: the run that holds a case folder. Created exclusively; only a resume replaces it. */
export const claimSchema = z.strictObject({
  caseId: z.string(),
  runId: z.string().min(1),
  /** Where the run's process lives, so a later start can tell a killed run from a live one. */
  host: z.string(),
  pid: z.number().int(),
  claimedAt: z.string(),
  /** The interrupted run this one took the case over from, if any. */
  resumes: z.string().optional(),
});

export type CaseClaim = z.infer<typeof claimSchema>;
