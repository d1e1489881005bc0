export const ACCOUNT = '111122223333';

let sequence = 0;

/** A CloudTrail record as delivered; fields not given are those of a plain successful STS call by a user. */
export function trailRecord(fields: Record<string, unknown>): Record<string, unknown> {
  sequence += 1;
  return {
    eventVersion: '1.08',
    eventID: `record-${String(sequence).padStart(7, '0')}`,
    eventSource: 'sts.amazonaws.com',
    awsRegion: 'us-east-1',
    recipientAccountId: ACCOUNT,
    eventType: 'AwsApiCall',
    sourceIPAddress: '198.51.100.10',
    userAgent: 'aws-cli/2.15.30',
    userIdentity: userIdentity('alice', 'AKIAALICE00000000001'),
    ...fields,
  };
}

export function userIdentity(name: string, accessKeyId: string, path = '/') {
  return {
    type: 'IAMUser',
    arn: `arn:aws:iam::${ACCOUNT}:user${path}${name}`,
    accountId: ACCOUNT,
    userName: name,
    accessKeyId,
  };
}

export function sessionIdentity(key: string, role: string, name: string) {
  return {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`,
    accountId: ACCOUNT,
    accessKeyId: key,
    sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/${role}` } },
  };
}

/**
 * AssumeRole as CloudTrail records it: `credentials.accessKeyId` and `assumedRoleUser.arn` in the
 * response (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 */
export function assumeRoleRecord(
  eventTime: string,
  caller: Record<string, unknown>,
  session: { key: string; role: string; name: string },
): Record<string, unknown> {
  return trailRecord({
    eventTime,
    eventName: 'AssumeRole',
    ...caller,
    requestParameters: {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${session.role}`,
      roleSessionName: session.name,
    },
    responseElements: {
      credentials: { accessKeyId: session.key, expiration: 'Mar 11, 2025, 4:00:00 AM' },
      assumedRoleUser: {
        assumedRoleId: `AROAEXAMPLE:${session.name}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${session.role}/${session.name}`,
      },
    },
  });
}

/** A call signed with a credential: what makes it used. */
export function callWith(
  eventTime: string,
  identity: Record<string, unknown>,
  sourceIPAddress = '198.51.100.10',
) {
  return trailRecord({
    eventTime,
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    userIdentity: identity,
    sourceIPAddress,
  });
}
