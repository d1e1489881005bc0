import type { StoryEvent } from '../../shared/story/story-event.js';

let sequence = 0;

/** A CloudTrail event as the story reads it; fields not given are those of a plain successful call. */
export function storyEvent(fields: Partial<StoryEvent> & Pick<StoryEvent, 'eventName' | 'time'>): StoryEvent {
  sequence += 1;
  return {
    eventId: `event-${sequence}`,
    eventSource: 'iam.amazonaws.com',
    account: '111122223333',
    region: 'us-east-1',
    identityType: 'IAMUser',
    actorArn: 'arn:aws:iam::111122223333:user/alice',
    accessKeyId: 'AKIAALICE00000000001',
    identityAccount: '111122223333',
    issuerArn: null,
    sourceIdentity: null,
    sourceIp: '198.51.100.10',
    userAgent: 'aws-cli/2.15.30 command/iam.list-users',
    errorCode: null,
    request: {},
    response: {},
    ...fields,
  };
}

/**
 * AssumeRole as CloudTrail records it: the session's key in `credentials.accessKeyId` and the session
 * in `assumedRoleUser.arn` (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
 */
export function assumeRole(
  time: string,
  caller: Partial<StoryEvent>,
  session: { key: string; role: string; name: string; sourceIdentity?: string },
): StoryEvent {
  return storyEvent({
    eventName: 'AssumeRole',
    eventSource: 'sts.amazonaws.com',
    time,
    ...caller,
    request: {
      roleArn: `arn:aws:iam::111122223333:role/${session.role}`,
      roleSessionName: session.name,
      ...(session.sourceIdentity ? { sourceIdentity: session.sourceIdentity } : {}),
    },
    response: {
      credentials: {
        accessKeyId: session.key,
        sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE',
        expiration: 'Mar 19, 2025, 12:51:49 AM',
      },
      assumedRoleUser: {
        assumedRoleId: `AROAEXAMPLE:${session.name}`,
        arn: `arn:aws:sts::111122223333:assumed-role/${session.role}/${session.name}`,
      },
      ...(session.sourceIdentity ? { sourceIdentity: session.sourceIdentity } : {}),
    },
  });
}
