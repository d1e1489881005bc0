import type { ApiCall } from './cloudtrail-record.js';
import type { Estate } from './estate.js';
import { type Actor, onBehalfOf } from './principals.js';
import { ALNUM, stableId, stableUuid } from './seeded-random.js';

/**
 * Reading a secret leaves two records: the reader's GetSecretValue, and the KMS Decrypt that
 * Secrets Manager makes on the reader's behalf. The app asks by name, the intruder by the ARN
 * that ListSecrets gave them.
 */
export function readSecret(
  estate: Estate,
  reader: Actor,
  at: number,
  name: string,
  askBy: 'name' | 'arn',
): [ApiCall, ApiCall] {
  const arn = secretArn(estate, name);
  return [
    {
      at,
      account: estate.account,
      region: estate.appRegion,
      service: 'secretsmanager',
      name: 'GetSecretValue',
      actor: reader,
      request: { secretId: askBy === 'name' ? name : arn },
    },
    secretDecrypt(estate, onBehalfOf(reader, 'secretsmanager.amazonaws.com'), at, arn),
  ];
}

function secretArn(estate: Estate, name: string): string {
  const suffix = stableId('', `${estate.account.id}/secret/${name}`, 6, ALNUM);
  return `arn:aws:secretsmanager:${estate.appRegion}:${estate.account.id}:secret:${name}-${suffix}`;
}

function secretDecrypt(estate: Estate, actor: Actor, at: number, arn: string): ApiCall {
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
