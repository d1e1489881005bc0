import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseContext } from '../../shared/domain/case.js';
import { caseFolderLayout } from '../../shared/domain/case-folder-layout.js';
import type { Inventory } from '../../shared/domain/inventory.js';
import type { ExportOutcome, LogGroupExport } from '../../shared/domain/log-exports.js';
import { logSourceIds } from '../../shared/domain/log-sources.js';
import { ExecutionLimitExceededError } from '../../shared/local/app/execution-limits.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import type { CaseAdapters } from '../../shared/ports/case-adapters.js';

/**
 * The real state machine and handlers on a case the size of a real organisation's, with fakes where
 * AWS would be (inventory, export, tables, query engine). The local runner enforces Step Functions'
 * 256 KiB payloads and 25,000 history events, so a state that grows with the case fails here.
 */
const ACCOUNTS = 300;
const LOG_GROUPS = 1_000;
const window = { from: '2024-07-01T00:00:00.000Z', to: '2024-07-31T23:59:59.999Z' };

const accountId = (i: number) => String(100_000_000_000 + i);
/** One account in ten cannot be inventoried, with an error of some 14 kB. */
const failsInventory = (account: number) => account % 10 === 9;
const emptyInventory = (): Inventory => ({
  discoveredAt: '2024-08-01T00:00:00.000Z',
  sources: [],
  skipped: [],
  notes: [],
});

/** Every account holds its share of the log groups, with names as long as real Lambda groups get. */
function logGroupsOf(account: number): LogGroupExport[] {
  const groups: LogGroupExport[] = [];
  for (let g = account; g < LOG_GROUPS; g += ACCOUNTS) {
    groups.push({
      logGroup: `/aws/lambda/payments-settlement-reconciliation-worker-${String(g).padStart(4, '0')}`,
      account: accountId(account),
      region: 'eu-west-1',
      ...window,
      lostBefore: null,
    });
  }
  return groups;
}

/** A hunt engine that fails every query the way a broken engine would: a long message, a long stack. */
class FailingEngine {
  readonly name = 'duckdb' as const;
  async run(): Promise<never> {
    const error = new Error(
      `Query failed: ${'SYNTAX_ERROR: line 1:8: Column cannot be resolved; '.repeat(400)}`,
    );
    error.stack = `${error.message}\n${'    at runQuery (file:///var/task/index.mjs:1:1)\n'.repeat(200)}`;
    throw error;
  }
}

function largeCaseAdapters(accounts: number): Partial<CaseAdapters> {
  return {
    inventory: {
      accounts: async () => Array.from({ length: accounts }, (_, i) => accountId(i)),
      discover: async (_context: CaseContext, account?: string) => {
        const index = Number(account) - 100_000_000_000;
        if (failsInventory(index))
          throw new Error(`AccessDenied: ${'not authorized to perform: ec2:DescribeFlowLogs; '.repeat(300)}`);
        return { ...emptyInventory(), exports: logGroupsOf(index) };
      },
      discoverExported: async () => emptyInventory(),
    },
    exporter: {
      start: async (context: CaseContext, item: LogGroupExport) => ({
        taskId: `task-${item.logGroup}`,
        destination: caseFolderLayout(context.caseId).logGroupExport(item.logGroup),
      }),
      progress: async () => ({ status: 'COMPLETED', reason: null }),
    },
    // Every source present, so every hunt of the library and every Sigma rule is chosen to run.
    tables: {
      build: async () => ({
        tables: logSourceIds.map((source) => ({ source, table: source, locations: [] })),
        skipped: [],
      }),
    },
    engine: new FailingEngine(),
  };
}

/** Valid Sigma rules for CloudTrail: `count` small ones, and one padded to the 200 kB a rule may be. */
function sigmaRules(count: number) {
  const rule = (i: number, description: string) => ({
    file: `cloudtrail/rule-${i}.yml`,
    text: [
      `title: Rule ${i}`,
      `id: 00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      `description: ${description}`,
      'logsource:',
      '  product: aws',
      '  service: cloudtrail',
      'detection:',
      '  selection:',
      `    eventName: DeleteBucket${i}`,
      '  condition: selection',
      'level: low',
      '',
    ].join('\n'),
  });
  const small = Array.from({ length: count }, (_, i) => rule(i, 'A rule sent with the request.'));
  const padding = 'x'.repeat(200_000 - rule(count, '').text.length);
  return [...small, rule(count, padding)];
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe('a case the size of an organisation', () => {
  it(`completes with ${LOG_GROUPS} log groups from ${ACCOUNTS} accounts, one in ten failing, every hunt failing at length and a 200 kB Sigma rule`, async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-large-'));
    const rules = sigmaRules(40);
    expect(rules.at(-1)?.text.length).toBe(200_000);
    const outcome = await runInvestigationLocally({
      logs: work,
      out: join(work, 'cases'),
      request: { caseId: 'large', ...window, sigmaRules: rules },
      testing: { noRetryDelay: true, adapters: largeCaseAdapters(ACCOUNTS) },
    });

    const caseFile = await readJson<{ status: string; hunts: { failed: number } }>(
      join(outcome.caseFolder, 'case.json'),
    );
    expect(caseFile.status).toBe('COMPLETED');
    const tables = await readJson<{ exports: ExportOutcome[]; huntsToRun: string[] }>(
      join(outcome.caseFolder, 'tables.json'),
    );
    const exported = Array.from({ length: LOG_GROUPS }, (_, g) => g).filter(
      (g) => !failsInventory(g % ACCOUNTS),
    );
    expect(tables.exports).toHaveLength(exported.length);
    expect(new Set(tables.exports.map((e) => e.logGroup)).size).toBe(exported.length);
    expect(tables.exports.every((e) => e.status === 'COMPLETED')).toBe(true);
    expect(await readdir(join(outcome.caseFolder, 'export-outcomes'))).toHaveLength(
      Math.ceil(exported.length / 50),
    );

    // Every account that failed is named in the inventory with its whole error.
    const { notes } = await readJson<{ notes: string[] }>(join(outcome.caseFolder, 'inventory.json'));
    const failedAccounts = notes.filter((note) => /could not be inventoried/.test(note));
    expect(failedAccounts).toHaveLength(ACCOUNTS / 10);
    expect(failedAccounts[0]?.length).toBeGreaterThan(14_000);

    // Every hunt failed, and each one's error is in the case folder, whole, not in the workflow's state.
    expect(tables.huntsToRun.length).toBeGreaterThan(40);
    expect(caseFile.hunts.failed).toBe(tables.huntsToRun.length);
    for (const huntId of tables.huntsToRun) {
      const filed = await readJson<{ status: string; error: { message: string } }>(
        join(outcome.caseFolder, 'hunts', `${huntId}.json`),
      );
      expect(filed.status).toBe('FAILED');
      expect(filed.error.message).toMatch(/^Query failed: SYNTAX_ERROR/);
      expect(filed.error.message.length).toBeGreaterThan(20_000);
    }
  }, 600_000);

  it('fails with the reason in case.json, never stuck RUNNING, when a state would pass 256 KiB', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-too-large-'));
    // Twenty thousand accounts: the plan alone is more than Step Functions lets a state output.
    const run = runInvestigationLocally({
      logs: work,
      out: join(work, 'cases'),
      request: { caseId: 'too-large', ...window },
      testing: { noRetryDelay: true, adapters: largeCaseAdapters(20_000) },
    });
    await expect(run).rejects.toThrow(ExecutionLimitExceededError);
    await expect(run).rejects.toThrow(/output of state PlanInventory is \d+ bytes/);
    const caseFile = await readJson<{ status: string; failure: { error: string; cause: string } }>(
      join(work, 'cases', 'too-large', 'case.json'),
    );
    expect(caseFile.status).toBe('FAILED');
    expect(caseFile.failure.error).toBe('ExecutionLimitExceededError');
    expect(caseFile.failure.cause).toMatch(/States\.DataLimitExceeded/);
  }, 120_000);
});
