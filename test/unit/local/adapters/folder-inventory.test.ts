import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CaseContext } from '../../../../shared/domain/case.js';
import { UNBOUNDED_FROM, UNBOUNDED_TO } from '../../../../shared/domain/time-window.js';
import { FolderInventory } from '../../../../shared/local/adapters/folder-inventory.js';

const context = {
  caseId: 'c1',
  window: { from: null, to: null },
  closedWindow: { from: UNBOUNDED_FROM, to: UNBOUNDED_TO },
  engine: 'duckdb',
  openedAt: '2024-05-01T00:00:00.000Z',
  maxConcurrency: 1,
  huntIds: null,
  iocs: {},
  requestedBy: null,
  reason: null,
} satisfies CaseContext;

const trail = JSON.stringify({
  Records: [
    {
      eventVersion: '1.08',
      eventTime: '2024-05-01T00:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
    },
  ],
});

describe('the inventory of a folder of logs', () => {
  it('classifies files by content whatever their names, and says why the others were skipped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-folder-'));
    await writeFile(join(root, 'renamed.txt'), gzipSync(trail));
    await writeFile(join(root, 'notes.md'), '# what the customer told us\n');
    const inventory = await new FolderInventory(root).discover(context);
    expect(inventory.sources).toEqual([
      expect.objectContaining({
        source: 'cloudtrail',
        files: [
          expect.objectContaining({
            path: join(root, 'renamed.txt'),
            layout: 'records-object',
            compressed: true,
          }),
        ],
      }),
    ]);
    expect(inventory.skipped).toEqual([
      { input: join(root, 'notes.md'), reason: expect.stringMatching(/unknown format/), stage: 'inventory' },
    ]);
  });

  it('turns CloudWatch Logs data into log groups to export, named by the payload or by the file’s place', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-folder-'));
    await mkdir(join(root, 'eks'));
    await writeFile(
      join(root, 'eks', 'prod-cluster.json'),
      JSON.stringify({ events: [{ timestamp: 1, message: 'x' }] }),
    );
    await writeFile(
      join(root, 'payload.json'),
      JSON.stringify({
        messageType: 'DATA_MESSAGE',
        logGroup: '/aws/lambda/payments',
        logStream: 's',
        logEvents: [],
      }),
    );
    const inventory = await new FolderInventory(root).discover(context);
    expect(inventory.exports?.map((e) => [e.logGroup, e.files?.length])).toEqual([
      ['eks/prod-cluster', 1],
      ['/aws/lambda/payments', 1],
    ]);
    expect(inventory.sources).toEqual([]);
  });

  it('refuses a logs folder that does not exist rather than finding nothing in it', async () => {
    await expect(new FolderInventory('/nonexistent/logs').discover(context)).rejects.toThrow(
      /does not exist/,
    );
  });

  it('follows links that stay inside the folder once, and lists the others as skipped with the reason', async () => {
    const work = await realpath(await mkdtemp(join(tmpdir(), 'casefile-links-')));
    const root = join(work, 'logs');
    const outside = join(work, 'elsewhere');
    await mkdir(join(root, 'trails'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(root, 'trails', 'day1.json'), trail);
    await writeFile(join(outside, 'secret.json'), trail);
    await symlink(join(root, 'trails'), join(root, 'a-link-to-trails'));
    await symlink(join(root, 'trails', 'day1.json'), join(root, 'copy.json'));
    await symlink(outside, join(root, 'out-folder'));
    await symlink(join(outside, 'secret.json'), join(root, 'out-file.json'));
    await symlink(root, join(root, 'trails', 'loop'));
    await symlink(join(root, 'gone.json'), join(root, 'broken.json'));
    const inventory = await new FolderInventory(root).discover(context);
    expect(inventory.sources.flatMap((s) => s.files?.map((f) => f.path))).toEqual([
      join(root, 'trails', 'day1.json'),
    ]);
    expect(inventory.skipped).toEqual([
      {
        input: join(root, 'a-link-to-trails'),
        reason: `a link to ${join(root, 'trails')}, which is already read`,
        stage: 'inventory',
      },
      { input: join(root, 'broken.json'), reason: 'broken symbolic link', stage: 'inventory' },
      {
        input: join(root, 'copy.json'),
        reason: `a link to ${join(root, 'trails', 'day1.json')}, which is already read`,
        stage: 'inventory',
      },
      {
        input: join(root, 'out-file.json'),
        reason: `symbolic link to ${join(outside, 'secret.json')}, outside the logs folder`,
        stage: 'inventory',
      },
      {
        input: join(root, 'out-folder'),
        reason: `symbolic link to ${outside}, outside the logs folder`,
        stage: 'inventory',
      },
      {
        input: join(root, 'trails', 'loop'),
        reason: `a link to ${root}, which is already read`,
        stage: 'inventory',
      },
    ]);
  });

  it('leaves out the folder the case is written to when it sits inside the logs folder', async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), 'casefile-out-inside-')));
    await writeFile(join(root, 'trail.json'), trail);
    await mkdir(join(root, 'cases', 'earlier-case'), { recursive: true });
    await writeFile(join(root, 'cases', 'earlier-case', 'inventory.json'), trail);
    const inventory = await new FolderInventory(root, { caseStoreRoot: join(root, 'cases') }).discover(
      context,
    );
    expect(inventory.sources.flatMap((s) => s.files?.map((f) => f.path))).toEqual([join(root, 'trail.json')]);
    expect(inventory.skipped).toEqual([
      {
        input: join(root, 'cases'),
        reason: 'the folder this case is written to (--out): case folders are not evidence',
        stage: 'inventory',
      },
    ]);
  });

  it('reads an export folder without the partial file a crashed write left in it', async () => {
    const out = await realpath(await mkdtemp(join(tmpdir(), 'casefile-exported-')));
    const exported = join(out, 'c1', 'exports', 'trail-group');
    await mkdir(exported, { recursive: true });
    const whole = gzipSync(trail);
    await writeFile(join(exported, '000000.gz'), whole);
    await writeFile(join(exported, '.casefile-partial-0123456789abcdef01234567'), whole.subarray(0, 40));
    const inventory = await new FolderInventory(out, { caseStoreRoot: out }).discoverExported(context, [
      { logGroup: 'trail-group', status: 'COMPLETED', reason: null, destination: 'c1/exports/trail-group/' },
    ]);
    expect(inventory.sources.flatMap((s) => s.files?.map((f) => f.path))).toEqual([
      join(exported, '000000.gz'),
    ]);
    expect(inventory.skipped).toEqual([]);
  });

  // Root reads any folder whatever its mode, so as root the inventory runs as `nobody` in a child process.
  it('lists an unreadable folder and an unreadable file as skipped and reads the rest', async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), 'casefile-unreadable-')));
    await chmod(root, 0o755);
    await mkdir(join(root, 'locked'));
    await writeFile(join(root, 'locked', 'hidden.json'), trail);
    await writeFile(join(root, 'readable.json'), trail, { mode: 0o644 });
    await writeFile(join(root, 'private.json'), trail, { mode: 0o600 });
    await chmod(join(root, 'locked'), 0o000);
    const inventory =
      process.getuid?.() === 0
        ? await discoverAsNobody(root)
        : await new FolderInventory(root).discover(context);
    expect(inventory.sources.flatMap((s) => s.files?.map((f) => f.path))).toEqual([
      join(root, 'readable.json'),
    ]);
    expect(inventory.skipped).toEqual([
      { input: join(root, 'locked'), reason: 'unreadable folder: EACCES', stage: 'inventory' },
      { input: join(root, 'private.json'), reason: expect.stringMatching(/EACCES/), stage: 'inventory' },
    ]);
  });
});

const projectRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The folder's inventory taken by the unprivileged user `nobody` (uid 65534), through setpriv. */
async function discoverAsNobody(root: string): Promise<Awaited<ReturnType<FolderInventory['discover']>>> {
  const script = `const { FolderInventory } = await import('./shared/local/adapters/folder-inventory.ts');
const inventory = await new FolderInventory(${JSON.stringify(root)}).discover(${JSON.stringify(context)});
process.stdout.write(JSON.stringify(inventory));`;
  const { stdout } = await promisify(execFile)(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: projectRoot },
  );
  return JSON.parse(stdout);
}

describe('the inventory of a folder narrowed to a scope', () => {
  const record = (account: string, region: string) =>
    JSON.stringify({
      Records: [
        {
          eventVersion: '1.08',
          eventTime: '2024-05-01T00:00:00Z',
          eventSource: 'iam.amazonaws.com',
          eventName: 'ListUsers',
          awsRegion: region,
          recipientAccountId: account,
        },
      ],
    });
  const scoped = (scope: CaseContext['scope']) => ({ ...context, scope });

  async function estate() {
    const root = await mkdtemp(join(tmpdir(), 'casefile-scope-'));
    const delivered = (account: string, region: string) =>
      join(root, 'AWSLogs', 'o-abcdefghij', account, 'CloudTrail', region, '2024', '05', '01');
    await mkdir(delivered('111122223333', 'eu-west-1'), { recursive: true });
    await mkdir(delivered('222233334444', 'eu-west-1'), { recursive: true });
    await mkdir(delivered('111122223333', 'us-east-1'), { recursive: true });
    // The path is what counts when there is one, whatever the records say.
    await writeFile(
      join(delivered('111122223333', 'eu-west-1'), 'a.json.gz'),
      gzipSync(record('222233334444', 'us-east-1')),
    );
    await writeFile(
      join(delivered('222233334444', 'eu-west-1'), 'b.json.gz'),
      gzipSync(record('222233334444', 'eu-west-1')),
    );
    await writeFile(
      join(delivered('111122223333', 'us-east-1'), 'c.json.gz'),
      gzipSync(record('111122223333', 'us-east-1')),
    );
    // Copied out of S3 under its own name, which CloudTrail makes from the account and region.
    await writeFile(
      join(root, '222233334444_CloudTrail_eu-west-1_20240501T0010Z_Mu0KsOhtH1ar15ZZ.json.gz'),
      gzipSync(record('111122223333', 'eu-west-1')),
    );
    // No path to go by: the records say.
    await writeFile(join(root, 'lookup-export.json'), record('222233334444', 'eu-west-1'));
    return root;
  }

  it('leaves out files of other accounts and regions by path, file name or records, listed and counted', async () => {
    const root = await estate();
    const inventory = await new FolderInventory(root).discover(
      scoped({ accounts: ['111122223333'], regions: ['eu-west-1'], sources: null }),
    );
    const read = inventory.sources.flatMap((s) => s.files?.map((f) => f.path.slice(root.length + 1)));
    expect(read).toEqual(['AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2024/05/01/a.json.gz']);
    expect(inventory.sources[0]).toMatchObject({ accounts: ['111122223333'], regions: ['eu-west-1'] });
    expect(inventory.skipped.map((s) => [s.input.slice(root.length + 1), s.reason])).toEqual([
      [
        '222233334444_CloudTrail_eu-west-1_20240501T0010Z_Mu0KsOhtH1ar15ZZ.json.gz',
        "outside the case's scope: its delivery path names account 222233334444, not asked for (111122223333)",
      ],
      [
        'AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2024/05/01/c.json.gz',
        "outside the case's scope: its delivery path names region us-east-1, not asked for (eu-west-1)",
      ],
      [
        'AWSLogs/o-abcdefghij/222233334444/CloudTrail/eu-west-1/2024/05/01/b.json.gz',
        "outside the case's scope: its delivery path names account 222233334444, not asked for (111122223333)",
      ],
      [
        'lookup-export.json',
        "outside the case's scope: its records name account 222233334444, not asked for (111122223333)",
      ],
    ]);
    expect(inventory.notes).toEqual([
      "4 file(s) left out as outside the case's scope (accounts 111122223333; regions eu-west-1); skipped lists each.",
    ]);
  });

  it('reads every file when the scope is the whole estate, and names the accounts and regions found', async () => {
    const root = await estate();
    const inventory = await new FolderInventory(root).discover(context);
    expect(inventory.sources[0]?.files).toHaveLength(5);
    expect(inventory.sources[0]).toMatchObject({
      accounts: ['111122223333', '222233334444'],
      regions: ['eu-west-1', 'us-east-1'],
    });
    expect(inventory.notes).toEqual([]);
  });

  it('does not table a source that was not asked for', async () => {
    const root = await estate();
    const inventory = await new FolderInventory(root).discover(
      scoped({ accounts: null, regions: null, sources: ['vpcflow'] }),
    );
    expect(inventory.sources).toEqual([]);
    expect(inventory.skipped).toHaveLength(5);
    expect(inventory.skipped[0]?.reason).toBe(
      "outside the case's scope: cloudtrail is not among the sources asked for",
    );
  });
});
