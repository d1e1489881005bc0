import { describe, expect, it } from 'vitest';
import { parseStoryEvents, succeeded } from '../../../shared/story/story-event.js';
import { storyEvent } from '../../support/story-events.js';

const row = (fields: Record<string, string | null>) => ({
  event_time: '2025-03-11T02:52:10Z',
  event_id: 'e-1',
  event_name: 'CreateUser',
  request_parameters: '{"userName":"svc-backup"}',
  response_elements: null,
  ...fields,
});

describe('reading story events from query rows', () => {
  it('parses the request and response JSON and keeps the identity', () => {
    const { events, quarantined } = parseStoryEvents([row({ access_key_id: 'AKIAEXAMPLE000000001' })]);
    expect(quarantined).toEqual([]);
    expect(events[0]).toMatchObject({
      request: { userName: 'svc-backup' },
      response: {},
      accessKeyId: 'AKIAEXAMPLE000000001',
    });
  });

  it('quarantines a row whose request is not a JSON object, with its reason, and keeps the others', () => {
    const { events, quarantined } = parseStoryEvents([
      row({ event_id: 'bad', request_parameters: '{"userName":' }),
      row({ event_id: 'array', response_elements: '[1,2]' }),
      row({ event_id: 'good' }),
    ]);
    expect(events.map((e) => e.eventId)).toEqual(['good']);
    expect(quarantined).toEqual([
      { eventId: 'bad', reason: 'requestParameters or responseElements is not a JSON object' },
      { eventId: 'array', reason: 'requestParameters or responseElements is not a JSON object' },
    ]);
  });

  it('quarantines a row without an event id', () => {
    expect(parseStoryEvents([row({ event_id: null })]).quarantined).toEqual([
      { eventId: null, reason: 'no event time, id or name' },
    ]);
  });
});

// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
describe('whether a call took effect', () => {
  it('a console sign-in succeeded only when responseElements.ConsoleLogin is "Success"', () => {
    const base = {
      eventName: 'ConsoleLogin',
      time: '2025-03-11T02:55:40Z',
      eventSource: 'signin.amazonaws.com',
    };
    expect(succeeded(storyEvent({ ...base, response: { ConsoleLogin: 'Success' } }))).toBe(true);
    // A failed sign-in has no error code: "Failed authentication" is in errorMessage, Failure in the response.
    expect(succeeded(storyEvent({ ...base, response: { ConsoleLogin: 'Failure' } }))).toBe(false);
  });

  it('a call with an error code did not take effect', () => {
    expect(succeeded(storyEvent({ eventName: 'AssumeRole', time: 't', errorCode: 'AccessDenied' }))).toBe(
      false,
    );
  });
});
