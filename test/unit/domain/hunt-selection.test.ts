import { describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../../shared/domain/hunt-definition.js';
import { selectHunts } from '../../../shared/domain/hunt-selection.js';

const hunt = (id: string): HuntDefinition => ({ id, sources: ['cloudtrail'] }) as unknown as HuntDefinition;

describe('choosing the hunts of a case', () => {
  it('runs every hunt whose sources were loaded', () => {
    expect(selectHunts([hunt('a-hunt'), hunt('b-hunt')], ['cloudtrail'], null)).toEqual({
      run: ['a-hunt', 'b-hunt'],
      notRun: [],
    });
  });

  it('says why a hunt did not run when its source is missing', () => {
    expect(selectHunts([hunt('a-hunt')], [], null)).toEqual({
      run: [],
      notRun: [{ huntId: 'a-hunt', reason: 'no readable cloudtrail logs for this case' }],
    });
  });

  it('runs only the requested hunts and reports requested ids that do not exist', () => {
    expect(selectHunts([hunt('a-hunt'), hunt('b-hunt')], ['cloudtrail'], ['b-hunt', 'no-such-hunt'])).toEqual(
      {
        run: ['b-hunt'],
        notRun: [{ huntId: 'no-such-hunt', reason: 'no hunt with this id in the library' }],
      },
    );
  });
});
