import { clockToMs } from './clock.js';
import type { ApiCall } from './cloudtrail-record.js';
import { ATTACKER_IP, PROD, svcBackup, svcReporting } from './estate.js';
import { type Actor, keyActor } from './principals.js';
import { attackDayStart, type Scene } from './scene.js';
import type { Rng } from './seeded-random.js';
import { agents } from './user-agents.js';

/** What every step of the intrusion shares: the attack night's clock, its randomness, the stolen keys. */
export interface Intruder {
  scene: Scene;
  rng: Rng;
  /** The instant of an `hh:mm:ss` UTC time on the attack day. */
  at(clock: string): number;
  /** Records a call as part of the attack, so the tests know which records the hunts should find. */
  emit(call: ApiCall): void;
  /** Records an attack call in the production account at an `hh:mm:ss` time on the attack day. */
  prod(clock: string, call: Omit<ApiCall, 'at' | 'account'>): void;
  /** The reporting job's leaked key, first with a Python script, then with the AWS CLI. */
  leakedBoto: Actor;
  leakedCli(command: string): Actor;
  /** The key of the administrator the intruder created for themselves. */
  backdoor(command: string): Actor;
}

export function intruderOn(scene: Scene): Intruder {
  const day = attackDayStart(scene);
  const at = (clock: string) => day + clockToMs(clock);
  const emit = (call: ApiCall) => scene.timeline.emit(call, 'attack');
  return {
    scene,
    rng: scene.rng.fork('intrusion'),
    at,
    emit,
    prod: (clock, call) => emit({ ...call, at: at(clock), account: PROD }),
    leakedBoto: keyActor(svcReporting, ATTACKER_IP, agents.intruderBoto3),
    leakedCli: (command) => keyActor(svcReporting, ATTACKER_IP, agents.intruderCli(command)),
    backdoor: (command) => keyActor(svcBackup, ATTACKER_IP, agents.intruderCli(command)),
  };
}
