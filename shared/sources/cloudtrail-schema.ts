/**
 * The CloudTrail record as a table, once for both engines. The shape follows the Athena
 * documentation's CloudTrail table (CloudTrailSerde): free-form objects (`requestparameters`,
 * `responseelements`, `additionaleventdata`, `serviceeventdetails`) are JSON text, `eventtime`
 * is ISO text, identity and resources are structs. Column names are lower case in both engines;
 * `jsonKey` is the name in the delivered record.
 */
export interface Column {
  name: string;
  jsonKey: string;
  athena: string;
  duckdb: string;
  /**
   * The same shape as a DuckDB `json_transform` structure, for records that arrive as JSON text
   * (`lookup-events` output): unlike a cast, it leaves a key that is absent NULL.
   */
  jsonStructure: unknown;
}

const text = (jsonKey: string): Column => ({
  name: jsonKey.toLowerCase(),
  jsonKey,
  athena: 'string',
  duckdb: 'VARCHAR',
  jsonStructure: 'VARCHAR',
});

/** Nested objects whose keys vary by API: kept as JSON text, read with json_extract_scalar. */
const jsonText = (jsonKey: string): Column => ({ ...text(jsonKey), duckdb: 'JSON', jsonStructure: 'JSON' });

interface StructField {
  key: string;
  type: 'string' | StructField[] | { map: 'string' };
}

const struct = (jsonKey: string, fields: StructField[], array = false): Column => ({
  name: jsonKey.toLowerCase(),
  jsonKey,
  athena: array ? `array<${athenaStruct(fields)}>` : athenaStruct(fields),
  duckdb: array ? `${duckdbStruct(fields)}[]` : duckdbStruct(fields),
  jsonStructure: array ? [jsonStruct(fields)] : jsonStruct(fields),
});

function jsonStruct(fields: StructField[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((f) => [
      f.key,
      f.type === 'string' ? 'VARCHAR' : Array.isArray(f.type) ? jsonStruct(f.type) : 'MAP(VARCHAR, VARCHAR)',
    ]),
  );
}

function athenaStruct(fields: StructField[]): string {
  const body = fields.map((f) => `${f.key.toLowerCase()}:${athenaFieldType(f)}`).join(', ');
  return `struct<${body}>`;
}

function athenaFieldType(field: StructField): string {
  if (field.type === 'string') return 'string';
  if (Array.isArray(field.type)) return athenaStruct(field.type);
  return 'map<string,string>';
}

function duckdbStruct(fields: StructField[]): string {
  return `STRUCT(${fields.map((f) => `"${f.key}" ${duckdbFieldType(f)}`).join(', ')})`;
}

function duckdbFieldType(field: StructField): string {
  if (field.type === 'string') return 'VARCHAR';
  if (Array.isArray(field.type)) return duckdbStruct(field.type);
  return 'MAP(VARCHAR, VARCHAR)';
}

const s = (key: string): StructField => ({ key, type: 'string' });

export const cloudtrailColumns: Column[] = [
  text('eventVersion'),
  struct('userIdentity', [
    s('type'),
    s('principalId'),
    s('arn'),
    s('accountId'),
    s('invokedBy'),
    s('accessKeyId'),
    s('userName'),
    { key: 'onBehalfOf', type: [s('userId'), s('identityStoreArn')] },
    {
      key: 'sessionContext',
      type: [
        { key: 'attributes', type: [s('mfaAuthenticated'), s('creationDate')] },
        {
          key: 'sessionIssuer',
          type: [s('type'), s('principalId'), s('arn'), s('accountId'), s('userName')],
        },
        s('ec2RoleDelivery'),
        {
          key: 'webIdFederationData',
          type: [s('federatedProvider'), { key: 'attributes', type: { map: 'string' } }],
        },
        s('sourceIdentity'),
      ],
    },
  ]),
  text('eventTime'),
  text('eventSource'),
  text('eventName'),
  text('awsRegion'),
  text('sourceIPAddress'),
  text('userAgent'),
  text('errorCode'),
  text('errorMessage'),
  jsonText('requestParameters'),
  jsonText('responseElements'),
  jsonText('additionalEventData'),
  text('requestID'),
  text('eventID'),
  struct('resources', [s('ARN'), s('accountId'), s('type')], true),
  text('eventType'),
  text('apiVersion'),
  text('readOnly'),
  text('recipientAccountId'),
  jsonText('serviceEventDetails'),
  text('sharedEventID'),
  text('vpcEndpointId'),
  text('vpcEndpointAccountId'),
  text('eventCategory'),
  text('managementEvent'),
  struct('tlsDetails', [s('tlsVersion'), s('cipherSuite'), s('clientProvidedHostHeader')]),
  text('sessionCredentialFromConsole'),
  jsonText('edgeDeviceDetails'),
  jsonText('insightDetails'),
];

export const cloudtrailColumnNames = cloudtrailColumns.map((c) => c.name);
