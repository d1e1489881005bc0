/** The folder of the case that CloudWatch-only logs are exported into, one sub-folder per log group. */
export const EXPORTS_FOLDER = 'exports';

/**
 * The case folder: the same relative keys under `./cases/<caseId>/` locally and under
 * `s3://<bucket>/cases/<caseId>/` in AWS. Every step writes only through these names.
 */
export function caseFolderLayout(caseId: string, run = 1) {
  const root = `${caseId}/`;
  // Run 1 keeps the layout cases had before re-runs; run n's own files go under runs/<n>/.
  const runRoot = run > 1 ? `${root}runs/${run}/` : root;
  /** One account's files of the inventory, its id made safe as a file name. */
  const accountFile = (account: string, suffix: string) =>
    `${runRoot}inventory/${account.replace(/[^A-Za-z0-9._-]/g, '_')}${suffix}`;
  return {
    root,
    caseFile: `${root}case.json`,
    /** Created exclusively by the run that opens the case: who holds the folder (see claim-file.ts). */
    claim: `${root}claim.json`,
    inventory: `${runRoot}inventory.json`,
    /** Every file the inventory lists, one JSON object a line (see inventory-file.ts). */
    inventoryFiles: `${runRoot}inventory-files.jsonl`,
    /** One account's part of the inventory, before the merge. */
    accountInventory: (account: string) => accountFile(account, '.json'),
    /** The files one account's part of the inventory lists, before the merge. */
    accountInventoryFiles: (account: string) => accountFile(account, '.files.jsonl'),
    /** Why one account could not be inventoried, filed by the workflow when its inventory failed. */
    accountInventoryFailure: (account: string) => accountFile(account, '.failed.json'),
    allowlist: `${root}allowlist.json`,
    /** The outcomes of one batch of CloudWatch Logs exports, as CreateTables reads them. */
    exportOutcomes: (batch: number) =>
      `${runRoot}export-outcomes/batch-${String(batch).padStart(4, '0')}.json`,
    /** Sigma rules the request brought, kept as evidence of what ran. */
    sigmaFolder: `${root}sigma/`,
    sigmaRule: (file: string) => `${root}sigma/${file}`,
    /** Where a log group's export lands: `exports/<group>/<task>/<stream>/000000.gz`. */
    logGroupExport: (logGroup: string) => `${runRoot}${EXPORTS_FOLDER}/${exportFolderName(logGroup)}/`,
    tables: `${runRoot}tables.json`,
    /** Embedded engine: per file read, the records read and set aside, one JSON object a line. */
    fileRecords: `${runRoot}file-records.jsonl`,
    /** What the case's hunts would cost in Athena, from the sizes of the files its tables read. */
    athenaEstimate: `${runRoot}athena-estimate.json`,
    /** What Athena scanned for the case, statement by statement and hunt by hunt, and what it cost. */
    scanCost: `${runRoot}scan-cost.json`,
    /** Athena's one-pass Parquet copy of a source (written by a CTAS, one folder per attempt). */
    onePassCopy: (source: string, attempt: string) => `${runRoot}one-pass/${source}/${attempt}/`,
    /** Records set aside while reading one source, one JSON object a line, with file, position and reason. */
    quarantine: (source: string) => `${runRoot}quarantine/${source}.jsonl`,
    huntsFolder: `${runRoot}hunts/`,
    huntResult: (huntId: string) => `${runRoot}hunts/${huntId}.json`,
    huntRows: (huntId: string) => `${runRoot}hunts/${huntId}.csv`,
    /** Credential and session lineage: what minted each credential, traced to the first one in the logs. */
    lineage: `${runRoot}lineage.json`,
    /** The pivot from the case's indicators to closure, round by round. */
    pivots: `${runRoot}pivots.json`,
    /** Persistence and exposure the attacker left, and whether a later event undid each. */
    openItems: `${runRoot}open-items.json`,
    /** CloudTrail silences, stopped logging, data-event and digest coverage, and what they limit. */
    logGaps: `${runRoot}log-gaps.json`,
    summary: `${runRoot}summary.json`,
    report: `${runRoot}report.md`,
    /** The report as one self-contained page: no script, style or font from the network. */
    reportHtml: `${runRoot}report.html`,
    /** The techniques hit, as an ATT&CK Navigator layer. */
    attackLayer: `${runRoot}attack-layer.json`,
    /** One row per hit, in the CSV layout Timesketch imports. */
    timelineCsv: `${runRoot}timeline.csv`,
    manifest: `${runRoot}manifest.json`,
    /** The size and SHA-256 of every log file read, one JSON object a line; the manifest hashes it. */
    manifestInputs: `${runRoot}manifest-inputs.jsonl`,
    /** The folder of run n's own files (the case folder for run 1). */
    runRoot,
    /** Hits of run n that no earlier run had; written by re-runs only. */
    newHits: `${runRoot}new-hits.json`,
    /** A key as the run's report names it: from the run's folder, where its report is. */
    relativeToRun: (key: string) => {
      if (!key.startsWith(runRoot)) throw new Error(`${key} is not in run folder ${runRoot}.`);
      return key.slice(runRoot.length);
    },
    /** A key as the case folder's own files name it (`hunts/<huntId>.csv`). */
    relative: (key: string) => {
      if (!key.startsWith(root)) throw new Error(`${key} is not in case folder ${root}.`);
      return key.slice(root.length);
    },
  };
}

/** A log group name as one path segment: `/aws/eks/prod/cluster` → `aws-eks-prod-cluster`. */
export function exportFolderName(logGroup: string): string {
  const name = logGroup
    .replace(/^\/+/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name === '' ? 'log-group' : name.slice(0, 200);
}

export type CaseFolderLayout = ReturnType<typeof caseFolderLayout>;
