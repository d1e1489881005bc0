import { z } from 'zod';
import type { AccountInventoryFailure } from '../inventory-merge.js';

/** `inventory/<account>.failed.json`: why one account could not be inventoried, as FileAccountFailure filed it. */
export const accountInventoryFailureSchema: z.ZodType<AccountInventoryFailure> = z.strictObject({
  account: z.string(),
  error: z.string(),
  cause: z.string(),
});
