import { z } from 'zod';
import type { CaseFolderLayout } from '../domain/case-folder-layout.js';
import { type EvidenceStore, readCaseFile, writeCaseFile } from '../ports/evidence-store.js';
import type { Closure } from './closure.js';
import type { LogCompleteness } from './completeness.js';
import type { Lineage } from './lineage.js';
import type { OpenItem } from './open-items.js';
import type { QuarantinedRow } from './story-event.js';

/**
 * The files TraceStory writes and BuildReport reads: one owner for their keys, shapes and runtime
 * check. A file that breaks its shape fails where it is read, naming the file.
 */
export interface LineageFile extends Lineage {
  /** Queries that returned more rows than kept, and chains cut at `MAX_CHAIN`: the lineage is then partial. */
  truncated: string[];
  quarantined: QuarantinedRow[];
}

export interface PivotsFile extends Closure {
  seeds: 'iocs' | 'findings' | 'none';
  /** Indicators too long to bind as a query parameter: listed, never queried. */
  notQueried: string[];
}

export interface OpenItemsFile {
  endOfLogs: string | null;
  items: OpenItem[];
}

export type LogGapsFile = LogCompleteness;

export interface StoryFiles {
  lineage: LineageFile;
  pivots: PivotsFile;
  openItems: OpenItemsFile;
  logGaps: LogGapsFile;
}

const text = z.string();
const maybe = z.string().nullable();

const minting = z.object({
  eventId: text,
  eventName: text,
  time: text,
  account: text,
  callerArn: maybe,
  callerKey: maybe,
  sourceIp: maybe,
  userAgent: maybe,
  roleArn: maybe,
  sourceIdentity: maybe,
});

const lineageSchema = z.object({
  nodes: z.array(
    z.object({
      id: text,
      kind: z.enum([
        'access key',
        'role session',
        'session token',
        'federation token',
        'console sign-in',
        'user',
      ]),
      principal: maybe,
      mintedBy: minting.nullable(),
      parent: maybe,
      use: z
        .object({
          firstSeen: text,
          lastSeen: text,
          events: z.number(),
          addresses: z.number(),
          anAddress: maybe,
          fromConsole: z.boolean(),
        })
        .nullable(),
    }),
  ),
  sessions: z.array(z.object({ credential: text, principal: maybe, chain: z.array(text), root: text })),
  truncated: z.array(text),
  quarantined: z.array(z.object({ eventId: maybe, reason: text })),
}) satisfies z.ZodType<LineageFile>;

const indicatorKind = z.enum(['accessKey', 'principal', 'ip', 'account', 'userAgent']);
const indicator = z.object({
  kind: indicatorKind,
  value: text,
  round: z.number(),
  origin: z.enum(['seed', 'created', 'observed']),
  reason: text,
});
const activityRow = z.object({
  accessKeyId: maybe,
  actorArn: maybe,
  issuerArn: maybe,
  identityAccount: maybe,
  sourceIp: maybe,
  userAgent: maybe,
  firstSeen: text,
  lastSeen: text,
  events: z.number(),
});

const pivotsSchema = z.object({
  rounds: z.array(
    z.object({
      round: z.number(),
      queried: z.array(text),
      phases: z.array(
        z.object({
          indicator: text,
          attackerEvents: z.number(),
          legitimateEvents: z.number(),
          attackerFirstSeen: maybe,
          attackerLastSeen: maybe,
          decision: text,
        }),
      ),
      found: z.array(indicator),
    }),
  ),
  indicators: z.array(indicator),
  rejected: z.array(z.object({ kind: indicatorKind, value: text })),
  stoppedAtLimit: z.boolean(),
  attacker: z.object({ keys: z.array(text), ips: z.array(text), principals: z.array(text) }),
  sessions: z.array(activityRow),
  seeds: z.enum(['iocs', 'findings', 'none']),
  notQueried: z.array(text),
}) satisfies z.ZodType<PivotsFile>;

const eventRef = z.object({ eventId: maybe, eventName: text, time: text, actor: maybe, sourceIp: maybe });

const openItemsSchema = z.object({
  endOfLogs: maybe,
  items: z.array(
    z.object({
      kind: text,
      resource: text,
      account: text,
      region: text,
      opened: eventRef,
      closed: eventRef.nullable(),
      outsideAccounts: z.array(text),
      note: z.string().optional(),
    }),
  ),
}) satisfies z.ZodType<OpenItemsFile>;

const silenceRow = { account: text, region: text, from: text, to: text };

const logGapsSchema = z.object({
  silenceMinutes: z.number(),
  silences: z.array(
    z.object({
      ...silenceRow,
      minutes: z.number(),
      expectedEvents: z.number(),
      stoppedBy: eventRef.nullable(),
      restartedBy: eventRef.nullable(),
    }),
  ),
  loggingStops: z.array(
    z.object({ account: text, trail: text, stopped: eventRef, restarted: eventRef.nullable() }),
  ),
  dataEvents: z.array(
    z.object({ account: text, service: text, resource: maybe, events: z.number(), first: text, last: text }),
  ),
  digestFiles: z.array(z.object({ account: text, files: z.number(), validationOn: z.boolean() })),
  limits: z.array(text),
}) satisfies z.ZodType<LogGapsFile>;

const schemas = {
  lineage: lineageSchema,
  pivots: pivotsSchema,
  openItems: openItemsSchema,
  logGaps: logGapsSchema,
};
type StoryKey = keyof typeof schemas;
const keyOf = (layout: CaseFolderLayout, file: StoryKey) => layout[file];

export async function writeStoryFiles(store: EvidenceStore, layout: CaseFolderLayout, files: StoryFiles) {
  for (const file of Object.keys(schemas) as StoryKey[])
    await writeCaseFile(
      store,
      { key: keyOf(layout, file), schema: schemas[file] as z.ZodType<unknown> },
      files[file],
    );
}

/** The story files, checked; none when TraceStory did not write them (skipped, or failed and caught). */
export async function readStoryFiles(
  store: EvidenceStore,
  layout: CaseFolderLayout,
): Promise<StoryFiles | undefined> {
  if (!(await store.exists(layout.logGaps))) return undefined;
  const read = async <K extends StoryKey>(file: K) =>
    (await readCaseFile(store, {
      key: keyOf(layout, file),
      schema: schemas[file] as z.ZodType<unknown>,
    })) as StoryFiles[K];
  return {
    lineage: await read('lineage'),
    pivots: await read('pivots'),
    openItems: await read('openItems'),
    logGaps: await read('logGaps'),
  };
}
