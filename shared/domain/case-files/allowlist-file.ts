import { z } from 'zod';
import type { Allowlist } from '../allowlist.js';

const entries = {
  principals: z.array(z.string().min(1)).optional(),
  sourceIps: z.array(z.string().min(1)).optional(),
  userAgents: z.array(z.string().min(1)).optional(),
};

/** `allowlist.json`: the deployment's and the request's known-good actors, as this case applied them. */
export const allowlistSchema: z.ZodType<Allowlist> = z.strictObject({
  ...entries,
  hunts: z.record(z.string(), z.strictObject(entries)).optional(),
});
