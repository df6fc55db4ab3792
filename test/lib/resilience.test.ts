/** The native-call policy on its own: backoff, Retry-After, what is never retried, and the breaker's snapshot. */
import { describe, expect, it } from 'vitest';
import { CircuitOpenError, createNativeCallPolicy, retryAfterMs, type FailureClass } from '../../lib/resilience.js';

class Down extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('down');
  }
}
class Refused extends Error {}

const classify = (error: unknown): FailureClass =>
  error instanceof Down ? { systemFailure: true, retryable: true, retryAfterMs: error.retryAfterMs } : { systemFailure: false, retryable: false };

function policy(overrides: Partial<Parameters<typeof createNativeCallPolicy>[0]['settings']> = {}) {
  const waits: number[] = [];
  const p = createNativeCallPolicy({
    systemLabel: 'ERP (Odoo)',
    settings: { retryAttempts: 4, retryBaseDelayMs: 100, retryMaxDelayMs: 1_000, breakerFailures: 100, breakerHalfOpenAfterMs: 1_000, ...overrides },
    classify,
    sleep: async (ms) => void waits.push(ms),
    random: () => 1,
  });
  return { p, waits };
}

function failing(times: number, error: () => Error) {
  let calls = 0;
  const fn = async () => {
    calls++;
    if (calls <= times) throw error();
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('createNativeCallPolicy', () => {
  it('retries reads with exponential backoff capped at the maximum', async () => {
    const { p, waits } = policy({ retryMaxDelayMs: 300 });
    const call = failing(3, () => new Down());
    expect(await p.run(call.fn, { idempotent: true })).toBe('ok');
    expect(waits).toEqual([100, 200, 300]);
  });

  it('waits what Retry-After says instead of the backoff', async () => {
    const { p, waits } = policy();
    const call = failing(1, () => new Down(750));
    await p.run(call.fn, { idempotent: true });
    expect(waits).toEqual([750]);
  });

  it('fails at once when Retry-After is longer than the longest wait', async () => {
    const { p } = policy();
    const call = failing(1, () => new Down(5_000));
    await expect(p.run(call.fn, { idempotent: true })).rejects.toBeInstanceOf(Down);
    expect(call.calls()).toBe(1);
  });

  it('never retries a write, nor a refusal', async () => {
    const { p } = policy();
    const write = failing(1, () => new Down());
    await expect(p.run(write.fn, { idempotent: false })).rejects.toBeInstanceOf(Down);
    expect(write.calls()).toBe(1);
    const refused = failing(1, () => new Refused());
    await expect(p.run(refused.fn, { idempotent: true })).rejects.toBeInstanceOf(Refused);
    expect(refused.calls()).toBe(1);
  });

  it('opens after N consecutive system failures and says when it will try again', async () => {
    const { p } = policy({ retryAttempts: 1, breakerFailures: 2, breakerHalfOpenAfterMs: 5_000 });
    for (let i = 0; i < 2; i++) await expect(p.run(async () => Promise.reject(new Down()), { idempotent: true })).rejects.toBeInstanceOf(Down);
    const refused = p.run(async () => 'never', { idempotent: true });
    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toThrow('The ERP (Odoo) circuit is open after 2 consecutive failures; retrying in 5s.');
    expect(p.snapshot()).toMatchObject({ state: 'open', retryInSeconds: 5, lastFailure: 'down' });
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
