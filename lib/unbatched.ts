/**
 * The benchmark's baseline: a connector whose batch functions make one native
 * call per key, as plain resolvers without DataLoader batching would. Used
 * only when a subgraph's config turns native batching off (`NATIVE_BATCHING=false`).
 */
export function withoutBatching<T extends object>(connector: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(connector)) {
    if (typeof member !== 'function') {
      wrapped[name] = member;
      continue;
    }
    const fn = member as (...args: unknown[]) => Promise<unknown>;
    // Batch functions take the key list first; pages, counts and writes pass through unchanged.
    wrapped[name] = async (...args: unknown[]) => {
      const [keys, ...rest] = args;
      if (!Array.isArray(keys) || keys.length <= 1) return fn.apply(connector, args);
      const results = await Promise.all(keys.map((key) => fn.apply(connector, [[key], ...rest]) as Promise<unknown[]>));
      return results.map((r) => r[0]);
    };
  }
  return wrapped as T;
}
