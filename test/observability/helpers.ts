/**
 * Small readers for the observability tests: a Prometheus text exposition
 * parsed into samples, a scrape of a server's `/metrics`, and a log
 * destination that keeps every line a stack writes.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus' text format (the subset prom-client writes): one sample per non-comment line. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`Expected a Prometheus sample line such as name{label="value"} 1, but got ${JSON.stringify(line)}.`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of `/metrics` on the server that answers GraphQL at `graphqlUrl`. */
export async function scrape(graphqlUrl: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await fetch(new URL('/metrics', graphqlUrl), { headers });
  if (response.status !== 200)
    throw new Error(`Expected 200 from ${new URL('/metrics', graphqlUrl).href}, but got ${response.status}: ${await response.text()}`);
  return parsePrometheus(await response.text());
}

/** The samples named `name` whose labels include `labels`. */
export function samplesOf(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** `native_calls_total` summed over outcomes, by `object.method`, for one system. */
export function nativeCallsByKey(samples: Sample[], system: string): Map<string, number> {
  const byKey = new Map<string, number>();
  for (const s of samplesOf(samples, 'native_calls_total', { system })) {
    const key = `${s.labels.object}.${s.labels.method}`;
    byKey.set(key, (byKey.get(key) ?? 0) + s.value);
  }
  return byKey;
}

/** What changed from `before` to `after`, keeping only keys that grew. */
export function grown(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [key, value] of after) {
    const d = value - (before.get(key) ?? 0);
    if (d > 0) delta.set(key, d);
  }
  return delta;
}

/** A pino destination that keeps every line, parsed (pino writes whole lines, one per call). */
export function captureLogs(): { destination: { write(line: string): void }; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write(text: string) {
      for (const line of text.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return { destination, lines };
}
