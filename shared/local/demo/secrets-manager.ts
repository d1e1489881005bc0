import type { ApiCall } from './cloudtrail-record.js';
import type { Estate } from './estate.js';
import type { Actor } from './principals.js';
import { ALNUM, stableId, stableUuid } from './seeded-random.js';

export function secretArn(estate: Estate, name: string): string {
  const suffix = stableId('', `${estate.account.id}/secret/${name}`, 6, ALNUM);
  return `arn:aws:secretsmanager:${estate.appRegion}:${estate.account.id}:secret:${name}-${suffix}`;
}

export function secretDecrypt(estate: Estate, actor: Actor, at: number, arn: string): ApiCall {
  return {
    at,
    account: estate.account,
    region: estate.appRegion,
    service: 'kms',
    name: 'Decrypt',
    actor,
    request: {
      encryptionContext: { SecretARN: arn, SecretVersionId: stableUuid(arn) },
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    },
    resources: [{ accountId: estate.account.id, type: 'AWS::KMS::Key', ARN: estate.secretsKeyArn }],
  };
}
