/**
 * How a connector calls a native system that may be slow, flaky or down:
 *
 * - a circuit breaker per native system (cockatiel's ConsecutiveBreaker): after
 *   `breakerFailures` consecutive system failures no call goes out for
 *   `breakerHalfOpenAfterMs`; then one trial call decides whether it closes;
 * - retries with jittered exponential backoff, for idempotent reads only,
 *   waiting what the system asked for (`Retry-After`) when it said so, and never
 *   for failures the connector marks final (a daily API limit), so a struggling
 *   system never meets a retry storm.
 *
 * Protocol-neutral: each connector says which of its errors are system
 * failures and which may be retried (`classify`). No GraphQL here.
 */
import type { SettingsReader } from './config/read.js';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';

export interface ResilienceSettings {
  /** Tries per read, the first included; 1 turns retries off. */
  retryAttempts: number;
  /** Backoff before the first retry, in ms; doubled each time, with full jitter. */
  retryBaseDelayMs: number;
  /** Longest wait before a retry, in ms; a `Retry-After` longer than this fails at once instead. */
  retryMaxDelayMs: number;
  /** Consecutive system failures that open the circuit. */
  breakerFailures: number;
  /** How long an open circuit refuses calls before a trial call, in ms. */
  breakerHalfOpenAfterMs: number;
}

/** What a connector says about one failed call. */
export interface FailureClass {
  /** The system failed (unreachable, timed out, 5xx, throttled), as opposed to refusing this call for a reason of its own. Counts toward opening the circuit. */
  systemFailure: boolean;
  /** Trying again later may succeed. Only reads are ever retried. */
  retryable: boolean;
  /** The system said when to come back (`Retry-After`), in ms. */
  retryAfterMs?: number;
}

export type BreakerStateName = 'closed' | 'open' | 'halfOpen' | 'isolated';

export interface BreakerSnapshot {
  state: BreakerStateName;
  /** Consecutive system failures counted so far (resets on success). */
  consecutiveFailures: number;
  /** When the circuit last opened, ISO 8601; null if it never did. */
  openedAt: string | null;
  /** While open: seconds until a trial call is allowed. */
  retryInSeconds: number | null;
  /** The last system failure's message; null if none. */
  lastFailure: string | null;
}

/** The circuit is open: the call was not made. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly systemLabel: string,
    readonly failures: number,
    readonly retryInSeconds: number,
  ) {
    super(`The ${systemLabel} circuit is open after ${failures} consecutive failures; retrying in ${retryInSeconds}s.`);
  }
}

export interface NativeCallPolicy {
  /**
   * Runs one native call through the breaker, retrying it when `idempotent`
   * and the failure is retryable. Throws CircuitOpenError without calling when
   * the circuit is open.
   */
  run<T>(call: () => Promise<T>, options: { idempotent: boolean }): Promise<T>;
  snapshot(): BreakerSnapshot;
}

export interface NativeCallPolicyOptions {
  /** How the system is named in messages, e.g. `CRM (Salesforce)`. */
  systemLabel: string;
  settings: ResilienceSettings;
  classify(error: unknown): FailureClass;
  /** Replaceable for tests. Defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Replaceable for tests. Defaults to Math.random. */
  random?: () => number;
}

export function createNativeCallPolicy(options: NativeCallPolicyOptions): NativeCallPolicy {
  const { settings, classify, systemLabel } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const counter = new ConsecutiveBreaker(settings.breakerFailures);
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => classify(error).systemFailure),
    { halfOpenAfter: settings.breakerHalfOpenAfterMs, breaker: counter },
  );
  let openedAt: number | null = null;
  let lastFailure: string | null = null;
  breaker.onBreak(() => {
    openedAt = Date.now();
  });
  breaker.onFailure(({ reason }) => {
    if ('error' in reason && classify(reason.error).systemFailure) lastFailure = reason.error instanceof Error ? reason.error.message : String(reason.error);
  });

  const retryInSeconds = () => (openedAt === null ? 0 : Math.max(0, Math.ceil((openedAt + settings.breakerHalfOpenAfterMs - Date.now()) / 1000)));

  return {
    async run<T>(call: () => Promise<T>, { idempotent }: { idempotent: boolean }): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await breaker.execute(() => call());
        } catch (error) {
          if (error instanceof BrokenCircuitError) throw new CircuitOpenError(systemLabel, settings.breakerFailures, retryInSeconds());
          const failure = classify(error);
          if (!idempotent || !failure.retryable || attempt >= settings.retryAttempts) throw error;
          // Full jitter: spreads the retries of many callers so they do not arrive together.
          const backoff = Math.min(settings.retryMaxDelayMs, settings.retryBaseDelayMs * 2 ** (attempt - 1)) * random();
          const wait = failure.retryAfterMs ?? backoff;
          // A system asking for longer than we are prepared to hold a GraphQL request is answered now.
          if (wait > settings.retryMaxDelayMs) throw error;
          await sleep(wait);
        }
      }
    },
    snapshot(): BreakerSnapshot {
      const state = stateName(breaker.state);
      return {
        state,
        consecutiveFailures: counter.state,
        openedAt: openedAt === null ? null : new Date(openedAt).toISOString(),
        retryInSeconds: state === 'open' ? retryInSeconds() : null,
        lastFailure,
      };
    },
  };
}

/** Parses a `Retry-After` header (seconds or an HTTP date) into ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function stateName(state: CircuitState): BreakerStateName {
  switch (state) {
    case CircuitState.Open:
      return 'open';
    case CircuitState.HalfOpen:
      return 'halfOpen';
    case CircuitState.Isolated:
      return 'isolated';
    default:
      return 'closed';
  }
}

/**
 * Reads `ODOO_RETRY_ATTEMPTS`, `_RETRY_BASE_MS`, `_RETRY_MAX_MS`,
 * `_BREAKER_FAILURES` and `_BREAKER_HALF_OPEN_MS` (or the `SALESFORCE_` ones),
 * so every component talking to one native system reads the same settings,
 * with the same defaults (lib/config/catalog.ts), the same way.
 */
export function readResilienceSettings(s: SettingsReader, system: 'ODOO' | 'SALESFORCE'): ResilienceSettings {
  if (system === 'ODOO') {
    return {
      retryAttempts: s.get('ODOO_RETRY_ATTEMPTS'),
      retryBaseDelayMs: s.get('ODOO_RETRY_BASE_MS'),
      retryMaxDelayMs: s.get('ODOO_RETRY_MAX_MS'),
      breakerFailures: s.get('ODOO_BREAKER_FAILURES'),
      breakerHalfOpenAfterMs: s.get('ODOO_BREAKER_HALF_OPEN_MS'),
    };
  }
  return {
    retryAttempts: s.get('SALESFORCE_RETRY_ATTEMPTS'),
    retryBaseDelayMs: s.get('SALESFORCE_RETRY_BASE_MS'),
    retryMaxDelayMs: s.get('SALESFORCE_RETRY_MAX_MS'),
    breakerFailures: s.get('SALESFORCE_BREAKER_FAILURES'),
    breakerHalfOpenAfterMs: s.get('SALESFORCE_BREAKER_HALF_OPEN_MS'),
  };
}
