import { describe, expect, it } from 'vitest';
import { stillValidCredentials } from '../../../shared/story/session-lifetime.js';
import type { StoryEvent } from '../../../shared/story/story-event.js';
import { assumeRole, storyEvent } from '../../support/story-events.js';

const ATTACKER_IP = '203.0.113.77';
const END_OF_LOGS = '2025-03-12T12:00:00Z';
const byAttacker = (event: StoryEvent) => event.sourceIp === ATTACKER_IP;
const attacker = { sourceIp: ATTACKER_IP };

function openAt(events: StoryEvent[], attackerKeys: string[] = []) {
  return stillValidCredentials(events, byAttacker, new Set(attackerKeys), END_OF_LOGS).map((i) => i.resource);
}

const session = (key: string) => ({ key, role: 'deploy', name: key.toLowerCase() });

describe('temporary credentials still valid when the logs end', () => {
  it('an unused session the attacker minted long before the end of the logs is not an open item, one minted near the end is', () => {
    const early = assumeRole('2025-03-11T20:00:00Z', attacker, session('ASIAEARLY00000000001'));
    const late = assumeRole('2025-03-12T01:00:01Z', attacker, session('ASIALATE000000000001'));
    expect(openAt([early, late])).toEqual(['credentials/ASIALATE000000000001']);
  });

  it('says until when at the latest, and how to deny the role sessions', () => {
    const [item] = stillValidCredentials(
      [assumeRole('2025-03-12T06:00:00Z', attacker, session('ASIALATE000000000001'))],
      byAttacker,
      new Set(),
      END_OF_LOGS,
    );
    expect(item).toMatchObject({
      kind: 'temporary credentials still valid',
      closed: null,
      opened: { eventName: 'AssumeRole', time: '2025-03-12T06:00:00Z', sourceIp: ATTACKER_IP },
    });
    expect(item?.note).toContain('usable until 2025-03-12T18:00:00Z at the latest');
    expect(item?.note).toContain('arn:aws:iam::111122223333:role/deploy');
  });

  it('gives a role session assumed with a role session (role chaining) one hour', () => {
    const chained = assumeRole(
      '2025-03-12T10:59:59Z',
      { ...attacker, identityType: 'AssumedRole', accessKeyId: 'ASIAFIRST00000000001' },
      session('ASIACHAINED000000001'),
    );
    const chainedLater = assumeRole(
      '2025-03-12T11:00:01Z',
      { ...attacker, identityType: 'AssumedRole', accessKeyId: 'ASIAFIRST00000000001' },
      session('ASIACHAINED000000002'),
    );
    expect(openAt([chained, chainedLater])).toEqual(['credentials/ASIACHAINED000000002']);
  });

  it("gives a user's session token 36 hours and the root user's one hour", () => {
    const token = (time: string, key: string, identityType: string) =>
      storyEvent({
        eventName: 'GetSessionToken',
        eventSource: 'sts.amazonaws.com',
        time,
        ...attacker,
        identityType,
        response: { credentials: { accessKeyId: key } },
      });
    expect(
      openAt([
        token('2025-03-11T00:00:01Z', 'ASIAUSERTOKEN0000001', 'IAMUser'),
        token('2025-03-10T23:59:59Z', 'ASIAUSERTOKEN0000002', 'IAMUser'),
        token('2025-03-12T10:00:00Z', 'ASIAROOTTOKEN0000001', 'Root'),
      ]),
    ).toEqual(['credentials/ASIAUSERTOKEN0000001']);
  });

  it('includes a session of someone else that the attacker used, and leaves out the rest of the workload and denied calls', () => {
    const workload = { sourceIp: '198.51.100.24' };
    const stolen = assumeRole('2025-03-12T09:00:00Z', workload, session('ASIASTOLEN0000000001'));
    const theirs = assumeRole('2025-03-12T09:00:00Z', workload, session('ASIAWORKLOAD00000001'));
    const denied = {
      ...assumeRole('2025-03-12T09:00:00Z', attacker, session('ASIADENIED0000000001')),
      errorCode: 'AccessDenied',
    };
    expect(openAt([stolen, theirs, denied], ['ASIASTOLEN0000000001'])).toEqual([
      'credentials/ASIASTOLEN0000000001',
    ]);
  });

  it('lists nothing when the end of the logs is unknown', () => {
    const late = assumeRole('2025-03-12T11:00:00Z', attacker, session('ASIALATE000000000001'));
    expect(stillValidCredentials([late], byAttacker, new Set(), null)).toEqual([]);
  });
});
