import type { AttackerCallers } from './closure.js';
import { loggingEventNames } from './completeness.js';
import { mintingEventNames, temporaryCredentialEventNames } from './lineage.js';
import { exposureEventNames } from './open-items.js';
import { inStoryOrder, parseStoryEvents, type QuarantinedRow, type StoryEvent } from './story-event.js';
import {
  mintingsByParameters,
  mintingsBySql,
  parameterRuns,
  storyEventsSql,
  usedMintingsSql,
} from './story-queries.js';

type Row = Record<string, string | null>;
export type RunQuery = (name: string, sql: string, parameters?: string[]) => Promise<Row[]>;

/**
 * The event names the story reads whole: exposure, logging and the rare mintings (users, access keys,
 * passwords, console sign-ins). Temporary credentials are selected: see `StoryEvents`.
 */
export const wholeEventNames: string[] = [
  ...new Set<string>([...mintingEventNames, ...exposureEventNames, ...loggingEventNames]),
].filter((name) => !(temporaryCredentialEventNames as readonly string[]).includes(name));

/**
 * The events the story is built from, chosen by the engine. The lineage needs, of the mintings of
 * temporary credentials, only the first of each credential used in the logs; the pivot and the open
 * items need the attacker's, whether used or not, and learn who the attacker is round by round. So the
 * story starts from the whole names and the used credentials' mintings, and adds the mintings of each
 * new caller of the attacker's as the pivot finds it. Memory follows the used credentials and the
 * attacker's calls, not the number of role assumptions.
 */
export class StoryEvents {
  readonly quarantined: QuarantinedRow[] = [];
  /** Callers too long to bind as a query parameter: their mintings are not selected. */
  readonly notQueried: string[] = [];
  private events: StoryEvent[] = [];
  private readonly held = new Set<string>();
  /** Addresses, keys and principals whose mintings are held (the three kinds never share a value). */
  private readonly asked = new Set<string>();

  private constructor(private readonly run: RunQuery) {}

  static async select(run: RunQuery): Promise<StoryEvents> {
    const selection = new StoryEvents(run);
    const whole = await runInParts(wholeEventNames, (part) => run('story events', storyEventsSql, [part]));
    selection.hold(whole.rows);
    selection.hold(await run('mintings of used credentials', usedMintingsSql));
    return selection;
  }

  get all(): StoryEvent[] {
    return this.events;
  }

  /** Adds every minting of temporary credentials by callers not asked about before; returns all events. */
  async withMintingsBy(callers: AttackerCallers): Promise<StoryEvent[]> {
    const fresh = (values: Set<string>) => [...values].filter((v) => !this.asked.has(v)).sort();
    const lists = {
      ips: fresh(callers.ips),
      keys: fresh(callers.keys),
      principals: fresh(callers.principals),
    };
    for (const value of [...lists.ips, ...lists.keys, ...lists.principals]) this.asked.add(value);
    const { runs, tooLong } = mintingsByParameters(lists);
    this.notQueried.push(...tooLong);
    for (const parameters of runs)
      this.hold(await this.run('mintings by the attacker', mintingsBySql, parameters));
    return this.events;
  }

  /** Keeps rows not already held (the same event found by two queries), in story order. */
  private hold(rows: Row[]) {
    const fresh = rows.filter((row) => !this.held.has(identity(row)));
    for (const row of fresh) this.held.add(identity(row));
    const { events, quarantined } = parseStoryEvents(fresh);
    this.quarantined.push(...quarantined);
    if (events.length > 0) this.events = [...this.events, ...events].sort(inStoryOrder);
  }
}

/** Two rows are the same event when CloudTrail recorded them as one: same id, account, time and name. */
const identity = (row: Row) => JSON.stringify([row.event_id, row.account_id, row.event_time, row.event_name]);

/** A list bound as one parameter per run (see parameterRuns); the runs' rows together. */
export async function runInParts(
  values: string[],
  query: (part: string) => Promise<Row[]>,
): Promise<{ rows: Row[]; tooLong: string[] }> {
  const { runs, tooLong } = parameterRuns(values);
  const rows: Row[] = [];
  for (const part of runs) rows.push(...(await query(part)));
  return { rows, tooLong };
}
