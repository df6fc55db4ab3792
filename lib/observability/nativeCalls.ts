/**
 * What every native client does around one HTTP exchange with Odoo or
 * Salesforce: sends the request id (`X-Request-Id`, harmless to the real
 * systems, and what a proxy or support case can match) and, with tracing, a
 * `traceparent`; counts and times the exchange (`native_calls_total`,
 * `native_call_duration_seconds`); writes one log line with the request id.
 *
 * The clients know their protocol and call `observer.call(...)` around each
 * exchange; this module knows neither protocol nor GraphQL. A retry, a
 * re-login and a page of a query are each an exchange of their own.
 */
import { performance } from 'node:perf_hooks';
import type { Observability } from './index.js';
import type { NativeSystem, SubgraphMetrics } from './metrics.js';
import { currentRequest, REQUEST_ID_HEADER } from './requestContext.js';
import { SpanKind, SpanStatusCode } from './tracing.js';
import { noteNativeCall } from '../cache/responseCacheability.js';

/** ok: the system answered; refused: it answered no (access, validation, limits); unavailable: no usable answer. */
export type NativeOutcome = 'ok' | 'refused' | 'unavailable';

export interface NativeCallLabel {
  /** The model (`res.partner`), sObject (`Account`) or service (`common`, `oauth`) called. */
  object: string;
  /** The method (`search_read`, `authenticate`) or REST operation (`query`, `composite_read`, `token`). */
  method: string;
}

/** One exchange as the client makes it: the headers to add, and the HTTP status once known. */
export interface NativeExchange {
  readonly headers: Record<string, string>;
  status?: number;
}

export interface NativeCallObserver {
  /**
   * Runs `send` (one HTTP exchange) as the call `label`. Its outcome comes from
   * `exchange.status` when `send` resolves (2xx ok, 429 and 5xx unavailable,
   * else refused), and from `outcomeOf` when it throws (defaults to `unavailable`).
   */
  call<T>(label: NativeCallLabel, send: (exchange: NativeExchange) => Promise<T>, outcomeOf?: (error: unknown) => NativeOutcome): Promise<T>;
}

/** For clients built without observability (unit tests, scripts): sends, records nothing. */
export const UNOBSERVED: NativeCallObserver = {
  call: (_label, send) => {
    noteNativeCall();
    return send({ headers: {} });
  },
};

// Private: labels are metric label values, so anything outside the protocols' name alphabet becomes `unknown`.
const NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,79}$/;
const clean = (value: string) => (NAME.test(value) ? value : 'unknown');

/** 2xx ok; 429 (throttled) and 5xx unavailable; any other status a refusal. */
function statusOutcome(status: number): NativeOutcome {
  if (status >= 200 && status < 300) return 'ok';
  return status === 429 || status >= 500 ? 'unavailable' : 'refused';
}

export function createNativeCallObserver(system: NativeSystem, observability: Observability, metrics: SubgraphMetrics): NativeCallObserver {
  return {
    async call(label, send, outcomeOf) {
      // A read the entity cache does not cover makes the request's answer uncacheable.
      noteNativeCall();
      const object = clean(label.object);
      const method = clean(label.method);
      const request = currentRequest();
      const headers: Record<string, string> = {};
      if (request) headers[REQUEST_ID_HEADER] = request.requestId;
      const span = observability.tracing?.startSpan(`${system} ${object}.${method}`, {
        kind: SpanKind.CLIENT,
        parent: request?.span,
        attributes: { 'peer.service': system, 'native.object': object, 'native.method': method },
      });
      if (span) observability.tracing!.inject(span, headers);
      const exchange: NativeExchange = { headers };
      const started = performance.now();
      let outcome: NativeOutcome = 'ok';
      let failure: unknown;
      try {
        const answer = await send(exchange);
        // An answer can still be a refusal or a failure, for clients that interpret it after this call.
        if (exchange.status !== undefined) outcome = statusOutcome(exchange.status);
        return answer;
      } catch (error) {
        failure = error;
        outcome = outcomeOf ? outcomeOf(error) : 'unavailable';
        throw error;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        metrics.nativeCalls.inc({ system, object, method, outcome });
        metrics.nativeCallDuration.observe({ system, object, method }, seconds);
        const fields = {
          system,
          object,
          method,
          outcome,
          ...(exchange.status !== undefined ? { status: exchange.status } : {}),
          durationMs: Math.round(seconds * 10_000) / 10,
          // The error's class always; its message only when nothing answered (a transport problem, not data).
          ...(failure instanceof Error ? { error: failure.name, ...(outcome === 'unavailable' ? { reason: failure.message } : {}) } : {}),
        };
        const logger = request?.logger ?? observability.logger;
        // Every call at debug (a query makes many); a system that does not answer is worth a warning.
        if (outcome === 'unavailable') logger.warn(fields, 'native call failed');
        else logger.debug(fields, 'native call');
        if (span) {
          if (exchange.status !== undefined) span.setAttribute('http.response.status_code', exchange.status);
          span.setAttribute('native.outcome', outcome);
          if (outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: failure instanceof Error ? failure.name : outcome });
          span.end();
        }
      }
    },
  };
}
