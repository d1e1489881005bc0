import { describe, expect, it } from 'vitest';
import { MAX_PARAMETER_CHARS, parameterRuns } from '../../../shared/story/story-queries.js';

// Athena execution parameters take at most 1,024 characters each
// (https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html).
describe('binding indicator lists as query parameters', () => {
  it('splits a long list into runs that each fit one parameter, keeping every value', () => {
    const keys = Array.from({ length: 120 }, (_, i) => `AKIA${String(i).padStart(16, '0')}`);
    const { runs, tooLong } = parameterRuns(keys);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.every((r) => r.length <= MAX_PARAMETER_CHARS)).toBe(true);
    expect(runs.flatMap((r) => r.split('\n'))).toEqual(keys);
    expect(tooLong).toEqual([]);
  });

  it('returns a value too long for any parameter apart instead of cutting it', () => {
    const long = `arn:aws:iam::111122223333:role/${'x'.repeat(1_100)}`;
    expect(parameterRuns(['1.2.3.4', long])).toEqual({ runs: ['1.2.3.4'], tooLong: [long] });
  });
});
