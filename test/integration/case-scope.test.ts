import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import { fixtureData } from '../support/fixture-data.js';

// Stratus Red Team detonation logs: DataDog/stratus-red-team, Apache-2.0 (test/fixtures/stratus-red-team/README.txt).
const stratus = fixtureData('stratus-red-team/records_gz');
// VPC flow logs from the AWS documentation's examples (test/fixtures/vpcflow).
const flows = fixtureData('vpcflow/default-format.txt');

const ASKED = '111122223333';
const OTHER = '222233334444';
const delivered = (account: string, region: string) =>
  join('AWSLogs', account, 'CloudTrail', region, '2024', '05', '01');

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe('a case narrowed to one account, one region and CloudTrail, on the embedded engine', () => {
  let caseFolder: string;
  let logs: string;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-scope-'));
    logs = join(work, 'logs');
    const put = async (file: string, folder: string) => {
      await mkdir(join(logs, folder), { recursive: true });
      await cp(join(stratus, file), join(logs, folder, file));
    };
    await put('aws.defense-evasion.cloudtrail-stop.json.gz', delivered(ASKED, 'eu-west-1'));
    await put('aws.exfiltration.ec2-share-ami.json.gz', delivered(OTHER, 'eu-west-1'));
    await put('aws.exfiltration.ec2-share-ebs-snapshot.json.gz', delivered(ASKED, 'us-east-1'));
    await cp(flows, join(logs, 'flows', 'default-format.txt'), { recursive: true });
    const outcome = await runInvestigationLocally({
      logs,
      out: join(work, 'cases'),
      request: {
        caseId: 'scoped',
        accounts: [ASKED],
        regions: ['eu-west-1'],
        sources: ['cloudtrail'],
        huntIds: ['cloudtrail-logging-disabled', 'ami-shared', 'vpcflow-mining-pool-port'],
      },
    });
    caseFolder = outcome.caseFolder;
  });

  it('keeps the scope in case.json and lists every file it left out, with the reason', async () => {
    const caseFile = await readJson<{
      status: string;
      scope: unknown;
      skipped: { input: string; reason: string }[];
    }>(join(caseFolder, 'case.json'));
    expect(caseFile.status).toBe('COMPLETED');
    expect(caseFile.scope).toEqual({ accounts: [ASKED], regions: ['eu-west-1'], sources: ['cloudtrail'] });
    const skipped = caseFile.skipped.map((s) => [s.input.replace(`${logs}/`, ''), s.reason]);
    expect(skipped).toEqual([
      [
        `${delivered(ASKED, 'us-east-1')}/aws.exfiltration.ec2-share-ebs-snapshot.json.gz`,
        "outside the case's scope: its delivery path names region us-east-1, not asked for (eu-west-1)",
      ],
      [
        `${delivered(OTHER, 'eu-west-1')}/aws.exfiltration.ec2-share-ami.json.gz`,
        `outside the case's scope: its delivery path names account ${OTHER}, not asked for (${ASKED})`,
      ],
      ['flows/default-format.txt', "outside the case's scope: vpcflow is not among the sources asked for"],
    ]);
  });

  it('tables only the asked files and runs only hunts on the asked sources, saying why the others did not', async () => {
    const summary = await readJson<{ sources: { source: string; records: number }[] }>(
      join(caseFolder, 'summary.json'),
    );
    expect(summary.sources).toEqual([expect.objectContaining({ source: 'cloudtrail', records: 1 })]);
    const tables = await readJson<{
      huntsToRun: string[];
      huntsNotRun: { huntId: string; reason: string }[];
    }>(join(caseFolder, 'tables.json'));
    expect(tables.huntsToRun.sort()).toEqual(['ami-shared', 'cloudtrail-logging-disabled']);
    expect(tables.huntsNotRun).toEqual([
      {
        huntId: 'vpcflow-mining-pool-port',
        reason: "reads vpcflow, outside the case's sources (cloudtrail)",
      },
    ]);
    const ami = await readJson<{ rowCount: number }>(join(caseFolder, 'hunts', 'ami-shared.json'));
    expect(ami.rowCount).toBe(0);
    const stopped = await readJson<{ rowCount: number }>(
      join(caseFolder, 'hunts', 'cloudtrail-logging-disabled.json'),
    );
    expect(stopped.rowCount).toBe(1);
  });

  it('says the scope in the report, and in the inventory that the other files were left out', async () => {
    const report = await readFile(join(caseFolder, 'report.md'), 'utf8');
    expect(report).toContain(`- Scope: accounts ${ASKED}; regions eu-west-1; sources cloudtrail`);
    expect(report).toContain('This case was narrowed to');
    // Asked for eu-west-1 only: the report says what that costs (IAM is recorded in us-east-1).
    expect(report).toContain('users, access keys, roles and sign-ins are not in this case');
    const inventory = await readJson<{ notes: string[]; coverage: { source: string; detail: string }[] }>(
      join(caseFolder, 'inventory.json'),
    );
    expect(inventory.notes).toContain(
      `3 file(s) left out as outside the case's scope (accounts ${ASKED}; regions eu-west-1; sources cloudtrail); skipped lists each.`,
    );
    expect(inventory.coverage.find((c) => c.source === 'vpcflow')?.detail).toBe(
      "not asked for (the case's sources: cloudtrail)",
    );
  });
});
