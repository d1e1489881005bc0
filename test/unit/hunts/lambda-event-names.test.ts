import { describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../../shared/domain/hunt-definition.js';
import { eventSelectionOfHunt } from '../../../shared/hunts/coverage.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { huntScans } from '../../../shared/hunts/hunt-scan.js';

/**
 * The event names CloudTrail writes for the Lambda APIs the library selects. CloudTrail may write a
 * Lambda event name with the API version, "but it is still referring to the same public API"
 * (`GetFunction20150331`; https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html),
 * and its example records carry the bare name as well (`DeleteFunction`). The versioned forms are the
 * ones real records carry: `UpdateFunctionCode20150331v2`, `UpdateFunctionConfiguration20150331v2` and
 * `AddPermission20150331v2` in Stratus Red Team's detonation logs and TrailDiscover's catalogue (CC BY
 * 4.0), `CreateFunctionUrlConfig` with no suffix in a 2026 TrailDiscover record, `DeleteFunction20150331`
 * and `CreateFunction20150331` in the demo and catalogue; the other API versions are Lambda's REST paths
 * (`/2015-03-31/functions`, `/2018-10-31/layers`, `/2021-10-31/functions/{name}/url`).
 */
const LAMBDA_EVENT_NAMES: Record<string, string[]> = {
  AddLayerVersionPermission: ['AddLayerVersionPermission', 'AddLayerVersionPermission20181031'],
  AddPermission: ['AddPermission', 'AddPermission20150331', 'AddPermission20150331v2'],
  CreateFunction: ['CreateFunction', 'CreateFunction20150331'],
  CreateFunctionUrlConfig: ['CreateFunctionUrlConfig', 'CreateFunctionUrlConfig20211031'],
  DeleteFunction: ['DeleteFunction', 'DeleteFunction20150331'],
  UpdateFunctionCode: ['UpdateFunctionCode', 'UpdateFunctionCode20150331', 'UpdateFunctionCode20150331v2'],
  UpdateFunctionConfiguration: [
    'UpdateFunctionConfiguration',
    'UpdateFunctionConfiguration20150331',
    'UpdateFunctionConfiguration20150331v2',
  ],
  UpdateFunctionUrlConfig: ['UpdateFunctionUrlConfig', 'UpdateFunctionUrlConfig20211031'],
};

const hunts = await loadHuntLibrary();
const byId = (list: HuntDefinition[]) => list.map((hunt) => [hunt.id, hunt] as const);
const selectsLambda = (hunt: HuntDefinition) =>
  eventSelectionOfHunt(hunt).eventSources.includes('lambda.amazonaws.com');
const lambdaHunts = hunts.filter(selectsLambda);

describe('hunts over Lambda calls', () => {
  it('include the Lambda hunts of the library', () => {
    expect(lambdaHunts.map((h) => h.id)).toEqual(
      expect.arrayContaining(['lambda-function-code-updated', 'lambda-resource-policy-opened']),
    );
  });

  // A pattern on the event name reads every bucket of the one-pass copy bucketed by `eventname`;
  // named with `=`/`IN`, the scan reads only those names' buckets.
  it.each(byId(lambdaHunts))('%s names its event names, never a LIKE or regexp_like pattern', (_id, hunt) => {
    const patterns = eventSelectionOfHunt(hunt).matchers.filter((m) => m.kind !== 'exact');
    expect(patterns).toEqual([]);
  });

  it.each(byId(lambdaHunts))(
    '%s reads event ids only from the buckets of the names it selects',
    (_id, hunt) => {
      const everyEventScans = huntScans(hunt).filter((scan) => scan.eventNames === null);
      expect(everyEventScans.filter((scan) => scan.columns.includes('eventid'))).toEqual([]);
    },
  );

  // A versioned name is Lambda's alone; a bare one (CreateFunction) may be another service's, so it
  // counts where the hunt selects Lambda or names no event source.
  it.each(byId(hunts))('%s names every form CloudTrail writes of each Lambda API it names', (_id, hunt) => {
    const selection = eventSelectionOfHunt(hunt);
    const mayBeLambda =
      selection.eventSources.length === 0 || selection.eventSources.includes('lambda.amazonaws.com');
    const named = new Set(selection.matchers.filter((m) => m.kind === 'exact').map((m) => m.pattern));
    for (const [api, forms] of Object.entries(LAMBDA_EVENT_NAMES)) {
      const namesLambdaApi = forms.some((form) => named.has(form) && (form !== api || mayBeLambda));
      if (!namesLambdaApi) continue;
      expect({ api, missing: forms.filter((form) => !named.has(form)) }).toEqual({ api, missing: [] });
    }
  });
});
