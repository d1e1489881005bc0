import { describe, expect, it } from 'vitest';
import { renderStillOpen, renderStory } from '../../../shared/report/render-story.js';
import type { StoryFiles } from '../../../shared/story/story-files.js';

const hostileArn = 'arn:aws:iam::111122223333:user/<img src=x onerror=alert(1)>';
const hostileAgent = 'curl` [click](http://evil) |x';

/** A story whose log values were written by an attacker: names, user agents, resources. */
const story: StoryFiles = {
  lineage: { nodes: [], sessions: [], truncated: [], quarantined: [] },
  pivots: {
    rounds: [
      {
        round: 1,
        queried: [hostileAgent],
        phases: [
          {
            indicator: hostileAgent,
            attackerEvents: 2,
            legitimateEvents: 0,
            attackerFirstSeen: null,
            attackerLastSeen: null,
            decision: `all of it the attacker's (${hostileArn})`,
          },
        ],
        found: [
          { kind: 'principal', value: hostileArn, round: 1, origin: 'observed', reason: 'used *the* key' },
          { kind: 'userAgent', value: hostileAgent, round: 1, origin: 'observed', reason: 'tool' },
        ],
      },
    ],
    indicators: [],
    rejected: [],
    stoppedAtLimit: false,
    attacker: { keys: [], ips: [], principals: [hostileArn] },
    sessions: [],
    seeds: 'iocs',
    notQueried: ['`x`'],
  },
  openItems: {
    endOfLogs: '2024-05-01T12:00:00Z',
    items: [
      {
        kind: 'iam user',
        resource: 'iam-user/back`door',
        account: '111122223333',
        region: 'us-east-1',
        opened: {
          eventId: 'e-1',
          eventName: 'CreateUser',
          time: '2024-05-01T10:00:00Z',
          actor: hostileArn,
          sourceIp: '203.0.113.7',
        },
        closed: null,
        outsideAccounts: [],
        note: 'line one\nline two',
      },
    ],
  },
  logGaps: {
    silenceMinutes: 60,
    silences: [],
    loggingStops: [],
    dataEvents: [],
    digestFiles: [],
    limits: [],
  },
};

describe('the story sections of the report', () => {
  it('never let log values take effect as Markdown or HTML, or break a table row', () => {
    const md = [...renderStillOpen(story), ...renderStory(story)].join('\n');

    // In text and table cells every Markdown character is escaped; in a code span nothing renders,
    // so the span's fence is only made longer than any backtick run the value holds.
    expect(md).toContain('| iam user | back\\`door | 111122223333 | CreateUser | 2024-05-01T10:00:00Z |');
    expect(md).toContain("workload; all of it the attacker's (arn:aws:iam::111122223333:user/\\<img src=x");
    expect(md).toContain('| line one line two |');
    expect(md).toContain('**Round 1**: queried `` curl` [click](http://evil) |x ``');
    expect(md).toContain(
      '- new principal `arn:aws:iam::111122223333:user/<img src=x onerror=alert(1)>`: used \\*the\\* key',
    );
    expect(md).toContain('Not queried (too long to bind as a parameter): `` `x` ``');
  });
});
