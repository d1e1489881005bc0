import { z } from 'zod';
import type { ExportOutcome } from '../log-exports.js';
import { exportOutcomeSchema } from './inventory-file.js';

/** `export-outcomes/batch-NNNN.json`: how each log group of one export batch ended, in inventory order. */
export const exportOutcomesSchema: z.ZodType<ExportOutcome[]> = z.array(exportOutcomeSchema);
