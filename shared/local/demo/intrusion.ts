import { clockToMs, SECOND } from './clock.js';
import type { Json } from './cloudtrail-record.js';
import { maria, PROD, prodEstate, TRAIL_ARN, US_EAST_1 } from './estate.js';
import { intruderOn } from './intruder.js';
import { createBackdoorAdministrator } from './intrusion-backdoor.js';
import { blindDetection, stopTrail, takeData, tryToReachStaging } from './intrusion-impact.js';
import { probeLeakedKey } from './intrusion-reconnaissance.js';
import { consoleActor, sessionKey } from './principals.js';
import { attackDayStart, type Scene } from './scene.js';
import { itemAt } from './seeded-random.js';

// The intrusion, on the second day at night (UTC), when only machines are working.

/**
 * The reporting job's long-term key leaked. From a new address, with tools nobody here uses, the
 * intruder checks whose key it is, maps IAM and probes what else the key can do (mostly denied),
 * tries the root password, then uses the key's legacy IAM rights to create a backdoor administrator,
 * switches to that user, blinds GuardDuty and the flow logs, reads every secret, shares a database
 * snapshot with an outside account, opens a bucket to the world, fails to pivot into staging, and
 * stops the trail. Returns when logging stopped.
 */
export function intrusion(scene: Scene): number {
  const intruder = intruderOn(scene);
  probeLeakedKey(intruder);
  createBackdoorAdministrator(intruder);
  blindDetection(intruder);
  takeData(intruder);
  tryToReachStaging(intruder);
  return stopTrail(intruder);
}

/**
 * The next morning Maria finds the production trail stopped and starts it again; her sign-in
 * happened while the trail was off, so only the session's later calls are recorded.
 */
export function loggingRestored(scene: Scene): number {
  const rng = scene.rng.fork('logging-restored');
  const day = attackDayStart(scene);
  const signedIn = day + clockToMs('08:41:09');
  const person = itemAt(prodEstate.people, 0);
  const actor = consoleActor(maria, sessionKey(rng), signedIn, true, person.ip, person.userAgent);
  const restartedAt = day + clockToMs('08:52:37');
  const calls: [number, string, Json][] = [
    [restartedAt, 'StartLogging', { name: TRAIL_ARN }],
    [restartedAt + 4 * SECOND, 'GetTrailStatus', { name: TRAIL_ARN }],
    [restartedAt + 9 * SECOND, 'DescribeTrails', { includeShadowTrails: true }],
    [
      restartedAt + 71 * SECOND,
      'LookupEvents',
      { maxResults: 50, lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'StopLogging' }] },
    ],
  ];
  for (const [at, name, request] of calls) {
    scene.timeline.emit({
      at,
      account: PROD,
      region: US_EAST_1,
      service: 'cloudtrail',
      name,
      actor,
      request,
    });
  }
  return restartedAt;
}
