import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import type { LineageFile, OpenItemsFile, PivotsFile } from '../../shared/story/story-files.js';
import {
  ACCOUNT,
  assumeRoleRecord,
  callWith,
  sessionIdentity,
  trailRecord,
  userIdentity,
} from '../support/cloudtrail-records.js';

const ATTACKER_IP = '203.0.113.9';
const LEAKED = 'AKIALEAKED0000000001';
const leaked = userIdentity('ci', LEAKED);
/** More role assumptions before the attack than the story once kept (50,000 rows, first by time). */
const EARLIER_ASSUMPTIONS = 60_000;
const FILE_RECORDS = 10_000;

/** A service assuming its role once a second, each time minting credentials that no record shows used. */
function serviceAssumptions(): Record<string, unknown>[] {
  const start = Date.parse('2025-03-10T00:00:00Z');
  return Array.from({ length: EARLIER_ASSUMPTIONS }, (_, i) =>
    assumeRoleRecord(
      new Date(start + i * 1_000).toISOString().replace('.000Z', 'Z'),
      {
        userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
        sourceIPAddress: 'lambda.amazonaws.com',
      },
      { key: `ASIASERVICE${String(i).padStart(9, '0')}`, role: 'worker', name: `w${i}` },
    ),
  );
}

/** The attack, after all of them: a chain from the leaked key, two sessions never used, a key never minted. */
function attack(): Record<string, unknown>[] {
  const fromAttacker = { sourceIPAddress: ATTACKER_IP };
  const first = sessionIdentity('ASIAFIRST00000000001', 'deploy', 'one');
  const second = sessionIdentity('ASIASECOND0000000001', 'admin', 'two');
  return [
    callWith('2025-03-11T02:50:00Z', leaked, ATTACKER_IP),
    assumeRoleRecord(
      '2025-03-11T03:00:00Z',
      { userIdentity: leaked, ...fromAttacker },
      {
        key: 'ASIAFIRST00000000001',
        role: 'deploy',
        name: 'one',
      },
    ),
    callWith('2025-03-11T03:01:00Z', first, ATTACKER_IP),
    assumeRoleRecord(
      '2025-03-11T03:02:00Z',
      { userIdentity: first, ...fromAttacker },
      {
        key: 'ASIASECOND0000000001',
        role: 'admin',
        name: 'two',
      },
    ),
    callWith('2025-03-11T03:03:00Z', second, ATTACKER_IP),
    assumeRoleRecord(
      '2025-03-11T03:04:00Z',
      { userIdentity: leaked, ...fromAttacker },
      {
        key: 'ASIAUNUSEDEARLY00001',
        role: 'admin',
        name: 'early',
      },
    ),
    assumeRoleRecord(
      '2025-03-11T20:00:00Z',
      { userIdentity: leaked, ...fromAttacker },
      {
        key: 'ASIAUNUSEDLATE000001',
        role: 'admin',
        name: 'late',
      },
    ),
    trailRecord({
      eventTime: '2025-03-11T23:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      userIdentity: userIdentity('ops', 'AKIANEVERMINTED00001'),
    }),
  ];
}

describe('the story of a case with more role assumptions than the story once kept', () => {
  let work: string;
  let lineage: LineageFile;
  let pivots: PivotsFile;
  let openItems: OpenItemsFile;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'casefile-story-selection-'));
    await mkdir(join(work, 'logs'));
    const records = [...serviceAssumptions(), ...attack()];
    for (let at = 0; at < records.length; at += FILE_RECORDS) {
      await writeFile(
        join(work, 'logs', `trail-${at}.json`),
        JSON.stringify({ Records: records.slice(at, at + FILE_RECORDS) }),
      );
    }
    const outcome = await runInvestigationLocally({
      logs: join(work, 'logs'),
      out: join(work, 'cases'),
      request: {
        caseId: 'selection',
        iocs: { accessKeyIds: [LEAKED] },
        huntIds: ['ioc-cloudtrail-activity'],
      },
    });
    const read = async <T>(file: string) =>
      JSON.parse(await readFile(join(outcome.caseFolder, file), 'utf8')) as T;
    lineage = await read('lineage.json');
    pivots = await read('pivots.json');
    openItems = await read('open-items.json');
  }, 180_000);

  afterAll(() => rm(work, { recursive: true, force: true }));

  it('traces the role chain whose mintings come after every earlier assumption, and cuts nothing', () => {
    expect(lineage.truncated).toEqual([]);
    const session = lineage.sessions.find((s) => s.credential === 'ASIASECOND0000000001');
    expect(session?.chain).toEqual([LEAKED, 'ASIAFIRST00000000001', 'ASIASECOND0000000001']);
    expect(lineage.nodes.find((n) => n.id === 'ASIASECOND0000000001')).toMatchObject({
      mintedBy: { eventName: 'AssumeRole', callerKey: 'ASIAFIRST00000000001', sourceIp: ATTACKER_IP },
      use: { events: 1 },
    });
  });

  it("holds the used credentials and the attacker's mintings, not every role assumption", () => {
    expect(lineage.nodes.map((n) => n.id).sort()).toEqual(
      [
        'AKIALEAKED0000000001',
        'AKIANEVERMINTED00001',
        'ASIAFIRST00000000001',
        'ASIASECOND0000000001',
        'ASIAUNUSEDEARLY00001',
        'ASIAUNUSEDLATE000001',
      ].sort(),
    );
  });

  it('keeps a key used but never minted in the logs, with no minting', () => {
    expect(lineage.nodes.find((n) => n.id === 'AKIANEVERMINTED00001')).toMatchObject({
      kind: 'access key',
      mintedBy: null,
      parent: null,
      principal: `arn:aws:iam::${ACCOUNT}:user/ops`,
    });
  });

  it("pivots to the attacker's sessions, used or not", () => {
    const created = pivots.indicators.filter((i) => i.kind === 'accessKey' && i.origin === 'created');
    expect(created.map((i) => i.value).sort()).toEqual(
      ['ASIAFIRST00000000001', 'ASIASECOND0000000001', 'ASIAUNUSEDEARLY00001', 'ASIAUNUSEDLATE000001'].sort(),
    );
  });

  it('lists the session minted less than 12 hours before the logs end as open, not those that expired', () => {
    const still = openItems.items.filter((i) => i.kind === 'temporary credentials still valid');
    expect(still.map((i) => i.resource)).toEqual(['credentials/ASIAUNUSEDLATE000001']);
  });
});
