import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../shared/errors.js';
import { parseCaseInput } from '../../../shared/workflow/step-input.js';
import { testContext } from '../../support/fake-case-adapters.js';

describe("a step's case", () => {
  it('is taken with the closed window OpenCase wrote', () => {
    expect(parseCaseInput({ case: testContext }).case.closedWindow).toEqual(testContext.closedWindow);
  });

  it.each([
    ['no closed window', undefined],
    ['an open end', { from: '2024-05-01T00:00:00.000Z', to: null }],
    ['a date that is not an instant', { from: '2024-05-01', to: '2024-05-02T00:00:00.000Z' }],
    [
      'SQL where an instant goes',
      { from: "2024-05-01T00:00:00.000Z' OR 1=1 --", to: '2024-05-02T00:00:00.000Z' },
    ],
    ['its ends reversed', { from: '2024-05-02T00:00:00.000Z', to: '2024-05-01T00:00:00.000Z' }],
  ])('is refused with %s', (_, closedWindow) => {
    expect(() => parseCaseInput({ case: { ...testContext, closedWindow } })).toThrow(InvalidRequestError);
  });
});
