/** Helpers every ERP batch function uses to answer in key order, matched by key, never by position. */

/** The distinct keys, for one native call per batch. */
export function unique<K>(keys: readonly K[]): K[] {
  return [...new Set(keys)];
}

/** Groups records by key, one list per key in key order (empty when none). */
export function matchMany<K, R>(keys: readonly K[], records: R[], keyOf: (record: R) => K | null): R[][] {
  const byKey = new Map<K, R[]>();
  for (const record of records) {
    const key = keyOf(record);
    if (key === null) continue;
    const list = byKey.get(key);
    if (list) list.push(record);
    else byKey.set(key, [record]);
  }
  // A fresh array per slot, so callers slicing or filtering one key never see another's.
  return keys.map((key) => [...(byKey.get(key) ?? [])]);
}
