import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { routeOf } from '../domain/event-classes.js';
import type { HuntOutcome, HuntResultRecord } from '../domain/hunt-result.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { readCaseFile } from '../ports/evidence-store.js';
import type { QueryEngine, QueryParameter } from '../ports/query-engine.js';
import {
  type ActivityRow,
  attackerCallers,
  attackerEventTest,
  type Indicator,
  type IndicatorKind,
  isAddress,
  pivotToClosure,
} from '../story/closure.js';
import { assessCompleteness, digestFilesPerAccount } from '../story/completeness.js';
import { buildLineage, MAX_CHAIN } from '../story/lineage.js';
import { findOpenItems, stillUsableKeys } from '../story/open-items.js';
import { stillValidCredentials } from '../story/session-lifetime.js';
import { writeStoryFiles } from '../story/story-files.js';
import {
  activityGroup,
  activityParameters,
  activitySql,
  credentialUseSql,
  dataEventsSql,
  readActivityRow,
  readCredentialUse,
  readDataEvent,
  readSilence,
  readVolume,
  SILENCE_SECONDS,
  silencesSql,
  volumesSql,
} from '../story/story-queries.js';
import { STORY_ROUTE_ID } from '../story/story-route.js';
import { StoryEvents } from '../story/story-selection.js';

export interface TraceStoryInput {
  case: CaseContext;
  hunts: HuntOutcome[];
}

/**
 * Rows one story query may return. The queries select (the used credentials' first mintings, the
 * attacker's, the rare events), so the 1 M-event corpus needs about 6,000 and 10 M about 60,000; a
 * query that reaches it is named in `lineage.json` and the report, never cut silently.
 */
const MAX_ROWS = 200_000;
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
  const truncated: string[] = [];
  const runOn =
    (engine: QueryEngine) =>
    async (name: string, sql: string, parameters: QueryParameter[] = []) => {
      const result = await engine.run(sql, { parameters, maxRows: MAX_ROWS });
      if (result.truncated) truncated.push(`${name}: ${result.rowCount} rows, ${result.rows.length} kept`);
      return result.rows;
    };
  const run = runOn(adapters.engine);
  // The story's events by name read only the classes of the copy that hold those names (story-route.ts).
  const storyRoute = tables.namedEvents ? routeOf(tables.namedEvents, STORY_ROUTE_ID) : null;
  const runOnNamed = runOn(
    storyRoute && adapters.routedEngine ? adapters.routedEngine(storyRoute) : adapters.engine,
  );

  const selection = await StoryEvents.select((name, sql, parameters) => runOnNamed(name, sql, parameters));
  const uses = (await run('credential use', credentialUseSql)).map(readCredentialUse);

  const { seeds, from } = await seedIndicators(context, input.hunts, adapters);
  const notQueried: string[] = [];
  const closure = await pivotToClosure(
    seeds,
    selection.all,
    buildLineage(selection.all, uses),
    async (subjects) => {
      const { runs, tooLong } = activityParameters(subjects);
      notQueried.push(...tooLong);
      // A group named by lists of two runs comes twice, whole both times: it is kept once.
      const groups = new Map<string, ActivityRow>();
      for (const parameters of runs) {
        for (const row of (await run('activity', activitySql, parameters)).map(readActivityRow))
          groups.set(JSON.stringify(activityGroup(row)), row);
      }
      return [...groups.values()];
    },
    (callers) => selection.withMintingsBy(callers),
  );

  const attacker = [
    new Set(closure.attacker.ips),
    new Set(closure.attacker.principals),
    new Map(closure.indicators.map((i) => [`${i.kind}:${i.value}`, i])),
  ] as const;
  // The last round can name a created key after its own selection: its mintings are added here.
  const events = await selection.withMintingsBy(attackerCallers(...attacker));
  const byAttacker = attackerEventTest(...attacker);
  // Built again with the attacker's mintings, whether used or not; the used credentials' sessions do not change.
  const lineage = buildLineage(events, uses);
  for (const session of lineage.sessions.filter((s) => s.chain.length >= MAX_CHAIN))
    truncated.push(`chain of ${session.credential}: ${MAX_CHAIN} credentials kept, its first not reached`);
  const volumes = (await run('volumes', volumesSql)).map(readVolume);
  const endOfLogs =
    volumes
      .map((v) => v.last)
      .sort()
      .at(-1) ?? null;
  const items = [
    ...findOpenItems(events, byAttacker),
    ...stillUsableKeys(closure, uses, events, endOfLogs),
    ...stillValidCredentials(events, byAttacker, new Set(closure.attacker.keys), endOfLogs),
  ];
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
    lineage: { ...lineage, truncated, quarantined: selection.quarantined },
    pivots: { ...closure, seeds: from, notQueried: [...new Set([...notQueried, ...selection.notQueried])] },
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
    quarantined: selection.quarantined.length,
  };
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
