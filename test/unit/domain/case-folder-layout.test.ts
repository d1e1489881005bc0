import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { caseFolderLayout } from '../../../shared/domain/case-folder-layout.js';

/** Every key the layout can produce for one case, with sample ids for the keys that take one. */
function layoutKeys(caseId: string, run = 1): string[] {
  const layout = caseFolderLayout(caseId, run);
  return [
    layout.root,
    layout.caseFile,
    layout.inventory,
    layout.inventoryFiles,
    layout.accountInventory('111122223333'),
    layout.accountInventoryFiles('111122223333'),
    layout.accountInventoryFailure('111122223333'),
    layout.allowlist,
    layout.sigmaRule('rules/aws_root_login.yml'),
    `${layout.logGroupExport('/aws/eks/prod/cluster')}0d4c-task/kube-apiserver-audit-1/000000.gz`,
    layout.exportOutcomes(0),
    layout.quarantine('cloudtrail'),
    layout.lineage,
    layout.pivots,
    layout.openItems,
    layout.logGaps,
    layout.tables,
    layout.fileRecords,
    layout.huntResult('root-account-usage'),
    layout.huntRows('root-account-usage'),
    layout.summary,
    layout.report,
    layout.reportHtml,
    layout.attackLayer,
    layout.timelineCsv,
    layout.manifest,
    layout.manifestInputs,
    layout.claim,
    layout.athenaEstimate,
    layout.scanCost,
    layout.onePassCopy('cloudtrail', 'attempt-1'),
    ...(run > 1 ? [layout.newHits] : []),
  ];
}

/** Object ARNs of the case bucket in serverless.yml: `{ Fn::Join: ['', [CaseBucket.Arn, '/cases/...']] }`. */
function caseBucketObjectPaths(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) caseBucketObjectPaths(item, found);
  else if (typeof node === 'object' && node !== null) {
    const join = (node as Record<string, unknown>)['Fn::Join'];
    const parts = Array.isArray(join) && Array.isArray(join[1]) ? join[1] : [];
    const [first, path] = parts;
    if (
      JSON.stringify(first) === JSON.stringify({ 'Fn::GetAtt': ['CaseBucket', 'Arn'] }) &&
      typeof path === 'string'
    ) {
      found.push(path);
    }
    for (const value of Object.values(node)) caseBucketObjectPaths(value, found);
  }
  return found;
}

const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

describe('the case folder layout', () => {
  it('keeps every key of a case under the case id, and no file outside it', () => {
    for (const key of layoutKeys('case-1')) expect(key.startsWith('case-1/'), key).toBe(true);
    expect(caseFolderLayout('case-1').relative('case-1/hunts/a.csv')).toBe('hunts/a.csv');
    expect(() => caseFolderLayout('case-1').relative('case-2/hunts/a.csv')).toThrow(/not in case folder/);
  });

  it("puts run n's own files under runs/<n>/ and keeps the case's (case.json, claim, allowlist, Sigma rules) at its root", () => {
    const run1 = caseFolderLayout('case-1');
    const run2 = caseFolderLayout('case-1', 2);
    expect(run2.huntRows('a')).toBe('case-1/runs/2/hunts/a.csv');
    expect(run2.report).toBe('case-1/runs/2/report.md');
    expect(run2.newHits).toBe('case-1/runs/2/new-hits.json');
    expect(run2.relativeToRun(run2.huntRows('a'))).toBe('hunts/a.csv');
    expect(run2.relative(run2.huntRows('a'))).toBe('runs/2/hunts/a.csv');
    for (const key of ['caseFile', 'claim', 'allowlist', 'sigmaFolder'] as const)
      expect(run2[key]).toBe(run1[key]);
    expect(run1.huntRows('a')).toBe('case-1/hunts/a.csv');
  });

  it('grants a step the same keys in every run: a policy path matches run n under runs/<n>/ as it matches run 1', async () => {
    const serverless = parse(await readFile('serverless.yml', 'utf8'));
    const casePrefix: string = serverless.provider.environment.CASE_PREFIX;
    const patterns = caseBucketObjectPaths(serverless)
      .filter((p) => p.startsWith(`/${casePrefix}`))
      .map((p) => globToRegExp(p.slice(`/${casePrefix}`.length)));
    const run1 = layoutKeys('case-1');
    const run2 = layoutKeys('case-1', 2);
    run1.forEach((key, i) => {
      const granted = (k: string) => patterns.filter((p) => p.test(k)).map(String);
      expect(granted(run2[i] as string), `${key} and its run-2 key`).toEqual(granted(key));
    });
  });

  it('is what serverless.yml grants on the case bucket: each case-folder resource names a layout key', async () => {
    const serverless = parse(await readFile('serverless.yml', 'utf8'));
    const casePrefix: string = serverless.provider.environment.CASE_PREFIX;
    const casePaths = caseBucketObjectPaths(serverless).filter((p) => p.startsWith(`/${casePrefix}`));

    expect(casePaths).toEqual(
      expect.arrayContaining(['/cases/*', '/cases/*/inventory.json', '/cases/*/exports/*']),
    );
    for (const path of casePaths) {
      const pattern = globToRegExp(path.slice(`/${casePrefix}`.length));
      const matching = [...layoutKeys('case-1'), ...layoutKeys('case-1', 2)].filter((key) =>
        pattern.test(key),
      );
      expect(matching, `${path} grants no key of the layout`).not.toEqual([]);
    }
  });

  it('grants CloudWatch Logs and the export step exactly the exports folder and inventory.json', async () => {
    const serverless = parse(await readFile('serverless.yml', 'utf8'));
    const paths = caseBucketObjectPaths([
      serverless.resources.Resources.CaseBucketPolicy,
      serverless.resources.Resources.StartLogExportRole,
    ]);
    const layout = caseFolderLayout('case-1');
    const exportsPath = paths.find((p) => p.endsWith('/exports/*')) ?? '';
    const inventoryPath = paths.find((p) => p.endsWith('.json')) ?? '';

    expect(
      layoutKeys('case-1').filter((k) => globToRegExp(exportsPath.slice('/cases/'.length)).test(k)),
    ).toEqual([expect.stringMatching(new RegExp(`^${layout.logGroupExport('/aws/eks/prod/cluster')}`))]);
    expect(
      layoutKeys('case-1').filter((k) => globToRegExp(inventoryPath.slice('/cases/'.length)).test(k)),
    ).toEqual([layout.inventory]);
  });
});
