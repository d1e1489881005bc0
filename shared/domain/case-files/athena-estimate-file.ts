import { z } from 'zod';
import type { AthenaEstimate } from '../athena-estimate.js';
import { isLogSourceId } from '../log-sources.js';

const query = {
  bytes: z.number().int().nonnegative(),
  billedBytes: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
};

/** `athena-estimate.json`: what this case's hunts would cost in Athena, read as delivered and with a Parquet copy. */
export const athenaEstimateSchema: z.ZodType<AthenaEstimate> = z.strictObject({
  pricePerTbUsd: z.number().nonnegative(),
  parquetPerSourceByte: z.number().positive(),
  sourceBytes: z.record(z.string().refine(isLogSourceId), z.number().int().nonnegative()),
  hunts: z.array(z.strictObject({ huntId: z.string(), ...query })),
  direct: z.strictObject(query),
  withParquetCopy: z.strictObject({ ...query, copyBytes: z.number().int().nonnegative() }),
});
