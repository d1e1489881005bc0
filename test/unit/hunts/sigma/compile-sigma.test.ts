import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudtrailEventHuntColumns } from '../../../../shared/domain/hunt-definition.js';
import { InvalidHuntError } from '../../../../shared/errors.js';
import { type CompiledSigmaHunt, compileSigmaRule } from '../../../../shared/hunts/sigma/compile-sigma.js';
import { loadSigmaFolder } from '../../../../shared/hunts/sigma/load-sigma-folder.js';
import { DuckDbQueryEngine } from '../../../../shared/local/adapters/duckdb-query-engine.js';
import { loadTestRecords } from '../../../../shared/local/app/hunt-test-runner.js';
import { type CloudTrailEventName, cloudtrailEvents } from '../../../fixtures/sigma/cloudtrail-events.js';

const { Parser } = pkg;

const FIXTURES = join(import.meta.dirname, '../../../fixtures/sigma');
const fixture = (file: string) => readFileSync(join(FIXTURES, file), 'utf8');
const compileFixture = (file: string) => compileSigmaRule(fixture(file), file);

const nameOfEventId = new Map(
  Object.entries(cloudtrailEvents).map(([name, record]) => [record.eventID, name]),
);

/** Each CloudTrail fixture rule and exactly the events it must report; all other events are its negatives. */
const expectedMatches: [string, CloudTrailEventName[]][] = [
  ['cloudtrail/aws_cloudtrail_disable_logging.yml', ['stop-logging', 'delete-trail']],
  ['cloudtrail/aws_console_login_without_mfa.yml', ['console-login-without-mfa']],
  ['cloudtrail/aws_s3_bucket_policy_or_acl_changed.yml', ['put-bucket-policy', 'put-bucket-acl']],
  ['cloudtrail/aws_iam_service_account_key_created.yml', ['create-access-key-svc-backup']],
  ['cloudtrail/aws_iam_inline_policy_allows_everything.yml', ['put-user-policy-allow-all']],
  ['cloudtrail/aws_scripted_client_user_agent.yml', ['python-requests-call', 'kali-cli-call']],
  ['cloudtrail/aws_root_account_activity.yml', ['root-console-call']],
  ['cloudtrail/aws_break_glass_user_activity.yml', ['break-glass-admin']],
  ['cloudtrail/aws_iam_user_created_in_production.yml', ['create-user-production']],
  ['cloudtrail/aws_hostile_user_agent.yml', ['hostile-user-agent']],
];

/** Kept out of the fixtures folder, where the linter would refuse it. */
const BROKEN_YAML =
  'title: AWS Rule With a Broken Indent\nlogsource:\n  product: aws\n    service: cloudtrail\n';

/** The only literals a compiled query may hold: JSON paths of checked keys and the LIKE escape. */
const GENERATED_LITERAL = /'\$(\.[A-Za-z0-9_]+)+'|'!'/g;

function expectCompileError(yamlText: string, ...parts: string[]) {
  let thrown: unknown;
  try {
    compileSigmaRule(yamlText, 'rules/inline.yml');
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidHuntError);
  const message = (thrown as Error).message;
  expect(message).toContain('rules/inline.yml');
  for (const part of parts) expect(message).toContain(part);
}

/** A CloudTrail rule around the given detection block (indented as in the file). */
function rule(detection: string, extra = ''): string {
  return `title: Inline Rule
logsource:
  product: aws
  service: cloudtrail
detection:
${detection}
${extra}`;
}

describe('compileSigmaRule: metadata', () => {
  const { hunt, sigma } = compileFixture('cloudtrail/aws_cloudtrail_disable_logging.yml');

  it('names the hunt after the title and maps level, tags and references', () => {
    expect(hunt).toMatchObject({
      id: 'sigma-aws-cloudtrail-logging-stopped-or-trail-deleted',
      title: 'AWS CloudTrail Logging Stopped or Trail Deleted',
      severity: 'high',
      kind: 'event',
      sources: ['cloudtrail'],
      mitre: ['T1562.008'],
      tactics: ['defense-evasion'],
      references: [
        'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html',
        'https://attack.mitre.org/techniques/T1562/008/',
      ],
      tests: [],
    });
    expect(hunt.description).toContain('stopped, deleted or updated');
    expect(hunt.triage).toContain('Planned changes to the trail configuration');
    expect(sigma).toEqual({
      ruleId: '4d7c5a1e-8f0b-4b6e-9c2a-1f3e5d7a9b01',
      status: 'test',
      origin: 'cloudtrail/aws_cloudtrail_disable_logging.yml',
    });
  });

  it('reads tactics written with underscores, as older rules do, and maps informational to info', () => {
    const login = compileFixture('cloudtrail/aws_console_login_without_mfa.yml').hunt;
    expect(login.tactics).toEqual(['initial-access', 'persistence']);
    expect(login.mitre).toEqual(['T1078.004']);
    const informational = compileSigmaRule(
      rule('  s:\n    eventName: X\n  condition: s', 'level: informational'),
      'x',
    );
    expect(informational.hunt.severity).toBe('info');
    expect(compileSigmaRule(rule('  s:\n    eventName: X\n  condition: s'), 'x').hunt.severity).toBe(
      'medium',
    );
  });

  it('writes the SQL with placeholders and hands the values over in order', () => {
    const { hunt: compiled, parameters } = compileFixture('cloudtrail/aws_cloudtrail_disable_logging.yml');
    expect(compiled.sql).toBe(`SELECT
  eventtime AS event_time,
  eventname AS event_name,
  actor,
  sourceipaddress AS source_ip,
  recipientaccountid AS account_id,
  awsregion AS region,
  eventid,
  outcome,
  errorcode AS error_code
FROM cloudtrail_events
WHERE lower(eventsource) = ?
  AND lower(eventname) IN (?, ?, ?)
ORDER BY eventtime`);
    expect(parameters).toEqual(['cloudtrail.amazonaws.com', 'stoplogging', 'deletetrail', 'updatetrail']);
  });

  it('keeps the leading zero of an unquoted account id and turns null into IS NULL', () => {
    const { hunt: compiled, parameters } = compileFixture(
      'cloudtrail/aws_iam_user_created_in_production.yml',
    );
    expect(parameters).toContain('012345678901');
    expect(compiled.sql).toContain('errorcode IS NULL');
  });

  it('gives re|i an inline flag and leaves plain re case-sensitive', () => {
    const { parameters } = compileFixture('cloudtrail/aws_scripted_client_user_agent.yml');
    expect(parameters).toEqual(['^(python-requests|curl)/\\d', '(?i)(KALI|PARROT)[0-9]']);
  });

  it('escapes LIKE characters and honours Sigma escapes in wildcard values', () => {
    expect(compileFixture('cloudtrail/aws_iam_service_account_key_created.yml').parameters).toContain(
      'svc!_%',
    );
    expect(compileFixture('cloudtrail/aws_iam_inline_policy_allows_everything.yml').parameters).toEqual([
      'iam.amazonaws.com',
      'putuserpolicy',
      'putrolepolicy',
      'putgrouppolicy',
      '%"effect":"allow"%',
      '%"action":"*"%',
      '%"resource":"*"%',
    ]);
  });
});

describe('compileSigmaRule: compiled rules on DuckDB', () => {
  let engine: DuckDbQueryEngine;
  let dir: string;

  beforeAll(async () => {
    engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
    dir = await mkdtemp(join(tmpdir(), 'casefile-sigma-'));
    await loadTestRecords(engine, dir, Object.values(cloudtrailEvents));
  });

  afterAll(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function matchedEvents(compiled: CompiledSigmaHunt) {
    const result = await engine.run(compiled.hunt.sql, { parameters: compiled.parameters });
    return { result, names: result.rows.map((row) => nameOfEventId.get(row.eventid ?? '')).sort() };
  }

  it.each(expectedMatches)('%s is Trino SQL with only generated literals', (file) => {
    const { hunt } = compileFixture(file);
    expect(() => new Parser().astify(hunt.sql, { database: 'trino' })).not.toThrow();
    expect(hunt.sql.replace(GENERATED_LITERAL, '')).not.toContain("'");
  });

  it.each(expectedMatches)('%s reports exactly its events', async (file, expected) => {
    const { result, names } = await matchedEvents(compileFixture(file));
    expect(names).toEqual([...expected].sort());
    expect(result.columns).toEqual([...cloudtrailEventHuntColumns, 'error_code']);
  });

  it('matches case-insensitively unless the rule says cased', async () => {
    const cased = fixture('cloudtrail/aws_break_glass_user_activity.yml');
    const uncased = compileSigmaRule(
      cased.replace('userIdentity.userName|cased', 'userIdentity.userName'),
      'x',
    );
    expect((await matchedEvents(uncased)).names).toEqual(['break-glass-admin', 'lower-case-admin-elsewhere']);
  });

  it('searches a whole JSON column as text and compares booleans as CloudTrail writes them', async () => {
    const compiled = compileSigmaRule(
      rule('  s:\n    responseElements|contains: failure\n    readOnly: false\n  condition: s'),
      'x',
    );
    expect((await matchedEvents(compiled)).names).toEqual(['console-login-failed-without-mfa']);
  });

  it('binds a hostile value as data: the table survives and still holds every event', async () => {
    const compiled = compileFixture('cloudtrail/aws_hostile_user_agent.yml');
    expect(compiled.hunt.sql).not.toContain('DROP');
    expect(compiled.parameters).toEqual(["x'); drop table cloudtrail; --"]);
    await matchedEvents(compiled);
    const count = await engine.run('SELECT count(*) AS n FROM cloudtrail');
    expect(count.rows[0]?.n).toBe(String(Object.keys(cloudtrailEvents).length));
  });
});

describe('compileSigmaRule: refusals name the rule and the construct', () => {
  it.each([
    ['unsupported/aws_many_access_denied_count.yml', 'count()'],
    ['unsupported/aws_unknown_field.yml', "field 'eventSourceName' is not a CloudTrail field"],
    ['unsupported/aws_keyword_search.yml', "selection 'keywords': keyword search"],
    ['unsupported/aws_user_data_base64.yml', "modifier 'base64offset' is not supported"],
    ['other/windows_whoami_execution.yml', "'logsource' must be product 'aws', service 'cloudtrail'"],
  ])('%s', (file, construct) => {
    expect(() => compileFixture(file)).toThrow(InvalidHuntError);
    expect(() => compileFixture(file)).toThrow(file);
    expect(() => compileFixture(file)).toThrow(construct);
  });

  it('names the rule by its title', () => {
    expect(() => compileFixture('unsupported/aws_unknown_field.yml')).toThrow(
      "unsupported/aws_unknown_field.yml: Sigma rule 'AWS Event From a Named Source': selection 'selection': field",
    );
  });

  it.each([
    ['a timeframe', rule('  s:\n    eventName: X\n  timeframe: 5m\n  condition: s'), "'timeframe'"],
    ['near', rule('  a:\n    eventName: X\n  b:\n    eventName: Y\n  condition: a near b'), "'near'"],
    ['2 of', rule('  s1:\n    eventName: X\n  s2:\n    eventName: Y\n  condition: 2 of s*'), "'2 of'"],
    ['an undefined selection', rule('  s:\n    eventName: X\n  condition: s and filter'), "names 'filter'"],
    ['a pattern matching nothing', rule('  s:\n    eventName: X\n  condition: 1 of filter_*'), "'filter_*'"],
    ['an unbalanced parenthesis', rule('  s:\n    eventName: X\n  condition: (s'), "misses a ')'"],
    [
      'an unknown modifier',
      rule('  s:\n    eventName|likeish: X\n  condition: s'),
      "modifier 'likeish' is unknown",
    ],
    [
      'windash',
      rule('  s:\n    userAgent|windash|contains: -x\n  condition: s'),
      "modifier 'windash' is not supported",
    ],
    [
      'cidr',
      rule('  s:\n    sourceIPAddress|cidr: 10.0.0.0/8\n  condition: s'),
      "modifier 'cidr' is not supported",
    ],
    [
      'two positions',
      rule('  s:\n    eventName|contains|startswith: X\n  condition: s'),
      'exclude each other',
    ],
    ['re with contains', rule('  s:\n    eventName|re|contains: X\n  condition: s'), "'re' takes only"],
    ['i without re', rule('  s:\n    eventName|i: X\n  condition: s'), "needs 're' before it"],
    ['lookaround', rule("  s:\n    userAgent|re: 'curl(?!/8)'\n  condition: s"), 'lookaround'],
    [
      'a JSON key with a dash',
      rule('  s:\n    requestParameters.bucket-name: x\n  condition: s'),
      "'bucket-name'",
    ],
    ['a modifier without field', rule('  s:\n    "|contains": x\n  condition: s'), 'keyword search'],
    ['an empty list', rule('  s:\n    eventName: []\n  condition: s'), 'the list of values is empty'],
    ['an unknown level', rule('  s:\n    eventName: X\n  condition: s', 'level: severe'), "level 'severe'"],
    [
      'a level named like an object property',
      rule('  s:\n    eventName: X\n  condition: s', 'level: constructor'),
      "level 'constructor'",
    ],
    [
      'a field named like an object property',
      rule('  s:\n    constructor: X\n  condition: s'),
      "field 'constructor'",
    ],
    [
      'a JSON column named like an object property',
      rule('  s:\n    toString.x: X\n  condition: s'),
      "field 'toString.x'",
    ],
    ['no condition', rule('  s:\n    eventName: X'), "'detection.condition'"],
    // https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html: 1,024 characters a value, as sent.
    [
      'a value longer than an Athena parameter once its quotes are escaped',
      rule(`  s:\n    userAgent|contains: "${"'".repeat(500)}${'x'.repeat(200)}"\n  condition: s`),
      'longer than an Athena query parameter may be (1024)',
    ],
  ])('refuses %s', (_what, yamlText, construct) => {
    expectCompileError(yamlText, 'Inline Rule', construct);
  });

  it('refuses correlation rules, rule collections and broken YAML', () => {
    expectCompileError('title: Burst\ncorrelation:\n  type: event_count\n  rules: [a]\n', 'correlation rule');
    expectCompileError(
      `${rule('  s:\n    eventName: X\n  condition: s')}\n---\n${rule('  s:\n    eventName: Y\n  condition: s')}`,
      '2 YAML documents',
    );
    expectCompileError(BROKEN_YAML, 'not valid YAML');
  });
});

describe('compileSigmaRule: condition semantics', () => {
  it('binds not tighter than and, and and tighter than or', () => {
    const { hunt } = compileSigmaRule(
      rule(
        '  a:\n    eventName: A\n  b:\n    eventName: B\n  c:\n    eventName: C\n  condition: a or not b and c',
      ),
      'x',
    );
    expect(hunt.sql).toContain(`WHERE lower(eventname) = ?
  OR (
    NOT coalesce(lower(eventname) = ?, false)
    AND lower(eventname) = ?
  )`);
  });

  it('leaves selections starting with _ out of them', () => {
    const { parameters } = compileSigmaRule(
      rule('  a:\n    eventName: A\n  _helper:\n    eventName: H\n  condition: all of them'),
      'x',
    );
    expect(parameters).toEqual(['a']);
  });

  it('ORs the maps of a list and supports exists', () => {
    const { hunt, parameters } = compileSigmaRule(
      rule(
        '  s:\n    - eventName: A\n      errorCode|exists: true\n    - eventName: B\n      errorCode|exists: false\n  condition: s',
      ),
      'x',
    );
    expect(parameters).toEqual(['a', 'b']);
    expect(hunt.sql).toContain('errorcode IS NOT NULL');
    expect(hunt.sql).toContain('errorcode IS NULL');
  });
});

describe('loadSigmaFolder', () => {
  it('compiles the CloudTrail rules, reports the bad ones and passes over other log sources', async () => {
    const folder = await loadSigmaFolder(FIXTURES);
    expect(folder.hunts.map((h) => h.sigma.origin).sort()).toEqual(
      expectedMatches.map(([file]) => file).sort(),
    );
    expect(folder.errors.map((e) => e.file)).toEqual([
      'unsupported/aws_keyword_search.yml',
      'unsupported/aws_many_access_denied_count.yml',
      'unsupported/aws_unknown_field.yml',
      'unsupported/aws_user_data_base64.yml',
    ]);
    for (const { file, error } of folder.errors) expect(error).toContain(file);
    expect(folder.skipped).toEqual([
      { file: 'other/windows_whoami_execution.yml', logsource: 'product windows, category process_creation' },
    ]);
  });

  it('reports broken YAML and a second rule compiling to a hunt id already taken, and loads the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-sigma-folder-'));
    try {
      const text = fixture('cloudtrail/aws_cloudtrail_disable_logging.yml');
      await writeFile(join(dir, 'a.yml'), text);
      await writeFile(join(dir, 'b.yaml'), text);
      await writeFile(join(dir, 'broken.yml'), BROKEN_YAML);
      await writeFile(join(dir, 'notes.txt'), 'not a rule');
      const folder = await loadSigmaFolder(dir);
      expect(folder.hunts.map((h) => h.sigma.origin)).toEqual(['a.yml']);
      expect(folder.errors.map((e) => e.file)).toEqual(['b.yaml', 'broken.yml']);
      expect(folder.errors[0]?.error).toBe(
        "b.yaml: hunt id 'sigma-aws-cloudtrail-logging-stopped-or-trail-deleted' is also compiled from a.yml",
      );
      expect(folder.errors[1]?.error).toContain('broken.yml: not valid YAML');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
