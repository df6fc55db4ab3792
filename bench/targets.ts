/**
 * The performance targets of issue 4, checked against one benchmark run. They
 * are reported, met or missed, never asserted: timings vary with the machine.
 */
import type { Scenario } from './scenarios.js';

export interface TargetRow {
  scenario: string;
  target: string;
  value: string;
  /** null when the run has no numbers to judge by (a setup left out, no native latency). */
  met: boolean | null;
}

export interface SeedRow {
  query: string;
  smallCalls: number;
  largeCalls: number;
  error?: string;
}

interface MeasuredRow {
  scenario: string;
  setup: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p50SequentialMs: number;
  p50SequentialFloorMs?: number;
  nativeRounds: number;
  nativeCallsPerRequest: number;
  minimumNativeCalls: number;
  gatewayRssMiB: number;
  peakRequestsPerSecond: number;
}

const RSS_LIMIT_MIB = 300;

export function evaluateTargets(input: {
  scenarios: readonly Scenario[];
  rows: MeasuredRow[];
  seedRows: SeedRow[];
  nativeLatencyMs: number;
  /** How many requests the load keeps in flight (autocannon's connections). */
  connections: number;
  /** How many the capacity load keeps in flight; 0 when it was left out. */
  capacityConnections: number;
}): TargetRow[] {
  const { scenarios, rows, seedRows, nativeLatencyMs, connections, capacityConnections } = input;
  const targets: TargetRow[] = [];
  const measured = (setup: string, scenario: string) => rows.find((r) => r.setup === setup && r.scenario === scenario && r.requests > 0);
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);

  for (const scenario of scenarios) {
    const cold = measured('gateway-cold', scenario.name);
    const warm = measured('gateway-warm', scenario.name);
    const baseline = measured('baseline', scenario.name);
    const hive = measured('hive', scenario.name);
    const coldNoDedupe = measured('gateway-cold-nodedupe', scenario.name);
    const hiveNoDedupe = measured('hive-nodedupe', scenario.name);
    const add = (target: string, judge: () => { value: string; met: boolean } | null) => {
      const result = judge();
      targets.push({ scenario: scenario.name, target, value: result?.value ?? 'not measured in this run', met: result?.met ?? null });
    };

    add('native calls per request = plan minimum (cold)', () =>
      cold
        ? { value: `${cold.nativeCallsPerRequest} / ${scenario.minimumNativeCalls}`, met: cold.nativeCallsPerRequest === scenario.minimumNativeCalls }
        : null,
    );
    add(`native calls in ≤ ${scenario.planDepth} rounds, the plan depth: no avoidable waterfall (cold)`, () =>
      // Without injected latency calls that overlap cannot be told from calls that follow one another.
      cold && nativeLatencyMs > 0 ? { value: `${cold.nativeRounds} rounds`, met: cold.nativeRounds <= scenario.planDepth } : null,
    );
    add(`p50 one at a time ≤ 1.3 × ${scenario.planDepth} levels × ${nativeLatencyMs} ms (cold)`, () => {
      if (!cold || nativeLatencyMs === 0) return null;
      const limit = Math.round(1.3 * scenario.planDepth * nativeLatencyMs * 100) / 100;
      const floor =
        cold.p50SequentialFloorMs === undefined ? '' : `; ${cold.p50SequentialFloorMs} ms with subgraphs that replay their answers and take no time`;
      return { value: `${cold.p50SequentialMs} ms (limit ${limit} ms${floor})`, met: cold.p50SequentialMs <= limit };
    });
    add(`req/s ≥ 3 × baseline (cold, ${connections} connections)`, () => {
      if (!cold || !baseline) return null;
      const met = cold.requestsPerSecond >= 3 * baseline.requestsPerSecond;
      let value = `${ratio(cold.requestsPerSecond, baseline.requestsPerSecond)} × (${cold.requestsPerSecond} vs ${baseline.requestsPerSecond})`;
      if (!met && nativeLatencyMs > 0 && scenario.planDepth > 1) {
        // A closed loop completes at most `connections` requests per shortest latency. A request waits at least
        // every native round after the first (sharing an in-flight fetch can save part of the first one only).
        const ceiling = Math.round((connections * 1000) / ((scenario.planDepth - 1) * nativeLatencyMs));
        value += `; no gateway can pass ${ratio(ceiling, baseline.requestsPerSecond)} × here: ${connections} connections, each request waiting at least ${scenario.planDepth - 1} native rounds of ${nativeLatencyMs} ms, is at most ${ceiling} req/s`;
      }
      return { value, met };
    });
    add(`req/s ≥ 1.0 × Hive Gateway (cold, ${connections} connections)`, () =>
      cold && hive
        ? {
            value: `${ratio(cold.requestsPerSecond, hive.requestsPerSecond)} × (${cold.requestsPerSecond} vs ${hive.requestsPerSecond})`,
            met: cold.requestsPerSecond >= hive.requestsPerSecond,
          }
        : null,
    );
    if (capacityConnections > 0) {
      // Every request of a scenario is the same, so sharing identical in-flight fetches pays off more here than
      // on varied traffic: the value also names the ratio without it, each gateway's work done per request.
      const peak = (target: string, ours: MeasuredRow | undefined, theirs: MeasuredRow | undefined, factor: number, noDedupe: [MeasuredRow?, MeasuredRow?]) =>
        add(target, () => {
          if (!ours || !theirs) return null;
          let value = `${ratio(ours.peakRequestsPerSecond, theirs.peakRequestsPerSecond)} × (${ours.peakRequestsPerSecond} vs ${theirs.peakRequestsPerSecond})`;
          const [a, b] = noDedupe;
          if (a && b) value += `; in-flight deduplication off: ${ratio(a.peakRequestsPerSecond, b.peakRequestsPerSecond)} ×`;
          return { value, met: ours.peakRequestsPerSecond >= factor * theirs.peakRequestsPerSecond };
        });
      const loads = `best of ${connections} and ${capacityConnections} connections`;
      peak(`peak req/s ≥ 3 × baseline's (cold, ${loads})`, cold, baseline, 3, [coldNoDedupe, baseline]);
      peak(`peak req/s ≥ 1.0 × Hive Gateway's (cold, ${loads})`, cold, hive, 1, [coldNoDedupe, hiveNoDedupe]);
    }
    add('warm p50 ≤ 0.25 × cold p50 (under load)', () =>
      cold && warm ? { value: `${ratio(warm.p50Ms, cold.p50Ms)} (${warm.p50Ms} ms vs ${cold.p50Ms} ms)`, met: warm.p50Ms <= 0.25 * cold.p50Ms } : null,
    );
    add('warm p50 ≤ 0.25 × cold p50 (one at a time)', () =>
      cold && warm
        ? {
            value: `${ratio(warm.p50SequentialMs, cold.p50SequentialMs)} (${warm.p50SequentialMs} ms vs ${cold.p50SequentialMs} ms)`,
            met: warm.p50SequentialMs <= 0.25 * cold.p50SequentialMs,
          }
        : null,
    );
    add(`gateway RSS ≤ ${RSS_LIMIT_MIB} MiB under load (this gateway, every setup)`, () => {
      const ours = rows.filter((r) => r.scenario === scenario.name && r.setup.startsWith('gateway-') && r.requests > 0);
      if (ours.length === 0) return null;
      const peak = Math.max(...ours.map((r) => r.gatewayRssMiB));
      return { value: `${peak} MiB at most`, met: peak <= RSS_LIMIT_MIB };
    });
  }
  for (const seed of seedRows) {
    targets.push({
      scenario: seed.query,
      target: 'native calls on the large seed ≤ on the small seed',
      value: seed.error ? `failed: ${seed.error}` : `${seed.largeCalls} large vs ${seed.smallCalls} small`,
      met: seed.error ? false : seed.largeCalls <= seed.smallCalls,
    });
  }
  return targets;
}

export function targetsMarkdown(targets: TargetRow[], seedRows: SeedRow[]): string[] {
  const lines = ['## Targets', '', '| | scenario | target | this run |', '| --- | --- | --- | --- |'];
  for (const t of targets)
    lines.push(`| ${t.met === null ? 'n/a' : t.met ? 'met' : '**missed**'} | ${t.scenario} | ${t.target} | ${t.value.replace(/\|/g, '/')} |`);
  lines.push('');
  if (seedRows.length === 0) lines.push('The small-against-large seed comparison was not run (--smoke or --skip-large).', '');
  return lines;
}
