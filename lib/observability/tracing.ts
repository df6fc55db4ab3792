/**
 * Optional OpenTelemetry tracing (`TRACING=otlp`): one span per gateway
 * request, per subgraph fetch, per subgraph request and per native call,
 * exported over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces`.
 *
 * Each component has a tracer provider of its own (service.name
 * `erp-crm-graph-<component>`), and nothing is registered globally: the
 * parent of a span is passed explicitly (the request's span, kept in
 * requestContext.ts), and the W3C `traceparent` header carries the trace from
 * the gateway to the subgraphs and from the subgraphs to the native systems.
 * So several components, or several stacks in one test process, never share
 * a provider, and tracing off costs nothing but an `undefined` check.
 */
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Component } from './logger.js';
import type { TracingSettings } from './settings.js';

export { SpanKind, SpanStatusCode, type Span };

export interface Tracing {
  /** Starts a span, a child of `parent` (a span of this component, or a context extracted from incoming headers), else a new trace. */
  startSpan(name: string, options: { kind: SpanKind; attributes?: Attributes; parent?: Span | Context }): Span;
  /** Adds `traceparent` (and `tracestate`) for `span` to outgoing headers. */
  inject(span: Span, headers: Record<string, string>): void;
  /** The trace context an incoming request carries, to parent its server span. */
  extract(headers: Record<string, string | string[] | undefined>): Context;
  /** Sends the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();

/** Undefined when tracing is off. */
export function createTracing(component: Component, settings: TracingSettings): Tracing | undefined {
  if (settings.mode === 'off') return undefined;
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `erp-crm-graph-${component}`, 'service.namespace': 'erp-crm-graph' }),
    // Batched, so a request never waits on the collector; a collector that is down loses spans, not requests.
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  const tracer: Tracer = provider.getTracer('erp-crm-graph');
  return {
    startSpan(name, { kind, attributes, parent }) {
      const context = parent === undefined ? ROOT_CONTEXT : isSpan(parent) ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
      return tracer.startSpan(name, { kind, attributes }, context);
    },
    inject(span, headers) {
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
    },
    extract(headers) {
      return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    },
    shutdown: () => provider.shutdown(),
  };
}

function isSpan(value: Span | Context): value is Span {
  return typeof (value as Span).spanContext === 'function';
}
