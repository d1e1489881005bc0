import { type AwsClientStub, type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import {
  type AccountAccess,
  AccountScope,
  defaultInventoryClients,
  type InventoryClients,
} from '../../shared/aws/inventory/account-scope.js';
import { emptyFindings, type Findings, type InventoryService } from '../../shared/aws/inventory/findings.js';

export const ACCOUNT = '111122223333';
export const MEMBER = '444455556666';

/**
 * The mock of a client. A client built on older Smithy types than aws-sdk-client-mock's (the
 * registry's newest Route 53 Resolver client) is not recognised as one, so its mock is untyped.
 */
type UntypedOutput = { $metadata: object } & Record<string, unknown>;
type Stub<C> = [AwsClientStub<C>] extends [never]
  ? AwsStub<object, UntypedOutput, unknown>
  : AwsClientStub<C>;

/**
 * One client per region, each with its own mock, handed out by region as the inventory's factories
 * are; asking for a region the test did not set up fails the test.
 */
export function regional<C>(make: (region: string) => C, regions: string[]) {
  const entries = new Map(
    regions.map((region) => {
      const client = make(region);
      return [region, { client, mock: mockClient(client as never) as unknown as Stub<C> }];
    }),
  );
  const entry = (region: string) => {
    const found = entries.get(region);
    if (!found) throw new Error(`the inventory asked for a client in ${region}`);
    return found;
  };
  return {
    factory: (region: string) => entry(region).client,
    mock: (region: string) => entry(region).mock,
    /** Every call every region's mock received. */
    calls: () =>
      [...entries.values()].flatMap(({ mock }) =>
        (mock as unknown as AwsStub<object, UntypedOutput, unknown>).calls(),
      ),
  };
}

/** Every factory fails unless the test provides it: no unit test reaches a real endpoint. */
const refusingClients = Object.fromEntries(
  Object.keys(defaultInventoryClients).map((service) => [
    service,
    () => {
      throw new Error(`the inventory asked for a ${service} client the test did not provide`);
    },
  ]),
) as unknown as InventoryClients;

export function accountScope(
  regions: string[],
  clients: Partial<InventoryClients>,
  access: AccountAccess = { accountId: ACCOUNT },
): AccountScope {
  return new AccountScope(regions, access, { ...refusingClients, ...clients });
}

export async function run(service: InventoryService, scope: AccountScope): Promise<Findings> {
  const found = emptyFindings();
  await service.run(scope, found);
  return found;
}

/** IAM actions whose names differ from the API call's. */
const ACTION_OF_CALL: Record<string, string> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:ListObjectsV2': 's3:ListBucket',
};

/**
 * Every call the mocks received is one of the service's declared IAM actions, which are what the
 * inventory role is granted: a new call without its action fails here, not in production.
 */
export function expectDeclaredActions(
  service: Pick<InventoryService, 'iamActions'>,
  ...calls: [prefix: string, calls: { args: unknown[] }[]][]
): void {
  for (const [prefix, received] of calls) {
    for (const call of received) {
      const name = (call.args[0] as object).constructor.name.replace(/Command$/, '');
      const action = ACTION_OF_CALL[`${prefix}:${name}`] ?? `${prefix}:${name}`;
      expect(service.iamActions, `${action} is called but not declared`).toContain(action);
    }
  }
}

/** An error as the SDK throws it for a modelled or unmodelled service error. */
export function serviceError<E>(
  Exception: new (options: {
    name: string;
    message: string;
    $fault: 'client' | 'server';
    $metadata: { httpStatusCode: number };
  }) => E,
  name: string,
  message: string,
  status = 400,
): E {
  return new Exception({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

export const deniedMessage = (action: string) =>
  `User: arn:aws:sts::${ACCOUNT}:assumed-role/casefile-inventory/fn is not authorized to perform: ${action}`;
