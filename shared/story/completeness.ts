import type { EventRef, OpenItem } from './open-items.js';
import { refOf } from './open-items.js';
import { type StoryEvent, succeeded, textAt, trailName } from './story-event.js';

/**
 * What the logs cannot show. CloudTrail writes nothing while a trail is stopped
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html); data events
 * are recorded only for the buckets and functions a trail's selectors name
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html);
 * digest files, delivered hourly under `CloudTrail-Digest/` when log file validation is on, are what
 * proves the delivered files were not altered or removed
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
 */
export const loggingEventNames = ['StopLogging', 'StartLogging', 'DeleteTrail', 'CreateTrail'] as const;

/** A silence of more than this many minutes in an account's CloudTrail is reported. */
export const SILENCE_MINUTES = 60;
/** ...when the account's (or region's) own rate would have produced at least this many events in it. */
export const EXPECTED_EVENTS = 20;

/** One interval with no CloudTrail record, per account (`region` = `*`: all regions) or per account and region. */
export interface SilenceRow {
  account: string;
  region: string;
  from: string;
  to: string;
}

export interface VolumeRow {
  account: string;
  region: string;
  events: number;
  first: string;
  last: string;
}

export interface DataEventRow {
  account: string;
  service: string;
  resource: string | null;
  events: number;
  first: string;
  last: string;
}

export interface Silence extends SilenceRow {
  minutes: number;
  expectedEvents: number;
  stoppedBy: EventRef | null;
  restartedBy: EventRef | null;
}

export interface LoggingStop {
  account: string;
  trail: string;
  stopped: EventRef;
  restarted: EventRef | null;
}

/**
 * Digest files read for an account (locally they sit in the folder), or, in AWS, whether the inventory
 * found its trail's log file validation on (the digests are then in the trail's bucket).
 */
export interface DigestEvidence {
  account: string;
  files: number;
  validationOn: boolean;
}

export interface LogCompleteness {
  silenceMinutes: number;
  silences: Silence[];
  loggingStops: LoggingStop[];
  dataEvents: DataEventRow[];
  digestFiles: DigestEvidence[];
  /** Conclusions these gaps limit, one sentence each. */
  limits: string[];
}

export function assessCompleteness(input: {
  silences: SilenceRow[];
  volumes: VolumeRow[];
  events: StoryEvent[];
  dataEvents: DataEventRow[];
  digestFiles: DigestEvidence[];
  accounts: string[];
  openItems: OpenItem[];
  attackerLastSeen: string | null;
}): LogCompleteness {
  const stops = pairStops(input.events);
  const silences = input.silences
    .map((row) => {
      const minutes = (Date.parse(row.to) - Date.parse(row.from)) / 60_000;
      const volume = input.volumes.find((v) => v.account === row.account && v.region === row.region);
      const spanMinutes = volume
        ? Math.max(1, (Date.parse(volume.last) - Date.parse(volume.first)) / 60_000)
        : 1;
      const expectedEvents = volume ? Math.round((volume.events / spanMinutes) * minutes) : 0;
      // The stop that explains a silence was made just before it began: the stop call is the last record.
      const stop = stops.find(
        (s) =>
          s.account === row.account &&
          Math.abs(Date.parse(s.stopped.time) - Date.parse(row.from)) <= 15 * 60_000,
      );
      return {
        ...row,
        minutes: Math.round(minutes),
        expectedEvents,
        stoppedBy: stop?.stopped ?? null,
        restartedBy: stop?.restarted ?? null,
      };
    })
    .filter((s) => s.minutes > SILENCE_MINUTES && (s.expectedEvents >= EXPECTED_EVENTS || s.stoppedBy));

  const limits: string[] = [];
  for (const s of silences.filter((x) => x.region === '*')) {
    const cause = s.stoppedBy
      ? ` after StopLogging at ${s.stoppedBy.time} by ${s.stoppedBy.actor ?? 'unknown'} from ${s.stoppedBy.sourceIp ?? 'unknown'}` +
        (s.restartedBy
          ? `, until StartLogging at ${s.restartedBy.time} by ${s.restartedBy.actor ?? 'unknown'}`
          : ', never restarted in the logs')
      : ' with no StopLogging in the logs to explain it';
    limits.push(
      `Account ${s.account} has no CloudTrail record from ${s.from} to ${s.to} (${(s.minutes / 60).toFixed(1)} h, about ${s.expectedEvents} events expected)${cause}: nothing done in that time is in this case` +
        (input.attackerLastSeen &&
        input.attackerLastSeen <= s.to &&
        input.attackerLastSeen >= addMinutes(s.from, -30)
          ? ', and the attacker was active when it began.'
          : '.'),
    );
  }
  for (const stop of stops.filter((s) => !s.restarted)) {
    limits.push(
      `Trail ${stop.trail} in account ${stop.account} was stopped at ${stop.stopped.time} and no StartLogging follows in the logs.`,
    );
  }
  const bucketsWithData = new Set(
    input.dataEvents.filter((d) => d.service === 's3.amazonaws.com').map((d) => `${d.account}/${d.resource}`),
  );
  const s3Covered = input.dataEvents.filter((d) => d.service === 's3.amazonaws.com').map((d) => d.resource);
  for (const item of input.openItems) {
    const bucket = /^(bucket|pab|acl)\/(.+)$/.exec(item.resource)?.[2];
    if (!bucket || bucketsWithData.has(`${item.account}/${bucket}`)) continue;
    limits.push(
      `Bucket ${bucket} (${item.kind} at ${item.opened.time}) has no S3 data events in the logs, so reads of its objects are invisible` +
        ` (data events cover ${s3Covered.length > 0 ? [...new Set(s3Covered)].join(', ') : 'no bucket'}).`,
    );
  }
  for (const account of input.accounts) {
    if (!input.digestFiles.some((d) => d.account === account && (d.files > 0 || d.validationOn))) {
      limits.push(
        `No CloudTrail digest files for account ${account} were read and log file validation is not known to be on: that no log file was altered or removed cannot be checked.`,
      );
    }
  }
  return {
    silenceMinutes: SILENCE_MINUTES,
    silences,
    loggingStops: stops,
    dataEvents: input.dataEvents,
    digestFiles: input.digestFiles,
    limits: [...new Set(limits)],
  };
}

/**
 * Digest files among the inputs the inventory set aside (they hold no events), per account, from their
 * delivery path `AWSLogs/[<org-id>/]<account>/CloudTrail-Digest/<region>/...`.
 */
export function digestFilesPerAccount(
  skipped: { input: string }[],
  accounts: string[],
  validatedAccounts: Set<string> = new Set(),
): DigestEvidence[] {
  const digests = skipped
    .map((s) => /(?:^|\/)(\d{12})\/CloudTrail-Digest\//.exec(s.input)?.[1])
    .filter(Boolean);
  return accounts.map((account) => ({
    account,
    files: digests.filter((d) => d === account).length,
    validationOn: validatedAccounts.has(account),
  }));
}

/** Each StopLogging (or DeleteTrail) with the first later StartLogging (or CreateTrail) of the same trail. */
export function pairStops(events: StoryEvent[]): LoggingStop[] {
  const ordered = events.filter(succeeded).sort((a, b) => a.time.localeCompare(b.time));
  const stops: LoggingStop[] = [];
  for (const event of ordered) {
    const trail = trailName(textAt(event.request, 'name'));
    if (event.eventName === 'StopLogging' || event.eventName === 'DeleteTrail') {
      stops.push({ account: event.account, trail, stopped: refOf(event), restarted: null });
    } else if (event.eventName === 'StartLogging' || event.eventName === 'CreateTrail') {
      for (const stop of stops) {
        if (!stop.restarted && stop.account === event.account && stop.trail === trail)
          stop.restarted = refOf(event);
      }
    }
  }
  return stops;
}

function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}
