import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { HuntOutcome, HuntResultRecord } from '../domain/hunt-result.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFile } from '../ports/evidence-store.js';
import type { QueryParameter, QueryResult } from '../ports/query-engine.js';
import {
  attackerEventTest,
  type Indicator,
  type IndicatorKind,
  isAddress,
  pivotToClosure,
} from '../story/closure.js';
import { assessCompleteness, digestFilesPerAccount, loggingEventNames } from '../story/completeness.js';
import { buildLineage, mintingEventNames } from '../story/lineage.js';
import { exposureEventNames, findOpenItems, stillUsableKeys } from '../story/open-items.js';
import { parseStoryEvents } from '../story/story-event.js';
import { writeStoryFiles } from '../story/story-files.js';
import {
  activitySql,
  credentialUseSql,
  dataEventsSql,
  parameterRuns,
  readActivityRow,
  readCredentialUse,
  readDataEvent,
  readSilence,
  readVolume,
  SILENCE_SECONDS,
  silencesSql,
  storyEventsSql,
  volumesSql,
} from '../story/story-queries.js';

export interface TraceStoryInput {
  case: CaseContext;
  hunts: HuntOutcome[];
}

const MAX_ROWS = 50_000;
const SEVERITY_ORDER = ['critical', 'high'] as const;
const MAX_FINDING_SEEDS = 20;

/**
 * The attack's story: credential lineage, the pivot to closure, what is still open at the end of the
 * logs, and what the logs cannot show. Writes four files to the case folder; returns only counts.
 */
export async function traceStory(input: TraceStoryInput, adapters: CaseAdapters) {
  const context = input.case;
  const layout = caseFolderLayout(context.caseId, context.run);
  const tables = await readCaseFile(adapters.store, caseFiles(context.caseId, context.run).tables);
  if (!tables.tables.some((t) => t.table === 'cloudtrail')) {
    return { status: 'SKIPPED', reason: 'no CloudTrail table in this case' };
  }
  const engine = adapters.engine;
  const truncated: string[] = [];
  const run = async (name: string, sql: string, parameters: QueryParameter[] = []) => {
    const result = await engine.run(sql, { parameters, maxRows: MAX_ROWS });
    if (result.truncated) truncated.push(`${name}: ${result.rowCount} rows, ${result.rows.length} kept`);
    return result.rows;
  };

  const names = [...new Set<string>([...mintingEventNames, ...exposureEventNames, ...loggingEventNames])];
  const eventRows = await runInParts(names, (part) => run('story events', storyEventsSql, [part]));
  const { events, quarantined } = parseStoryEvents(eventRows.rows);
  const uses = (await run('credential use', credentialUseSql)).map(readCredentialUse);
  const lineage = buildLineage(events, uses);

  const { seeds, from } = await seedIndicators(context, input.hunts, adapters);
  const notQueried: string[] = [];
  const closure = await pivotToClosure(seeds, events, lineage, async (kind, values) => {
    const parts = await runInParts(values, (part) => {
      const query = activitySql(kind as Exclude<IndicatorKind, 'userAgent'>);
      return run(`activity of ${kind}`, query.sql, Array(query.parameters).fill(part));
    });
    notQueried.push(...parts.tooLong);
    return parts.rows.map(readActivityRow);
  });

  const byAttacker = attackerEventTest(
    new Set(closure.attacker.ips),
    new Set(closure.attacker.principals),
    new Map(closure.indicators.map((i) => [`${i.kind}:${i.value}`, i])),
  );
  const volumes = (await run('volumes', volumesSql)).map(readVolume);
  const endOfLogs =
    volumes
      .map((v) => v.last)
      .sort()
      .at(-1) ?? null;
  const items = [...findOpenItems(events, byAttacker), ...stillUsableKeys(closure, uses, events, endOfLogs)];
  const silences = [
    ...(await run('account silences', silencesSql(false), [SILENCE_SECONDS])),
    ...(await run('region silences', silencesSql(true), [SILENCE_SECONDS])),
  ].map(readSilence);
  const accounts = [...new Set(volumes.map((v) => v.account))].sort();
  const completeness = assessCompleteness({
    silences,
    volumes: [...volumes, ...accountVolumes(volumes)],
    events,
    dataEvents: (await run('data events', dataEventsSql)).map(readDataEvent),
    digestFiles: await digestEvidence(adapters, context.caseId, accounts, context.run),
    accounts,
    openItems: items,
    attackerLastSeen:
      closure.rounds
        .flatMap((r) => r.phases.map((p) => p.attackerLastSeen ?? ''))
        .sort()
        .at(-1) || null,
  });

  await writeStoryFiles(adapters.store, layout, {
    lineage: { ...lineage, truncated, quarantined },
    pivots: { ...closure, seeds: from, notQueried },
    openItems: { endOfLogs, items },
    logGaps: completeness,
  });
  return {
    status: 'SUCCEEDED',
    credentials: lineage.nodes.length,
    rounds: closure.rounds.length,
    indicators: closure.indicators.length,
    stillOpen: items.filter((i) => !i.closed).length,
    silences: completeness.silences.length,
    quarantined: quarantined.length,
  };
}

/** A list bound as one parameter per run (see parameterRuns); the runs' rows together. */
async function runInParts(
  values: string[],
  query: (part: string) => Promise<QueryResult['rows']>,
): Promise<{ rows: QueryResult['rows']; tooLong: string[] }> {
  const { runs, tooLong } = parameterRuns(values);
  const rows: QueryResult['rows'] = [];
  for (const part of runs) rows.push(...(await query(part)));
  return { rows, tooLong };
}

/**
 * The case's IOCs; without any, the actors, keys and addresses of the most severe findings' rows, so
 * the pivot starts from what the hunts found.
 */
async function seedIndicators(
  context: CaseContext,
  hunts: HuntOutcome[],
  adapters: CaseAdapters,
): Promise<{ seeds: Indicator[]; from: 'iocs' | 'findings' | 'none' }> {
  const iocs = context.iocs ?? {};
  const fromIocs: Indicator[] = [
    ...(iocs.accessKeyIds ?? []).map((value) => seed('accessKey', value, 'case IOC')),
    ...(iocs.principalArns ?? []).map((value) => seed('principal', value, 'case IOC')),
    ...(iocs.ips ?? []).map((value) => seed('ip', value, 'case IOC')),
    ...(iocs.userAgents ?? []).map((value) => seed('userAgent', value, 'case IOC')),
  ];
  if (fromIocs.length > 0) return { seeds: fromIocs, from: 'iocs' };

  // The workflow state carries each hunt's id and status only; what it found is in its result file.
  const found: HuntResultRecord[] = [];
  for (const outcome of hunts.filter((h) => h.status === 'SUCCEEDED')) {
    const result = await readCaseFile(
      adapters.store,
      caseFiles(context.caseId, context.run).huntResult(outcome.huntId),
    );
    if (result.kind !== 'pivot' && result.rowCount > 0) found.push(result);
  }
  for (const severity of SEVERITY_ORDER) {
    const seeds = new Map<string, Indicator>();
    for (const result of found.filter((r) => r.severity === severity)) {
      for (const row of result.sample) {
        const why = `${severity} finding of ${result.huntId}`;
        const candidates: Indicator[] = [];
        if (row.access_key_id) candidates.push(seed('accessKey', row.access_key_id, why));
        else if (row.actor?.startsWith('arn:')) candidates.push(seed('principal', row.actor, why));
        if (isAddress(row.source_ip ?? null)) candidates.push(seed('ip', row.source_ip as string, why));
        for (const c of candidates) if (seeds.size < MAX_FINDING_SEEDS) seeds.set(`${c.kind}:${c.value}`, c);
      }
    }
    if (seeds.size > 0) return { seeds: [...seeds.values()], from: 'findings' };
  }
  return { seeds: [], from: 'none' };
}

function seed(kind: IndicatorKind, value: string, reason: string): Indicator {
  return { kind, value, round: 0, origin: 'seed', reason };
}

/** The account-wide (`*`) volumes the per-account silences are measured against. */
function accountVolumes(volumes: { account: string; events: number; first: string; last: string }[]) {
  const byAccount = new Map<
    string,
    { account: string; region: string; events: number; first: string; last: string }
  >();
  for (const v of volumes) {
    const sum = byAccount.get(v.account) ?? {
      account: v.account,
      region: '*',
      events: 0,
      first: v.first,
      last: v.last,
    };
    sum.events += v.events;
    if (v.first < sum.first) sum.first = v.first;
    if (v.last > sum.last) sum.last = v.last;
    byAccount.set(v.account, sum);
  }
  return [...byAccount.values()];
}

/** Digest files the local inventory set aside, and the accounts whose trails the AWS inventory found validating. */
async function digestEvidence(adapters: CaseAdapters, caseId: string, accounts: string[], run?: number) {
  const inventory = await readCaseFile(adapters.store, caseFiles(caseId, run).inventory);
  const validated = inventory.sources
    .filter((s) => s.source === 'cloudtrail' && s.details?.logFileValidation === true)
    .flatMap((s) => s.accounts ?? []);
  return digestFilesPerAccount(inventory.skipped, accounts, new Set(validated));
}
