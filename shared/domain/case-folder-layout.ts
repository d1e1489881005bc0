/**
 * The case folder: the same relative keys under `./cases/<caseId>/` locally and under
 * `s3://<bucket>/cases/<caseId>/` in AWS. Every step writes only through these names.
 */
export function caseFolderLayout(caseId: string) {
  const root = `${caseId}/`;
  return {
    root,
    caseFile: `${root}case.json`,
    /** Created exclusively by the run that opens the case: who holds the folder (see case-claim.ts). */
    claim: `${root}claim.json`,
    inventory: `${root}inventory.json`,
    /** One account's part of the inventory, before the merge. */
    accountInventory: (account: string) =>
      `${root}inventory/${account.replace(/[^A-Za-z0-9._-]/g, '_')}.json`,
    allowlist: `${root}allowlist.json`,
    /** Sigma rules the request brought, kept as evidence of what ran. */
    sigmaFolder: `${root}sigma/`,
    tables: `${root}tables.json`,
    huntsFolder: `${root}hunts/`,
    huntResult: (huntId: string) => `${root}hunts/${huntId}.json`,
    huntRows: (huntId: string) => `${root}hunts/${huntId}.csv`,
    summary: `${root}summary.json`,
    report: `${root}report.md`,
    manifest: `${root}manifest.json`,
  };
}

export type CaseFolderLayout = ReturnType<typeof caseFolderLayout>;
