import { z } from 'zod';
import type { AthenaEstimate } from '../athena-estimate.js';
import { isLogSourceId, type LogSourceId } from '../log-sources.js';

const query = {
  bytes: z.number().int().nonnegative(),
  billedBytes: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
};
const source = z.string().refine(isLogSourceId) as unknown as z.ZodType<LogSourceId>;

/**
 * `athena-estimate.json`: what this case's hunts cost in Athena before they run, reading the logs as
 * delivered and with the one pass, from the listing of the window's objects.
 */
export const athenaEstimateSchema: z.ZodType<AthenaEstimate> = z.strictObject({
  pricePerTbUsd: z.number().nonnegative(),
  onePassMinHunts: z.number().int().positive(),
  sourceBytes: z.record(z.string().refine(isLogSourceId), z.number().int().nonnegative()),
  listing: z.strictObject({ complete: z.boolean(), note: z.string().optional() }),
  copies: z.array(z.strictObject({ source, ...query })),
  hunts: z.array(
    z.strictObject({
      huntId: z.string(),
      readsCopy: z.boolean(),
      readsNamedEvents: z.boolean().optional(),
      eventClasses: z.array(z.string()).optional(),
      ...query,
    }),
  ),
  direct: z.strictObject(query),
  withOnePass: z.strictObject(query),
  ratioToSource: z.number().nonnegative(),
});
