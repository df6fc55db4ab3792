/**
 * The observability settings every server reads the same way: the gateway and
 * each subgraph call `readObservabilitySettings(env)` from their config loader
 * and pass the result to `createObservability` (index.ts).
 *
 *   LOG_LEVEL                    fatal | error | warn | info | debug | trace | silent. Defaults to info.
 *   TRACING                      off | otlp. Defaults to off.
 *   OTEL_EXPORTER_OTLP_ENDPOINT  OTLP/HTTP collector base URL; spans go to <endpoint>/v1/traces. Defaults to http://127.0.0.1:4318.
 *   METRICS_TOKEN                when set (16+ characters), `/metrics` answers only `Authorization: Bearer <token>`. Defaults to unset: open.
 */
import { readSettings, type Env } from '../config/index.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type TracingSettings = { mode: 'off' } | { mode: 'otlp'; /** Base URL of the collector's OTLP/HTTP receiver, without `/v1/traces`. */ endpoint: string };

export interface ObservabilitySettings {
  /** Lowest level written (`LOG_LEVEL`). Defaults to info: one line per gateway request, and every warning and error. */
  logLevel: LogLevel;
  /** OpenTelemetry spans exported over OTLP/HTTP (`TRACING`, `OTEL_EXPORTER_OTLP_ENDPOINT`). Defaults to off. */
  tracing: TracingSettings;
  /** Bearer token `/metrics` requires (`METRICS_TOKEN`). Never logged. Defaults to unset: `/metrics` is open, as usual on a private network. */
  metricsToken?: string;
}

/** What a component observes with when its config was built by hand without these settings (tests). */
export const DEFAULT_OBSERVABILITY_SETTINGS: ObservabilitySettings = { logLevel: 'info', tracing: { mode: 'off' } };

/**
 * Reads and validates the settings (names, defaults and accepted values are
 * declared in lib/config/catalog.ts); throws a ConfigError naming the first bad one.
 */
export function readObservabilitySettings(env: Env): ObservabilitySettings {
  const s = readSettings(env);
  const logLevel = s.get('LOG_LEVEL');
  const mode = s.get('TRACING');
  // Validated even while tracing is off, so turning it on later cannot surface a typo first.
  const endpoint = s.get('OTEL_EXPORTER_OTLP_ENDPOINT');
  // A secret: the reader never quotes it in an error.
  const metricsToken = s.get('METRICS_TOKEN');
  return { logLevel, tracing: mode === 'otlp' ? { mode, endpoint } : { mode }, ...(metricsToken ? { metricsToken } : {}) };
}
