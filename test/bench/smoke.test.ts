/**
 * `npm run bench -- --smoke` end to end, as CI runs it: every setup and
 * scenario, a few requests each. Checks that the outputs exist and that the
 * numbers are sane; performance targets are reported by the benchmark, never
 * asserted here.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../bench/scenarios.js';
import type { ResultRow } from '../../bench/run.js';
import type { TargetRow } from '../../bench/targets.js';
import { repoRoot } from '../../lib/subgraphSchemas.js';

const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
let results: { meta: Record<string, unknown>; rows: ResultRow[]; notes: string[]; targets: TargetRow[]; seedRows: unknown[] };

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', resolve(repoRoot, 'bench/run.ts'), '--smoke', '--out', out], {
    cwd: repoRoot,
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
}, 300_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const row = (setup: string, scenario: string) => results.rows.find((r) => r.setup === setup && r.scenario === scenario)!;

describe('npm run bench -- --smoke', () => {
  it('writes JSON, a Markdown table and an SVG chart', () => {
    expect(results.meta.smoke).toBe(true);
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    for (const scenario of SCENARIOS) expect(md).toContain(`## ${scenario.name}`);
    const svg = readFileSync(join(out, 'chart.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(existsSync(join(out, 'chart.svg'))).toBe(true);
  });

  it('measures every scenario on this gateway, cold and warm, and on the baseline, with sane numbers', () => {
    for (const scenario of SCENARIOS) {
      for (const setup of ['gateway-cold', 'gateway-warm', 'baseline']) {
        const r = row(setup, scenario.name);
        expect(r, `${setup} / ${scenario.name}`).toBeDefined();
        expect(r.ok, `${setup} / ${scenario.name}: ${r.error}`).toBe(true);
        expect(r.requests).toBeGreaterThan(0);
        expect(r.requestsPerSecond).toBeGreaterThan(0);
        expect(r.p50Ms).toBeGreaterThan(0);
        expect(r.p50Ms).toBeLessThanOrEqual(r.p95Ms);
        expect(r.p95Ms).toBeLessThanOrEqual(r.p99Ms);
        expect(r.gatewayRssMiB).toBeGreaterThan(10);
        expect(r.p50SequentialMs).toBeGreaterThan(0);
        expect(r.sameAnswerAsFirstSetup).toBe(true);
        // The second load, with more requests in flight; the peak is the better of the two rates.
        expect(r.capacity?.connections).toBe(6);
        expect(r.capacity?.requests).toBeGreaterThan(0);
        expect(r.peakRequestsPerSecond).toBe(Math.max(r.requestsPerSecond, r.capacity!.requestsPerSecond));
      }
      // Cold: exactly the plan's minimum per request; warm: nothing; the baseline: more than the minimum.
      expect(row('gateway-cold', scenario.name).nativeCallsPerRequest).toBe(scenario.minimumNativeCalls);
      expect(row('gateway-warm', scenario.name).nativeCallsPerRequest).toBe(0);
      expect(row('baseline', scenario.name).nativeCallsPerRequest).toBeGreaterThan(scenario.minimumNativeCalls);
      // Rounds come from timings (calls overlapping or not), so only their presence is checked here.
      expect(row('gateway-cold', scenario.name).nativeRounds).toBeGreaterThan(0);
      expect(row('gateway-warm', scenario.name).nativeRounds).toBe(0);
      // The floor: the same gateway over subgraphs replaying their answers, the answers checked as before.
      expect(row('gateway-cold', scenario.name).p50SequentialFloorMs, scenario.name).toBeGreaterThan(0);
    }
    expect(results.notes.filter((n) => n.includes('no floor'))).toEqual([]);
  });

  it('judges every target of the issue for every scenario, and says the seed comparison was left out', () => {
    for (const scenario of SCENARIOS) {
      const targets = results.targets.filter((t) => t.scenario === scenario.name);
      expect(targets.map((t) => t.target)).toEqual([
        'native calls per request = plan minimum (cold)',
        `native calls in ≤ ${scenario.planDepth} rounds, the plan depth: no avoidable waterfall (cold)`,
        `p50 one at a time ≤ 1.3 × ${scenario.planDepth} levels × 1 ms (cold)`,
        'req/s ≥ 3 × baseline (cold, 3 connections)',
        'req/s ≥ 1.0 × Hive Gateway (cold, 3 connections)',
        "peak req/s ≥ 3 × baseline's (cold, best of 3 and 6 connections)",
        "peak req/s ≥ 1.0 × Hive Gateway's (cold, best of 3 and 6 connections)",
        'warm p50 ≤ 0.25 × cold p50 (under load)',
        'warm p50 ≤ 0.25 × cold p50 (one at a time)',
        'gateway RSS ≤ 300 MiB under load (this gateway, every setup)',
      ]);
      // The call-count target is exact, so even a smoke run must meet it.
      expect(targets[0]!.met).toBe(true);
      for (const t of targets.slice(1)) expect(t.met === null || typeof t.met === 'boolean').toBe(true);
    }
    expect(results.seedRows).toEqual([]);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('The small-against-large seed comparison was not run');
  });

  it('reports Hive Gateway either measured or with the reason it could not run', () => {
    for (const scenario of SCENARIOS) {
      const r = row('hive', scenario.name);
      expect(r).toBeDefined();
      if (r.requests === 0) expect(r.error).toMatch(/\w+/);
      else expect(r.requestsPerSecond).toBeGreaterThan(0);
    }
  });
});
