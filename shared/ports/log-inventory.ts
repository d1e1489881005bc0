import type { CaseContext } from '../domain/case.js';
import type { Inventory } from '../domain/inventory.js';
import type { ExportOutcome } from '../domain/log-exports.js';

/** Finds which logs exist for the case and where: AWS APIs in the cloud, a folder of files locally. */
export interface LogInventory {
  /**
   * The accounts the workflow inventories, one Map iteration each, so a large organisation is not
   * one Lambda's fifteen minutes; a single account (or a local folder) is one entry.
   */
  accounts(context: CaseContext): Promise<string[]>;
  /** One account's logs (one of `accounts()`), or all of them when no account is named. */
  discover(context: CaseContext, account?: string): Promise<Inventory>;
  /**
   * Classifies what the export step wrote into the case folder (`<caseId>/exports/<group>/`), by
   * content as for any other input, so exported EKS audit or Lambda logs become their sources' tables.
   */
  discoverExported(context: CaseContext, exports: ExportOutcome[]): Promise<Inventory>;
}
