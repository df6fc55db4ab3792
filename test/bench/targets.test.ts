/**
 * bench/targets.ts judges a run's numbers against issue 4's targets. These
 * rows are made up: the judging is what is tested, not the machine.
 */
import { describe, expect, it } from 'vitest';
import { evaluateTargets } from '../../bench/targets.js';
import type { Scenario } from '../../bench/scenarios.js';

const scenario: Scenario = { name: 'order-detail', title: 'Order detail', query: '{ __typename }', variables: {}, minimumNativeCalls: 8, planDepth: 4 };

function row(setup: string, requestsPerSecond: number, peakRequestsPerSecond: number) {
  return {
    scenario: scenario.name,
    setup,
    requests: 1000,
    requestsPerSecond,
    peakRequestsPerSecond,
    p50Ms: 50,
    p50SequentialMs: 50,
    nativeRounds: 4,
    nativeCallsPerRequest: 8,
    minimumNativeCalls: 8,
    gatewayRssMiB: 200,
  };
}

const rows = [
  row('gateway-cold', 170, 620),
  row('gateway-cold-nodedupe', 160, 160),
  row('baseline', 128, 128),
  row('hive', 125, 290),
  row('hive-nodedupe', 119, 119),
];

const judge = (capacityConnections: number) =>
  evaluateTargets({ scenarios: [scenario], rows, seedRows: [], nativeLatencyMs: 10, connections: 10, capacityConnections });

describe('evaluateTargets: requests per second at both loads', () => {
  it('judges the first load alone, and names the closed-loop ceiling when it is missed', () => {
    const rate = judge(100).find((t) => t.target === 'req/s ≥ 3 × baseline (cold, 10 connections)')!;
    expect(rate.met).toBe(false);
    expect(rate.value).toBe(
      '1.33 × (170 vs 128); no gateway can pass 2.6 × here: 10 connections, each request waiting at least 3 native rounds of 10 ms, is at most 333 req/s',
    );
  });

  it("judges the peak rates against the baseline's and Hive's, and says what they are without in-flight deduplication", () => {
    const targets = judge(100);
    const baseline = targets.find((t) => t.target === "peak req/s ≥ 3 × baseline's (cold, best of 10 and 100 connections)")!;
    expect(baseline).toMatchObject({ met: true, value: '4.84 × (620 vs 128); in-flight deduplication off: 1.25 ×' });
    const hive = targets.find((t) => t.target === "peak req/s ≥ 1.0 × Hive Gateway's (cold, best of 10 and 100 connections)")!;
    expect(hive).toMatchObject({ met: true, value: '2.14 × (620 vs 290); in-flight deduplication off: 1.34 ×' });
  });

  it('misses a peak below the factor', () => {
    const slow = rows.map((r) => (r.setup === 'gateway-cold' ? { ...r, peakRequestsPerSecond: 380 } : r));
    const targets = evaluateTargets({ scenarios: [scenario], rows: slow, seedRows: [], nativeLatencyMs: 10, connections: 10, capacityConnections: 100 });
    expect(targets.find((t) => t.target.startsWith('peak req/s ≥ 3 ×'))!.met).toBe(false);
  });

  it('leaves the peak rows out when the capacity load was not run', () => {
    expect(judge(0).some((t) => t.target.startsWith('peak'))).toBe(false);
  });
});
