import { describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../../shared/domain/hunt-definition.js';
import {
  assessHuntCoverage,
  type CatalogueApi,
  eventSelectionOfHunt,
  loadCoverageInputs,
  matchesEventName,
  renderCoverageMarkdown,
} from '../../../shared/hunts/coverage.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';

const hunt = (id: string, sql: string, kind: HuntDefinition['kind'] = 'event'): HuntDefinition => ({
  id,
  title: id,
  description: id,
  severity: 'medium',
  kind,
  sources: ['cloudtrail'],
  mitre: ['T1098'],
  tactics: ['persistence'],
  triage: id,
  references: [],
  sql,
  tests: [],
});

const api = (eventSource: string, eventName: string, usedInWild = true): CatalogueApi => ({
  eventSource,
  eventName,
  usedInWild,
  tactics: ['TA0003'],
  techniques: ['T1098.001'],
});

describe('the event names a hunt selects, read from its WHERE clauses', () => {
  it('reads =, IN, LIKE and regexp_like on eventname, in CTEs too, with the event sources named', () => {
    const selection = eventSelectionOfHunt(
      hunt(
        'h',
        `WITH a AS (SELECT * FROM cloudtrail WHERE eventsource = 'iam.amazonaws.com'
           AND (eventname IN ('CreateUser', 'CreateLoginProfile') OR eventname LIKE 'Attach%Policy'))
         SELECT eventtime FROM a WHERE eventname = 'DeleteUser' OR regexp_like(eventname, '^(List|Get)')`,
      ),
    );
    expect(selection.eventSources).toEqual(['iam.amazonaws.com']);
    expect(selection.matchers).toHaveLength(5);
    expect(selection.matchers).toEqual(
      expect.arrayContaining([
        { kind: 'exact', pattern: 'CreateUser' },
        { kind: 'exact', pattern: 'CreateLoginProfile' },
        { kind: 'like', pattern: 'Attach%Policy' },
        { kind: 'exact', pattern: 'DeleteUser' },
        { kind: 'regexp', pattern: '^(List|Get)' },
      ]),
    );
  });

  it('does not count negated tests or names that only label a column', () => {
    const selection = eventSelectionOfHunt(
      hunt(
        'h',
        `SELECT CASE WHEN eventname = 'StopLogging' THEN 'x' END AS label FROM cloudtrail
         WHERE eventname <> 'DeleteTrail' AND eventname NOT IN ('UpdateTrail')
           AND NOT regexp_like(eventname, '^Put') AND eventname NOT LIKE 'Get%'`,
      ),
    );
    expect(selection.matchers).toEqual([]);
  });

  it('marks a hunt that keeps only failed calls, which sees refusals and not the API in use', () => {
    const failuresOnly = (where: string) =>
      eventSelectionOfHunt(
        hunt('h', `SELECT 1 FROM cloudtrail_events WHERE eventname = 'CreateUser' AND ${where}`),
      ).failuresOnly;
    expect(failuresOnly(`outcome = 'failure'`)).toBe(true);
    expect(failuresOnly('errorcode IS NOT NULL')).toBe(true);
    expect(failuresOnly(`errorcode IN ('AccessDenied', 'UnauthorizedOperation')`)).toBe(true);
    expect(failuresOnly(`regexp_like(coalesce(errorcode, ''), '(?i)AccessDenied')`)).toBe(true);
    // Near misses: successes only, a failure counted beside successes, an OR that lets successes through.
    expect(failuresOnly(`outcome = 'success'`)).toBe(false);
    expect(failuresOnly('errorcode IS NULL')).toBe(false);
    expect(failuresOnly(`(errorcode IS NOT NULL OR readonly = 'false')`)).toBe(false);
    expect(
      eventSelectionOfHunt(
        hunt(
          'h',
          `SELECT count_if(errorcode IS NOT NULL) AS failed FROM cloudtrail WHERE eventname = 'CreateUser'`,
        ),
      ).failuresOnly,
    ).toBe(false);
  });

  it('matches LIKE wildcards and case-insensitive regular expressions as the engines do', () => {
    expect(matchesEventName({ kind: 'like', pattern: 'DeleteFunction%' }, 'DeleteFunction20150331')).toBe(
      true,
    );
    expect(matchesEventName({ kind: 'like', pattern: 'Put_Object' }, 'PutXObject')).toBe(true);
    expect(matchesEventName({ kind: 'like', pattern: 'Put.Object' }, 'PutXObject')).toBe(false);
    expect(matchesEventName({ kind: 'regexp', pattern: '(?i)^list' }, 'ListUsers')).toBe(true);
    expect(matchesEventName({ kind: 'exact', pattern: 'ListUsers' }, 'ListUsersV2')).toBe(false);
  });
});

describe('coverage of the API catalogue', () => {
  const hunts = [
    hunt(
      'iam-users',
      `SELECT 1 FROM cloudtrail WHERE eventsource = 'iam.amazonaws.com' AND eventname = 'CreateUser'`,
    ),
    hunt('recon', `SELECT 1 FROM cloudtrail WHERE regexp_like(eventname, '^(List|Describe)')`, 'behaviour'),
  ];

  it('covers an API only where the hunt names its event source, or names none', () => {
    const report = assessHuntCoverage(
      hunts,
      [api('iam.amazonaws.com', 'CreateUser'), api('sso-directory.amazonaws.com', 'CreateUser')],
      {},
    );
    expect(report.apis.map((a) => [a.api, a.huntIds])).toEqual([
      ['iam:CreateUser', ['iam-users']],
      ['sso-directory:CreateUser', []],
    ]);
  });

  it('does not count a hunt of refused attempts as covering the APIs it names', () => {
    const denied = hunt(
      'denied',
      `SELECT 1 FROM cloudtrail_events WHERE eventname IN ('CreateUser', 'DeleteTrail') AND outcome = 'failure'`,
    );
    const report = assessHuntCoverage(
      [...hunts, denied],
      [api('iam.amazonaws.com', 'CreateUser'), api('cloudtrail.amazonaws.com', 'DeleteTrail')],
      {},
    );
    expect(report.apis.map((a) => [a.api, a.huntIds])).toEqual([
      ['iam:CreateUser', ['iam-users']],
      ['cloudtrail:DeleteTrail', []],
    ]);
  });

  it('owes a hunt or a reason for every uncovered API used in the wild that changes something', () => {
    const report = assessHuntCoverage(
      hunts,
      [
        api('iam.amazonaws.com', 'CreateUser'),
        api('s3.amazonaws.com', 'ListBuckets'),
        api('s3.amazonaws.com', 'HeadObject'),
        api('ec2.amazonaws.com', 'CreateVolume'),
        api('kms.amazonaws.com', 'Encrypt'),
        api('ecs.amazonaws.com', 'CreateCluster', false),
      ],
      { 'kms:Encrypt': 'data-plane call' },
    );
    expect(report.gaps.map((g) => g.api)).toEqual(['ec2:CreateVolume']);
    expect(report.apis.find((a) => a.api === 's3:ListBuckets')?.huntIds).toEqual(['recon']);
    expect(report.apis.find((a) => a.api === 's3:HeadObject')).toMatchObject({
      reconnaissance: true,
      huntIds: [],
    });
  });

  it('calls an explanation stale once a hunt covers the API or the catalogue drops it', () => {
    const report = assessHuntCoverage(hunts, [api('iam.amazonaws.com', 'CreateUser')], {
      'iam:CreateUser': 'no hunt yet',
      'iam:Retired': 'gone',
    });
    expect(report.staleExplanations).toEqual(['iam:CreateUser', 'iam:Retired']);
  });

  it('maps a hunt for a sub-technique to its parent technique, not the reverse', () => {
    const report = assessHuntCoverage(
      [
        { ...hunts[0], mitre: ['T1098.001'] } as HuntDefinition,
        { ...hunts[1], mitre: ['T1087'] } as HuntDefinition,
      ],
      [{ ...api('iam.amazonaws.com', 'CreateUser'), techniques: ['T1098', 'T1087.004'] }],
      {},
    );
    const technique = (id: string) => report.techniques.find((t) => t.technique === id)?.huntIds;
    expect(technique('T1098')).toEqual(['iam-users']);
    expect(technique('T1087.004')).toEqual([]);
  });
});

describe('the hunt library against the TrailDiscover catalogue', async () => {
  const { catalogue, explanations } = await loadCoverageInputs();
  const report = assessHuntCoverage(await loadHuntLibrary(), catalogue, explanations);

  it('covers or explains every API used in the wild that changes security posture', () => {
    expect(report.gaps.map((g) => g.api)).toEqual([]);
  });

  it('keeps no stale explanation', () => {
    expect(report.staleExplanations).toEqual([]);
  });

  it('renders a table of every used-in-the-wild API with the hunts that select it', () => {
    const markdown = renderCoverageMarkdown(report);
    expect(markdown).toMatch(
      /\| `iam:CreateAccessKey` \| TA0003, TA0004 \| [^|]*iam-access-key-created-for-another-user/,
    );
    expect(markdown).toMatch(/\| `kms:Encrypt` \| TA0040 \| — \| Data-plane call/);
    expect(markdown).toContain('0 gaps');
  });
});
