import { CLASSED_SOURCE, type RoutableHunt } from '../domain/event-classes.js';
import { temporaryCredentialEventNames } from './lineage.js';
import { wholeEventNames } from './story-selection.js';

/**
 * The story reads its events by name (`storyEventsSql`, `usedMintingsSql`, `mintingsBySql`): routed
 * like a hunt naming them, those queries read only the classes of the CloudTrail copy that hold the
 * names, not every event. The id is no hunt's (a hunt id has no colon), so no hunt takes its route.
 */
export const STORY_ROUTE_ID = 'story:events';

export const storyScans: RoutableHunt = {
  huntId: STORY_ROUTE_ID,
  scans: [
    {
      source: CLASSED_SOURCE,
      eventNames: [...new Set([...wholeEventNames, ...temporaryCredentialEventNames])],
      patterns: [],
      requiresFlagged: false,
      baseline: false,
    },
  ],
};
