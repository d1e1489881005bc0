import { InvalidHuntError } from '../../errors.js';

/**
 * The only way a Sigma field name becomes SQL: a fixed map to the `cloudtrail` table's columns
 * (lower case in both engines), or a JSON column and a path of checked identifiers. Names are
 * matched without regard to case, because the columns are; JSON keys keep their case.
 */
const fieldColumns = new Map<string, string>(
  Object.entries({
    eventVersion: 'eventversion',
    eventSource: 'eventsource',
    eventName: 'eventname',
    eventType: 'eventtype',
    eventCategory: 'eventcategory',
    eventID: 'eventid',
    requestID: 'requestid',
    sharedEventID: 'sharedeventid',
    apiVersion: 'apiversion',
    awsRegion: 'awsregion',
    sourceIPAddress: 'sourceipaddress',
    userAgent: 'useragent',
    errorCode: 'errorcode',
    errorMessage: 'errormessage',
    recipientAccountId: 'recipientaccountid',
    readOnly: 'readonly',
    managementEvent: 'managementevent',
    vpcEndpointId: 'vpcendpointid',
    vpcEndpointAccountId: 'vpcendpointaccountid',
    sessionCredentialFromConsole: 'sessioncredentialfromconsole',
    'userIdentity.type': 'useridentity.type',
    'userIdentity.principalId': 'useridentity.principalid',
    'userIdentity.arn': 'useridentity.arn',
    'userIdentity.accountId': 'useridentity.accountid',
    'userIdentity.invokedBy': 'useridentity.invokedby',
    'userIdentity.accessKeyId': 'useridentity.accesskeyid',
    'userIdentity.userName': 'useridentity.username',
    'userIdentity.sessionContext.attributes.mfaAuthenticated':
      'useridentity.sessioncontext.attributes.mfaauthenticated',
    'userIdentity.sessionContext.attributes.creationDate':
      'useridentity.sessioncontext.attributes.creationdate',
    'userIdentity.sessionContext.sessionIssuer.type': 'useridentity.sessioncontext.sessionissuer.type',
    'userIdentity.sessionContext.sessionIssuer.principalId':
      'useridentity.sessioncontext.sessionissuer.principalid',
    'userIdentity.sessionContext.sessionIssuer.arn': 'useridentity.sessioncontext.sessionissuer.arn',
    'userIdentity.sessionContext.sessionIssuer.accountId':
      'useridentity.sessioncontext.sessionissuer.accountid',
    'userIdentity.sessionContext.sessionIssuer.userName':
      'useridentity.sessioncontext.sessionissuer.username',
    'userIdentity.sessionContext.sourceIdentity': 'useridentity.sessioncontext.sourceidentity',
    'tlsDetails.tlsVersion': 'tlsdetails.tlsversion',
    'tlsDetails.cipherSuite': 'tlsdetails.ciphersuite',
    'tlsDetails.clientProvidedHostHeader': 'tlsdetails.clientprovidedhostheader',
  }).map(([field, column]) => [field.toLowerCase(), column]),
);

/** Free-form objects kept as JSON text; a rule reads a key below them, or matches the whole text. */
const jsonColumns = new Set([
  'requestparameters',
  'responseelements',
  'additionaleventdata',
  'serviceeventdetails',
]);

const JSON_KEY = /^[A-Za-z0-9_]+$/;

/** The SQL expression (text in both engines) that a Sigma CloudTrail field reads. */
export function fieldExpression(field: string): string {
  const fixed = fieldColumns.get(field.toLowerCase());
  if (fixed) return fixed;
  const [head = '', ...path] = field.split('.');
  const column = head.toLowerCase();
  if (!jsonColumns.has(column)) {
    throw new InvalidHuntError(`field '${field}' is not a CloudTrail field casefile maps`);
  }
  // The whole object as text: a rule that searches it with |contains sees the delivered JSON.
  if (path.length === 0) return `CAST(${column} AS varchar)`;
  const bad = path.find((key) => !JSON_KEY.test(key));
  if (bad !== undefined) {
    throw new InvalidHuntError(
      `field '${field}' has the key '${bad}': JSON keys may hold only letters, digits and '_'`,
    );
  }
  return `json_extract_scalar(${column}, '$.${path.join('.')}')`;
}
