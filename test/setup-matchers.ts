import { expect } from 'vitest';
import { allCustomMatcher, type CustomMatcher } from 'aws-sdk-client-mock-vitest';

expect.extend(allCustomMatcher);

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: the matcher library's own generic default
  interface Assertion<T = any> extends CustomMatcher<T> {}
  interface AsymmetricMatchersContaining extends CustomMatcher {}
}
