import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import { demoScenario, generateDemoLogs } from '../../shared/local/demo/generate-demo-logs.js';
import type { LineageFile, LogGapsFile, OpenItemsFile, PivotsFile } from '../../shared/story/story-files.js';

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

const BACKDOOR_USER_ARN = `arn:aws:iam::${demoScenario.productionAccountId}:user/${demoScenario.backdoorUser}`;

describe("the demo intrusion's story, from the leaked key", () => {
  let caseFolder: string;
  let lineage: LineageFile;
  let pivots: PivotsFile;
  let openItems: OpenItemsFile;
  let completeness: LogGapsFile;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-story-'));
    await generateDemoLogs(join(work, 'logs'));
    const outcome = await runInvestigationLocally({
      logs: join(work, 'logs'),
      out: join(work, 'cases'),
      request: {
        caseId: 'story',
        iocs: { accessKeyIds: [demoScenario.leakedAccessKeyId] },
        huntIds: ['ioc-cloudtrail-activity', 'cloudtrail-logging-disabled'],
      },
    });
    caseFolder = outcome.caseFolder;
    lineage = await readJson(join(caseFolder, 'lineage.json'));
    pivots = await readJson(join(caseFolder, 'pivots.json'));
    openItems = await readJson(join(caseFolder, 'open-items.json'));
    completeness = await readJson(join(caseFolder, 'log-gaps.json'));
  });

  it("traces the backdoor user's key to the leaked key that created it, and its use", () => {
    const backdoorKey = lineage.nodes.find(
      (n) => n.kind === 'access key' && n.principal === BACKDOOR_USER_ARN,
    );
    expect(backdoorKey).toMatchObject({
      parent: demoScenario.leakedAccessKeyId,
      mintedBy: {
        eventName: 'CreateAccessKey',
        callerKey: demoScenario.leakedAccessKeyId,
        sourceIp: demoScenario.intruderIp,
      },
      use: { events: 44 },
    });
    const session = lineage.sessions.find((s) => s.credential === backdoorKey?.id);
    expect(session?.chain).toEqual([demoScenario.leakedAccessKeyId, backdoorKey?.id]);
    // The intruder's console session goes back to the same key, through the password it set.
    const consoleSession = lineage.sessions.find(
      (s) => s.principal === BACKDOOR_USER_ARN && s.chain.some((c) => c.startsWith('console:')),
    );
    expect(consoleSession?.root).toBe(demoScenario.leakedAccessKeyId);
  });

  it('pivots from the leaked key to the new user, the outside account and the attacker address, round by round, to closure', () => {
    const found = new Map(pivots.indicators.map((i) => [`${i.kind}:${i.value}`, i]));
    expect(found.get(`principal:${BACKDOOR_USER_ARN}`)).toMatchObject({ origin: 'created', round: 1 });
    expect(found.get(`account:${demoScenario.externalAccountId}`)).toMatchObject({ origin: 'created' });
    expect(found.get(`ip:${demoScenario.intruderIp}`)).toMatchObject({ origin: 'observed', round: 1 });
    expect(pivots.stoppedAtLimit).toBe(false);
    expect(pivots.rounds.at(-1)?.found.filter((f) => f.kind !== 'userAgent')).toEqual([]);
  });

  it("leaves the reporting job's own use of the leaked key out of the attacker's, by its usual address", () => {
    const split = pivots.rounds[0]?.phases.find(
      (p) => p.indicator === `accessKey:${demoScenario.leakedAccessKeyId}`,
    );
    expect(split?.legitimateEvents).toBeGreaterThan(0);
    expect(split?.attackerFirstSeen).toBe('2025-03-11T02:47:13Z');
    expect(split?.decision).toContain(`calls from ${demoScenario.intruderIp}`);
    expect(pivots.indicators.map((i) => i.value)).not.toContain('198.51.100.24');
  });

  it('lists what is still open at the end of the logs: the backdoor user, its key, the snapshot share, the public bucket', () => {
    const open = openItems.items.filter((i) => !i.closed).map((i) => `${i.kind} ${i.resource}`);
    expect(open).toEqual(
      expect.arrayContaining([
        `IAM user user/${demoScenario.backdoorUser}`,
        `console password login/${demoScenario.backdoorUser}`,
        `snapshot share snapshot/${demoScenario.sharedSnapshotId}`,
        `public bucket policy bucket/${demoScenario.publicBucket}`,
        `stolen access key key/${demoScenario.leakedAccessKeyId}`,
      ]),
    );
    const share = openItems.items.find((i) => i.kind === 'snapshot share');
    expect(share?.outsideAccounts).toEqual([demoScenario.externalAccountId]);
    // The trail was started again the next morning: undone, with the event that undid it.
    expect(openItems.items.find((i) => i.kind === 'trail stopped')?.closed).toMatchObject({
      eventName: 'StartLogging',
      time: '2025-03-11T08:52:37Z',
    });
  });

  it('finds the 5.5-hour silence in production, bounded by the StopLogging and the StartLogging', () => {
    const silence = completeness.silences.find(
      (s) => s.account === demoScenario.productionAccountId && s.region === '*',
    );
    expect(silence).toMatchObject({
      from: '2025-03-11T03:21:34Z',
      to: '2025-03-11T08:52:37Z',
      stoppedBy: { eventName: 'StopLogging', sourceIp: demoScenario.intruderIp },
      restartedBy: { eventName: 'StartLogging', time: '2025-03-11T08:52:37Z' },
    });
    // Staging kept logging: no account-wide silence there.
    expect(completeness.silences.filter((s) => s.region === '*')).toHaveLength(1);
    expect(completeness.limits.join('\n')).toContain(`Bucket ${demoScenario.publicBucket}`);
  });

  it('puts what is still open first in the report, before the timeline, and the log gaps after the coverage', async () => {
    const report = await readFile(join(caseFolder, 'report.md'), 'utf8');
    const at = (heading: string) => report.indexOf(heading);
    expect(at('## What is still open at the end of the logs')).toBeGreaterThan(0);
    expect(at('## What is still open at the end of the logs')).toBeLessThan(at('## How they got in'));
    expect(at('## How they got in')).toBeLessThan(at('## Pivot to closure'));
    expect(at('## Pivot to closure')).toBeLessThan(at('## Timeline'));
    expect(at('## Log gaps: what the logs cannot show')).toBeGreaterThan(at('## Findings'));
    const sessions = report.slice(at("### The attacker's sessions"), at('## Pivot to closure'));
    expect(sessions).toContain(`| ${demoScenario.backdoorAccessKeyId} | ${demoScenario.leakedAccessKeyId} |`);
  });
});

describe("the demo intrusion's story with no indicator, as `npm start` runs it", () => {
  it('pivots from the most severe findings (read from their result files) and lists what is still open', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-story-noioc-'));
    await generateDemoLogs(join(work, 'logs'));
    const outcome = await runInvestigationLocally({
      logs: join(work, 'logs'),
      out: join(work, 'cases'),
      request: {
        caseId: 'story-no-ioc',
        huntIds: ['cloudtrail-logging-disabled', 'iam-access-key-created-for-another-user'],
      },
    });
    const pivots = await readJson<PivotsFile>(join(outcome.caseFolder, 'pivots.json'));
    const openItems = await readJson<OpenItemsFile>(join(outcome.caseFolder, 'open-items.json'));
    expect(pivots.seeds).toBe('findings');
    expect(pivots.attacker.keys).toContain(demoScenario.leakedAccessKeyId);
    expect(openItems.items.filter((i) => i.closed === null).length).toBeGreaterThanOrEqual(10);
  });
});
