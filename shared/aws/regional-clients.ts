/** One SDK client per region, made on first use and reused: a factory's clients keep their connections. */
export function perRegion<T>(factory: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = factory(region);
      clients.set(region, client);
    }
    return client;
  };
}
