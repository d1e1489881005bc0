/**
 * The case folder: the same relative keys under `./cases/<caseId>/` locally and under
 * `s3://<bucket>/cases/<caseId>/` in AWS. Every step writes only through these names.
 */
export function caseFolderLayout(caseId: string) {
  const root = `${caseId}/`;
  return {
    root,
    caseFile: `${root}case.json`,
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
    /** Credential and session lineage: what minted each credential, traced to the first one in the logs. */
    lineage: `${root}lineage.json`,
    /** The pivot from the case's indicators to closure, round by round. */
    pivots: `${root}pivots.json`,
    /** Persistence and exposure the attacker left, and whether a later event undid each. */
    openItems: `${root}open-items.json`,
    /** CloudTrail silences, stopped logging, data-event and digest coverage, and what they limit. */
    logGaps: `${root}log-gaps.json`,
    summary: `${root}summary.json`,
    report: `${root}report.md`,
    manifest: `${root}manifest.json`,
  };
}

export type CaseFolderLayout = ReturnType<typeof caseFolderLayout>;
