import { iso } from './clock.js';
import type { Account, Actor } from './principals.js';
import { BASE64, type Rng, UPPER_ALNUM } from './seeded-random.js';

// One API call as the story tells it, and the CloudTrail record it becomes.

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ApiCall {
  at: number;
  account: Account;
  region: string;
  /** The service's endpoint prefix: `iam` for iam.amazonaws.com, `monitoring` for CloudWatch. */
  service: string;
  name: string;
  actor: Actor;
  request?: Json;
  response?: Json;
  /** A failed sign-in has a message and no code. */
  error?: { code?: string; message?: string };
  readOnly?: boolean;
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn' | 'AwsServiceEvent';
  dataEvent?: boolean;
  additionalEventData?: JsonObject;
  resources?: JsonObject[];
  serviceEventDetails?: JsonObject;
  /** `null` for events that carry none (sign-in, service events). */
  requestId?: string | null;
  sharedEventId?: string;
  host?: string;
}

export function compact(fields: { [key: string]: Json | undefined }): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

const EVENT_VERSION_1_08 = new Set([
  'sts',
  'ssm',
  'signin',
  'kms',
  'lambda',
  'logs',
  'ce',
  'health',
  'backup',
]);

/** Fields in the order CloudTrail writes them. */
export function toRecord(call: ApiCall, ids: Rng): JsonObject {
  const s3 = call.service === 's3';
  const record: JsonObject = {
    eventVersion: EVENT_VERSION_1_08.has(call.service) ? '1.08' : '1.09',
    userIdentity: call.actor.identity,
    eventTime: iso(call.at),
    eventSource: `${call.service}.amazonaws.com`,
    eventName: call.name,
    awsRegion: call.region,
    sourceIPAddress: call.actor.ip,
    userAgent: s3 && !call.actor.viaService ? `[${call.actor.userAgent}]` : call.actor.userAgent,
  };
  if (call.error) {
    if (call.error.code !== undefined) record.errorCode = call.error.code;
    if (call.error.message !== undefined) record.errorMessage = call.error.message;
  }
  record.requestParameters = call.request ?? null;
  record.responseElements = call.response ?? null;
  const additional = call.additionalEventData ?? (s3 ? s3Extra(ids, 0, call.error ? 243 : 512) : undefined);
  if (additional) record.additionalEventData = additional;
  if (call.requestId !== null)
    record.requestID = call.requestId ?? (s3 ? ids.chars(UPPER_ALNUM, 16) : ids.uuid());
  record.eventID = ids.uuid();
  record.readOnly = call.readOnly ?? READ_ONLY.test(call.name);
  if (call.resources) record.resources = call.resources;
  record.eventType = call.eventType ?? 'AwsApiCall';
  if (call.serviceEventDetails) record.serviceEventDetails = call.serviceEventDetails;
  record.managementEvent = !call.dataEvent;
  record.recipientAccountId = call.account.id;
  if (call.sharedEventId) record.sharedEventID = call.sharedEventId;
  record.eventCategory = call.dataEvent ? 'Data' : 'Management';
  if (!call.actor.viaService) {
    const legacyTls = call.service === 'ssm';
    record.tlsDetails = {
      tlsVersion: legacyTls ? 'TLSv1.2' : 'TLSv1.3',
      cipherSuite: legacyTls ? 'ECDHE-RSA-AES128-GCM-SHA256' : 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: call.host ?? endpoint(call),
    };
  }
  if (call.actor.console) record.sessionCredentialFromConsole = 'true';
  return record;
}

const READ_ONLY = /^(Get|List|Describe|Lookup|Head|Filter|Search|BatchGet|Decrypt|AssumeRole)/;

function endpoint(call: ApiCall): string {
  if (call.service === 'iam') return 'iam.amazonaws.com';
  if (call.service === 'signin') return 'signin.aws.amazon.com';
  const request = call.request;
  if (call.service === 's3' && request && typeof request === 'object' && !Array.isArray(request)) {
    const host = request.Host;
    if (typeof host === 'string') return host;
  }
  return `${call.service}.${call.region}.amazonaws.com`;
}

export function s3Request(bucket: string, region: string, extra: JsonObject = {}): JsonObject {
  return { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, ...extra };
}

export function s3Extra(rng: Rng, bytesIn: number, bytesOut: number, extra: JsonObject = {}): JsonObject {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: bytesIn,
    ...extra,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': rng.chars(BASE64, 76),
    bytesTransferredOut: bytesOut,
  };
}
