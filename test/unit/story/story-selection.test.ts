import { describe, expect, it } from 'vitest';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import type { ActivitySubjects } from '../../../shared/story/closure.js';
import { buildLineage } from '../../../shared/story/lineage.js';
import {
  activityParameters,
  activitySql,
  credentialUseSql,
  readActivityRow,
  readCredentialUse,
} from '../../../shared/story/story-queries.js';
import { type RunQuery, StoryEvents } from '../../../shared/story/story-selection.js';
import {
  ACCOUNT,
  assumeRoleRecord,
  callWith,
  sessionIdentity,
  trailRecord,
  userIdentity,
} from '../../support/cloudtrail-records.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

const ATTACKER_IP = '203.0.113.9';
const LEAKED = userIdentity('ci', 'AKIALEAKED0000000001');
const BACKDOOR = userIdentity('backdoor', 'AKIABACKDOOR00000001', '/ops/');

/** The story's selection on DuckDB over these records, with every query it ran. */
function storyOver(scratch: ReturnType<typeof useHuntTestEngine>) {
  return async (records: Record<string, unknown>[]) => {
    await loadTestRecords(scratch.engine, scratch.dir, records);
    const queries: string[] = [];
    const run: RunQuery = async (name, sql, parameters = []) => {
      queries.push(name);
      return (await scratch.engine.run(sql, { parameters, maxRows: 1_000_000 })).rows;
    };
    const selection = await StoryEvents.select(run);
    const uses = (await run('credential use', credentialUseSql)).map(readCredentialUse);
    return { selection, uses, queries };
  };
}

const mintings = (selection: StoryEvents) =>
  selection.all.filter((e) => e.eventName === 'AssumeRole').map((e) => e.eventId);

describe('the story selects the mintings of temporary credentials in the engine', () => {
  const scratch = useHuntTestEngine('casefile-story-selection-');
  const story = storyOver(scratch);

  it('keeps the first successful minting of each used credential, and none of the never-used ones', async () => {
    const denied = trailRecord({
      eventTime: '2025-03-11T02:59:00Z',
      eventName: 'AssumeRole',
      errorCode: 'AccessDenied',
      userIdentity: LEAKED,
    });
    const first = assumeRoleRecord(
      '2025-03-11T03:00:00Z',
      { userIdentity: LEAKED },
      {
        key: 'ASIAUSED000000000001',
        role: 'deploy',
        name: 'a',
      },
    );
    const again = assumeRoleRecord(
      '2025-03-11T03:30:00Z',
      { userIdentity: LEAKED },
      {
        key: 'ASIAUSED000000000001',
        role: 'deploy',
        name: 'a',
      },
    );
    const unused = assumeRoleRecord(
      '2025-03-11T03:10:00Z',
      { userIdentity: LEAKED },
      {
        key: 'ASIAUNUSED0000000001',
        role: 'deploy',
        name: 'b',
      },
    );
    const { selection } = await story([
      denied,
      first,
      again,
      unused,
      callWith('2025-03-11T03:40:00Z', sessionIdentity('ASIAUSED000000000001', 'deploy', 'a')),
    ]);
    expect(mintings(selection)).toEqual([first.eventID]);
  });

  it("keeps a used credential's whole chain, from the first credential in the logs", async () => {
    const records: Record<string, unknown>[] = [];
    let caller: Record<string, unknown> = LEAKED;
    for (const [i, role] of ['a', 'b', 'c'].entries()) {
      const key = `ASIAHOP${i}000000000000`;
      records.push(
        assumeRoleRecord(`2025-03-11T03:0${i}:00Z`, { userIdentity: caller }, { key, role, name: role }),
      );
      caller = sessionIdentity(key, role, role);
    }
    records.push(callWith('2025-03-11T03:09:00Z', caller));
    const { selection, uses } = await story(records);
    const lineage = buildLineage(selection.all, uses);
    expect(lineage.sessions.find((s) => s.credential === 'ASIAHOP2000000000000')?.chain).toEqual([
      'AKIALEAKED0000000001',
      'ASIAHOP0000000000000',
      'ASIAHOP1000000000000',
      'ASIAHOP2000000000000',
    ]);
  });

  it("adds the attacker's mintings, used or not, by address, created key and created user (whatever the user's path), asking once per caller", async () => {
    const fromAddress = assumeRoleRecord(
      '2025-03-11T03:00:00Z',
      { userIdentity: LEAKED, sourceIPAddress: ATTACKER_IP },
      {
        key: 'ASIAFROMADDRESS00001',
        role: 'deploy',
        name: 'x',
      },
    );
    const withKey = assumeRoleRecord(
      '2025-03-11T03:01:00Z',
      { userIdentity: BACKDOOR },
      {
        key: 'ASIAWITHKEY000000001',
        role: 'deploy',
        name: 'y',
      },
    );
    const asUser = assumeRoleRecord(
      '2025-03-11T03:02:00Z',
      { userIdentity: userIdentity('backdoor', 'AKIAOTHER00000000001', '/ops/') },
      {
        key: 'ASIAASUSER0000000001',
        role: 'deploy',
        name: 'z',
      },
    );
    const someoneElse = assumeRoleRecord(
      '2025-03-11T03:03:00Z',
      { userIdentity: LEAKED },
      {
        key: 'ASIAELSE000000000001',
        role: 'deploy',
        name: 'w',
      },
    );
    const { selection, queries } = await story([fromAddress, withKey, asUser, someoneElse]);
    expect(mintings(selection)).toEqual([]);
    const callers = {
      ips: new Set([ATTACKER_IP]),
      keys: new Set(['AKIABACKDOOR00000001']),
      principals: new Set([`${ACCOUNT}:user/backdoor`]),
    };
    await selection.withMintingsBy(callers);
    expect(mintings(selection)).toEqual([fromAddress.eventID, withKey.eventID, asUser.eventID]);
    const asked = queries.length;
    await selection.withMintingsBy(callers);
    expect(queries.length).toBe(asked);
  });

  it('holds an event found by two queries once', async () => {
    const minted = assumeRoleRecord(
      '2025-03-11T03:00:00Z',
      { userIdentity: LEAKED, sourceIPAddress: ATTACKER_IP },
      {
        key: 'ASIABOTH000000000001',
        role: 'deploy',
        name: 'x',
      },
    );
    const { selection } = await story([
      minted,
      callWith('2025-03-11T03:05:00Z', sessionIdentity('ASIABOTH000000000001', 'deploy', 'x')),
    ]);
    await selection.withMintingsBy({ ips: new Set([ATTACKER_IP]), keys: new Set(), principals: new Set() });
    expect(mintings(selection)).toEqual([minted.eventID]);
  });
});

describe('the selection on hostile records', () => {
  const scratch = useHuntTestEngine('casefile-story-selection-hostile-');
  const story = storyOver(scratch);

  it('sets aside each response that is not an object, reads past missing or odd credentials, and keeps a 2,000-character key whole', async () => {
    const longKey = `ASIA${'X'.repeat(1_996)}`;
    const odd = (eventTime: string, responseElements: unknown) =>
      trailRecord({
        eventTime,
        eventName: 'AssumeRole',
        userIdentity: LEAKED,
        sourceIPAddress: ATTACKER_IP,
        responseElements,
      });
    const aString = odd('2025-03-11T03:00:00Z', 'credentials');
    const anArray = odd('2025-03-11T03:01:00Z', ['credentials']);
    const noCredentials = odd('2025-03-11T03:02:00Z', { assumedRoleUser: { arn: 'x' } });
    const aNumber = odd('2025-03-11T03:03:00Z', { credentials: { accessKeyId: 42 } });
    const longMinting = assumeRoleRecord(
      '2025-03-11T03:04:00Z',
      { userIdentity: LEAKED },
      { key: longKey, role: 'deploy', name: 'x' },
    );
    const { selection, uses } = await story([
      aString,
      anArray,
      noCredentials,
      aNumber,
      longMinting,
      callWith('2025-03-11T03:05:00Z', sessionIdentity(longKey, 'deploy', 'x')),
    ]);
    expect(buildLineage(selection.all, uses).nodes.find((n) => n.id === longKey)?.mintedBy).not.toBeNull();
    await selection.withMintingsBy({
      ips: new Set([ATTACKER_IP]),
      keys: new Set(),
      principals: new Set([`arn:aws:sts::${ACCOUNT}:assumed-role/${'r'.repeat(2_000)}/x`]),
    });
    expect(selection.quarantined).toEqual(
      [aString, anArray].map((r) => ({
        eventId: r.eventID,
        reason: 'requestParameters or responseElements is not a JSON object',
      })),
    );
    expect(mintings(selection)).toEqual([noCredentials.eventID, aNumber.eventID, longMinting.eventID]);
    expect(selection.notQueried).toEqual([`arn:aws:sts::${ACCOUNT}:assumed-role/${'r'.repeat(2_000)}/x`]);
  });

  it('traces a chain of 40 role assumptions back to its first key, and stops on a cycle', async () => {
    const records: Record<string, unknown>[] = [];
    let caller: Record<string, unknown> = LEAKED;
    for (let i = 0; i < 40; i++) {
      const key = `ASIACHAIN${String(i).padStart(11, '0')}`;
      records.push(
        assumeRoleRecord(
          `2025-03-11T03:${String(i).padStart(2, '0')}:00Z`,
          { userIdentity: caller },
          { key, role: `r${i}`, name: 's' },
        ),
      );
      caller = sessionIdentity(key, `r${i}`, 's');
    }
    records.push(callWith('2025-03-11T04:00:00Z', caller));
    // Two sessions each minted with the other: no real log holds this, a forged one can.
    records.push(
      assumeRoleRecord(
        '2025-03-11T05:00:00Z',
        { userIdentity: sessionIdentity('ASIACYCLEB0000000001', 'b', 's') },
        { key: 'ASIACYCLEA0000000001', role: 'a', name: 's' },
      ),
      assumeRoleRecord(
        '2025-03-11T05:01:00Z',
        { userIdentity: sessionIdentity('ASIACYCLEA0000000001', 'a', 's') },
        { key: 'ASIACYCLEB0000000001', role: 'b', name: 's' },
      ),
    );
    const { selection, uses } = await story(records);
    const sessions = new Map(buildLineage(selection.all, uses).sessions.map((s) => [s.credential, s]));
    const last = sessions.get('ASIACHAIN00000000039');
    expect(last?.chain).toHaveLength(41);
    expect(last?.root).toBe('AKIALEAKED0000000001');
    expect(sessions.get('ASIACYCLEA0000000001')?.chain).toEqual([
      'ASIACYCLEB0000000001',
      'ASIACYCLEA0000000001',
    ]);
  });
});

describe("one scan for a round's indicators of every kind", () => {
  const scratch = useHuntTestEngine('casefile-story-activity-');

  it('gives each indicator the same rows as a scan for its kind alone', async () => {
    await loadTestRecords(scratch.engine, scratch.dir, [
      callWith('2025-03-11T03:00:00Z', LEAKED, ATTACKER_IP),
      callWith('2025-03-11T03:01:00Z', LEAKED, '198.51.100.24'),
      callWith('2025-03-11T03:02:00Z', BACKDOOR, ATTACKER_IP),
      callWith('2025-03-11T03:03:00Z', sessionIdentity('ASIASESSION000000001', 'deploy', 'x'), '192.0.2.1'),
      callWith('2025-03-11T03:04:00Z', userIdentity('bob', 'AKIABOB0000000000001'), '192.0.2.2'),
    ]);
    const activity = async (subjects: ActivitySubjects) => {
      const rows = [];
      for (const parameters of activityParameters(subjects).runs)
        rows.push(...(await scratch.engine.run(activitySql, { parameters })).rows.map(readActivityRow));
      return rows;
    };
    const subjects: ActivitySubjects = {
      accessKey: ['AKIALEAKED0000000001'],
      principal: [`arn:aws:iam::${ACCOUNT}:role/deploy`],
      ip: [ATTACKER_IP],
      account: ['444455556666'],
    };
    const together = await activity(subjects);
    for (const [kind, values] of Object.entries(subjects)) {
      const alone = await activity({ [kind]: values });
      expect(together.filter((row) => alone.some((a) => JSON.stringify(a) === JSON.stringify(row)))).toEqual(
        alone,
      );
    }
    expect(together.map((r) => r.sourceIp).sort()).toEqual(
      ['192.0.2.1', '198.51.100.24', ATTACKER_IP, ATTACKER_IP].sort(),
    );
  });
});
