/** `work` over every item, at most `limit` at a time, results in the items' order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * `work` over the items of an async iterable as they come, at most `limit` at a time, results in the
 * items' order: a long list is never held, only the `limit` items in flight.
 */
export async function* mapConcurrentlyInOrder<T, R>(
  items: AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  for await (const item of items) {
    const result = work(item);
    // Awaited in order below; a later failure must not go unhandled while an earlier one is awaited.
    result.catch(() => undefined);
    inFlight.push(result);
    if (inFlight.length >= limit) yield await (inFlight.shift() as Promise<R>);
  }
  while (inFlight.length > 0) yield await (inFlight.shift() as Promise<R>);
}
