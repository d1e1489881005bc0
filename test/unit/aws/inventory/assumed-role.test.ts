import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  assumedRoleCredentials,
  inventorySessionName,
} from '../../../../shared/aws/inventory/assumed-role.js';
import { MEMBER, serviceError } from '../../../support/aws-inventory-kit.js';

const ROLE = `arn:aws:iam::${MEMBER}:role/casefile-inventory-readonly`;
const sts = new STSClient({ region: 'us-east-1' });
const stsMock = mockClient(sts);

/** AssumeRole as the STS API reference shows it, expiring at `expiration`. */
const assumed = (key: string, expiration: string) => ({
  Credentials: {
    AccessKeyId: key,
    SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
    SessionToken: 'AQoDYXdzEPT//////////wEXAMPLE',
    Expiration: new Date(expiration),
  },
  AssumedRoleUser: {
    Arn: `arn:aws:sts::${MEMBER}:assumed-role/casefile-inventory-readonly/casefile-case-1`,
    AssumedRoleId: 'AROA3XFRBF535PLBIFPI4:casefile-case-1',
  },
  PackedPolicySize: 6,
});

beforeEach(() => stsMock.reset());

describe('assumedRoleCredentials', () => {
  it('assumes the role once, shares the credentials, and renews them before they expire', async () => {
    let clock = new Date('2024-05-02T10:00:00Z');
    stsMock
      .on(AssumeRoleCommand)
      .resolvesOnce(assumed('ASIAFIRST', '2024-05-02T11:00:00Z'))
      .resolvesOnce(assumed('ASIASECOND', '2024-05-02T12:00:00Z'));
    const credentials = assumedRoleCredentials(sts, ROLE, 'casefile-case-1', () => clock);

    const [first, again] = await Promise.all([credentials(), credentials()]);
    clock = new Date('2024-05-02T10:56:00Z');
    const renewed = await credentials();

    expect(first).toEqual({
      accessKeyId: 'ASIAFIRST',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
      sessionToken: 'AQoDYXdzEPT//////////wEXAMPLE',
      expiration: new Date('2024-05-02T11:00:00Z'),
    });
    expect(again).toBe(first);
    expect(renewed.accessKeyId).toBe('ASIASECOND');
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE,
      RoleSessionName: 'casefile-case-1',
      DurationSeconds: 3600,
    });
  });

  it('asks again after a refusal instead of keeping it', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejectsOnce(
        serviceError(
          STSServiceException,
          'AccessDenied',
          `User: arn:aws:sts::111122223333:assumed-role/casefile-inventory/fn is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
          403,
        ),
      )
      .resolvesOnce(assumed('ASIALATER', '2024-05-02T11:00:00Z'));
    const credentials = assumedRoleCredentials(
      sts,
      ROLE,
      'casefile-case-1',
      () => new Date('2024-05-02T10:00:00Z'),
    );

    await expect(credentials()).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await credentials()).accessKeyId).toBe('ASIALATER');
  });
});

describe('inventorySessionName', () => {
  it('names the session after the case, within what STS accepts', () => {
    expect(inventorySessionName('IR-2024/017 prod')).toBe('casefile-IR-2024-017-prod');
    expect(inventorySessionName('x'.repeat(80))).toHaveLength(64);
  });
});
