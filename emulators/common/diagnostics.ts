/**
 * What every emulator exposes beyond its vendor protocol: a count of the native
 * calls it served, so tests and benchmarks can assert what a GraphQL query cost,
 * and a per-call latency knob (each call answers that long after it arrived).
 * Both live under `/__emulator/`, a path no real Odoo or Salesforce serves, so
 * they can never be mistaken for the vendor API.
 *
 *   GET    /__emulator/calls    -> { total, calls: { "res.partner.search_read": 2, ... } }
 *   DELETE /__emulator/calls    -> resets the counts
 *   GET    /__emulator/latency  -> { ms }
 *   PUT    /__emulator/latency  <- { ms }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http.js';

export interface CallSnapshot {
  total: number;
  calls: Record<string, number>;
}

export class NativeCallCounter {
  private counts = new Map<string, number>();

  /** Counts one native call; `key` is `<model or object>.<method>`, e.g. `sale.order.read` or `Account.query`. */
  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): CallSnapshot {
    const calls = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const total = [...this.counts.values()].reduce((s, n) => s + n, 0);
    return { total, calls };
  }

  reset(): void {
    this.counts.clear();
  }
}

export class Latency {
  /**
   * When each call arrived and when its answer was released, while `recording` (the benchmark reads
   * it to count how many rounds of native calls a request waited for, one after another).
   */
  readonly timeline: { arrived: number; waited: number }[] = [];
  recording = false;

  constructor(public ms = 0) {}

  /**
   * Starts the clock of one native call that arrived at `arrived` (performance.now(); defaults to now).
   * The returned function waits until `ms` after that: the emulator's own work happens inside that
   * time, as a real system's work is part of the latency its callers see, so a call costs `ms` and
   * not `ms` plus the emulator's CPU.
   */
  start(arrived = performance.now()): () => Promise<void> {
    return async () => {
      const due = arrived + this.ms;
      // Timers keep whole milliseconds on a coarse clock and fire up to one early or late: sleep until
      // just before the call is due, then yield to I/O turn by turn for the last fraction, so a call
      // answers neither before its time nor a millisecond after it.
      const sleep = Math.floor(due - performance.now()) - 1;
      if (sleep > 0) await new Promise((resolve) => setTimeout(resolve, sleep));
      while (performance.now() < due) await new Promise((resolve) => setImmediate(resolve));
      if (this.recording) this.timeline.push({ arrived, waited: performance.now() });
    };
  }

  /** Holds one call's HTTP answer, whichever path writes it, until `ms` after the call arrived. */
  hold(res: ServerResponse, arrived: number): void {
    const answered = this.start(arrived);
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      void answered().then(() => end(...args));
      return res;
    }) as ServerResponse['end'];
  }

  /**
   * Waits one turn of the event loop before a call's work. A real system serves concurrent calls side by
   * side; this one works on one at a time, so without the turn, calls sent together would each be seen
   * (and timed) only after the previous one's work. With it, every call already received is stamped on
   * arrival first, and each still answers `ms` after it arrived while the work is done in turn.
   */
  async turn(): Promise<void> {
    if (this.ms > 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The longest chain of native calls in a timeline (of one or more emulators) where each call arrived after
 * the previous one's wait ended: how many native round trips a request waited for, one after another.
 */
export function nativeRounds(timeline: readonly { arrived: number; waited: number }[]): number {
  const calls = [...timeline].sort((a, b) => a.arrived - b.arrived);
  const depth: number[] = [];
  calls.forEach((call, i) => {
    depth[i] = 1 + Math.max(0, ...calls.slice(0, i).map((before, j) => (before.waited <= call.arrived ? depth[j]! : 0)));
  });
  return Math.max(0, ...depth);
}

/** Serves `/__emulator/*`; returns false when the request is for the vendor API instead. */
export async function handleDiagnostics(req: IncomingMessage, res: ServerResponse, state: { calls: NativeCallCounter; latency: Latency }): Promise<boolean> {
  const path = (req.url ?? '').split('?')[0];
  if (!path?.startsWith('/__emulator/')) return false;
  if (path === '/__emulator/calls' && req.method === 'GET') {
    sendJson(res, 200, state.calls.snapshot());
  } else if (path === '/__emulator/calls' && req.method === 'DELETE') {
    state.calls.reset();
    sendJson(res, 200, { total: 0, calls: {} });
  } else if (path === '/__emulator/latency' && req.method === 'GET') {
    sendJson(res, 200, { ms: state.latency.ms });
  } else if (path === '/__emulator/latency' && req.method === 'PUT') {
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8'));
    } catch {
      body = undefined;
    }
    const ms = (body as { ms?: unknown } | undefined)?.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      sendJson(res, 400, { error: `Expected a JSON body {"ms": <non-negative number>}, but got ${JSON.stringify(body) ?? 'invalid JSON'}.` });
    } else {
      state.latency.ms = ms;
      sendJson(res, 200, { ms });
    }
  } else {
    sendJson(res, 404, { error: `No emulator diagnostic at ${req.method} ${path}.` });
  }
  return true;
}
