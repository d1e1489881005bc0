import { allCustomMatcher, type CustomMatcher } from 'aws-sdk-client-mock-vitest';
import { expect } from 'vitest';

expect.extend(allCustomMatcher);

declare module 'vitest' {
  // biome-ignore lint/suspicious/noEmptyInterface: the library's documented way to type its matchers
  interface Matchers<R, T> extends CustomMatcher<R, T> {}
}
