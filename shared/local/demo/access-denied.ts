import type { Actor } from './principals.js';
import { ALNUM, stableId } from './seeded-random.js';

// What AWS answers when a principal may not make a call; each service words it its own way.

interface Denial {
  code: string;
  message: string;
}

function errorPrincipal(actor: Actor): string {
  const arn = actor.identity.arn;
  return typeof arn === 'string' ? arn : 'unknown';
}

export function accessDenied(arn: string, action: string, resource = '*'): Denial {
  return {
    code: 'AccessDenied',
    message: `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  };
}

export function deniedException(actor: Actor, action: string, resource = '*'): Denial {
  return { ...accessDenied(errorPrincipal(actor), action, resource), code: 'AccessDeniedException' };
}

/** EC2 spells out the denial for reads; for writes it hands back an encoded message instead. */
export function ec2Unauthorized(actor: Actor, action: string, encoded: boolean): Denial {
  const principal = errorPrincipal(actor);
  const message = encoded
    ? `You are not authorized to perform this operation. Encoded authorization failure message: ${stableId('', `${principal}/${action}`, 412, `${ALNUM}-_`)}`
    : `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
  return { code: 'Client.UnauthorizedOperation', message };
}
