/**
 * A few seconds of the soak run (scripts/soakRunner.ts, `npm run soak`): the
 * stack starts on loopback, the example queries run at a bounded concurrency
 * until time is up, and the summary adds up.
 */
import { describe, expect, it } from 'vitest';
import { exampleQueries, formatSoakSummary, percentile, runSoak } from '../../scripts/soakRunner.js';

describe('soak run', () => {
  it('picks the example queries and leaves the mutations out', () => {
    const names = exampleQueries().map((o) => o.name);
    expect(names).toContain('SalesOrderWithCrmContext');
    expect(names).toContain('CampaignRoi');
    expect(names).not.toContain('ConvertQuoteToSalesOrder');
    expect(names).not.toContain('CreateCustomerInBothSystems');
  });

  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('runs for the given time, stops by itself and sums up', async () => {
    const started = Date.now();
    const summary = await runSoak({ durationSeconds: 3, concurrency: 2, progress: 'never', env: { CACHE_MODE: 'memory' } });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(summary.requests).toBeGreaterThan(10);
    expect(summary).toMatchObject({ failed: 0, errorsByCode: {}, concurrency: 2 });
    expect(summary.succeeded).toBe(summary.requests);
    expect(summary.latencyMs.p50).toBeGreaterThan(0);
    expect(summary.latencyMs.p95).toBeGreaterThanOrEqual(summary.latencyMs.p50);
    expect(summary.rssMiB.peak).toBeGreaterThanOrEqual(summary.rssMiB.end);
    expect(formatSoakSummary(summary)).toMatch(/Errors by code {2}none/);
  });
});
