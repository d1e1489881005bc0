import { InvalidRequestError } from '../../errors.js';
import { ciDeploys } from './ci-deploys.js';
import { DAY, iso, utcMidnight } from './clock.js';
import { consoleWork } from './console-work.js';
import { crossAccountAdministration } from './cross-account-administration.js';
import { PROD, prodEstate, stagingEstate } from './estate.js';
import { instanceActivity, planFleet } from './fleet.js';
import { intrusion, loggingRestored } from './intrusion.js';
import { intoLogFiles, writeLogFiles } from './log-delivery.js';
import { nightlyJobs } from './nightly-jobs.js';
import { type Scene, Timeline } from './scene.js';
import { Rng } from './seeded-random.js';
import { configRecorder, lambdaColdStarts, trustedAdvisor } from './service-activity.js';

export { demoScenario } from './estate.js';

/**
 * A CloudTrail corpus for the demo investigation: a few days of an ordinary company's two AWS
 * accounts, delivered the way CloudTrail writes to S3, with one intrusion woven into the second day.
 * Same seed, same bytes: a seeded generator instead of Math.random, no clock, a fixed gzip level.
 */

export interface DemoLogsOptions {
  seed?: number;
  /** Whole UTC days of activity; the intrusion happens on the second (on the only one if 1). */
  days?: number;
  /** The first day, as an ISO date or timestamp; the window starts at that day's UTC midnight. */
  start?: string;
}

export interface DemoLogs {
  files: number;
  records: number;
  /** Every delivered event the intruder caused, including KMS calls made on their behalf. */
  attackEventIds: string[];
  window: { from: string; to: string };
}

export const demoLogDefaults = { seed: 20250310, days: 3, start: '2025-03-10' } as const;

/** Used by `casefile demo` with the defaults: about 7,500 records in well under a second. */
export async function generateDemoLogs(outDir: string, options: DemoLogsOptions = {}): Promise<DemoLogs> {
  const seed = options.seed ?? demoLogDefaults.seed;
  const days = options.days ?? demoLogDefaults.days;
  if (!Number.isSafeInteger(seed)) throw new InvalidRequestError(`The seed must be an integer, got ${seed}.`);
  if (!Number.isInteger(days) || days < 1 || days > 31) {
    throw new InvalidRequestError(`The demo covers 1 to 31 days, got ${days}.`);
  }
  const from = utcMidnight(options.start ?? demoLogDefaults.start);
  const rng = new Rng(seed);
  const scene: Scene = {
    from,
    to: from + days * DAY,
    days,
    attackDay: Math.min(1, days - 1),
    rng,
    timeline: new Timeline(rng.fork('event-ids')),
  };

  for (const estate of [prodEstate, stagingEstate]) {
    for (const instance of planFleet(scene, estate)) instanceActivity(scene, instance);
    lambdaColdStarts(scene, estate);
    configRecorder(scene, estate);
    ciDeploys(scene, estate);
    consoleWork(scene, estate);
  }
  trustedAdvisor(scene, prodEstate);
  nightlyJobs(scene);
  crossAccountAdministration(scene);
  const stoppedAt = intrusion(scene);
  const restartedAt = loggingRestored(scene);

  const delivered = scene.timeline.entries.filter(
    (e) =>
      e.at >= scene.from &&
      e.at < scene.to &&
      !(e.account === PROD && e.at > stoppedAt && e.at < restartedAt),
  );
  const deliveredIds = new Set(delivered.map((e) => e.eventId));
  const files = intoLogFiles(delivered, rng.fork('delivery'));
  await writeLogFiles(outDir, files);
  return {
    files: files.length,
    records: delivered.length,
    attackEventIds: scene.timeline.attackEventIds.filter((id) => deliveredIds.has(id)),
    window: { from: iso(scene.from), to: iso(scene.to) },
  };
}
