import type { Allowlist } from './allowlist.js';
import type { AthenaEstimate } from './athena-estimate.js';
import { accountInventoryFailureSchema } from './case-files/account-failure-file.js';
import { allowlistSchema } from './case-files/allowlist-file.js';
import { athenaEstimateSchema } from './case-files/athena-estimate-file.js';
import { type AttackLayer, attackLayerSchema } from './case-files/attack-layer-file.js';
import type { CaseFile } from './case-files/case-file.js';
import type { CaseLines } from './case-files/case-lines.js';
import { type CaseRecord, caseRecordSchema } from './case-files/case-record.js';
import { type CaseClaim, claimSchema } from './case-files/claim-file.js';
import { exportOutcomesSchema } from './case-files/export-outcomes-file.js';
import { huntResultSchema } from './case-files/hunt-result-file.js';
import { type InventoryCaseFile, inventorySchema, listedFileSchema } from './case-files/inventory-file.js';
import {
  type Manifest,
  type ManifestEntry,
  manifestEntrySchema,
  manifestSchema,
} from './case-files/manifest-file.js';
import { type NewHits, newHitsSchema } from './case-files/new-hits-file.js';
import { scanCostSchema } from './case-files/scan-cost-file.js';
import { type CaseSummary, summarySchema } from './case-files/summary-file.js';
import { fileRecordCountSchema, type TablesCaseFile, tablesSchema } from './case-files/tables-file.js';
import { caseFolderLayout } from './case-folder-layout.js';
import type { HuntResultRecord } from './hunt-result.js';
import type { AccountInventoryFailure } from './inventory-merge.js';
import type { ExportOutcome } from './log-exports.js';
import type { ScanCost } from './scan-cost.js';

/**
 * The JSON files steps hand each other through the case folder, each with its key (from the
 * layout) and its schema. Read and write them only through these, with `readCaseFile` and
 * `writeCaseFile`: a file that breaks its contract fails where it is read, naming the file.
 */
export function caseFiles(caseId: string, run = 1) {
  const layout = caseFolderLayout(caseId, run);
  return {
    caseRecord: { key: layout.caseFile, schema: caseRecordSchema } satisfies CaseFile<CaseRecord>,
    claim: { key: layout.claim, schema: claimSchema } satisfies CaseFile<CaseClaim>,
    inventory: {
      key: layout.inventory,
      schema: inventorySchema,
      fileList: { key: layout.inventoryFiles, schema: listedFileSchema },
    } satisfies InventoryCaseFile,
    accountInventory: (account: string): InventoryCaseFile => ({
      key: layout.accountInventory(account),
      schema: inventorySchema,
      fileList: { key: layout.accountInventoryFiles(account), schema: listedFileSchema },
    }),
    accountInventoryFailure: (account: string): CaseFile<AccountInventoryFailure> => ({
      key: layout.accountInventoryFailure(account),
      schema: accountInventoryFailureSchema,
    }),
    exportOutcomes: (batch: number): CaseFile<ExportOutcome[]> => ({
      key: layout.exportOutcomes(batch),
      schema: exportOutcomesSchema,
    }),
    allowlist: { key: layout.allowlist, schema: allowlistSchema } satisfies CaseFile<Allowlist>,
    tables: {
      key: layout.tables,
      schema: tablesSchema,
      fileRecords: { key: layout.fileRecords, schema: fileRecordCountSchema },
    } satisfies TablesCaseFile,
    athenaEstimate: {
      key: layout.athenaEstimate,
      schema: athenaEstimateSchema,
    } satisfies CaseFile<AthenaEstimate>,
    scanCost: { key: layout.scanCost, schema: scanCostSchema } satisfies CaseFile<ScanCost>,
    huntResult: (huntId: string): CaseFile<HuntResultRecord> => ({
      key: layout.huntResult(huntId),
      schema: huntResultSchema,
    }),
    summary: { key: layout.summary, schema: summarySchema } satisfies CaseFile<CaseSummary>,
    attackLayer: { key: layout.attackLayer, schema: attackLayerSchema } satisfies CaseFile<AttackLayer>,
    manifest: { key: layout.manifest, schema: manifestSchema } satisfies CaseFile<Manifest>,
    manifestInputs: {
      key: layout.manifestInputs,
      schema: manifestEntrySchema,
    } satisfies CaseLines<ManifestEntry>,
    newHits: { key: layout.newHits, schema: newHitsSchema } satisfies CaseFile<NewHits>,
  };
}
