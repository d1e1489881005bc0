import type { CaseContext } from '../domain/case.js';
import type { Inventory } from '../domain/inventory.js';

/** Finds which logs exist for the case and where: AWS APIs in the cloud, a folder of files locally. */
export interface LogInventory {
  discover(context: CaseContext): Promise<Inventory>;
}
