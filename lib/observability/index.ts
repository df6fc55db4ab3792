/**
 * What one running server (the gateway or a subgraph) observes with: its
 * logger, its metrics registry, its tracer when tracing is on. Built by the
 * server's factory from the settings its config read (settings.ts), so nothing
 * here is module-level state a test could not replace or isolate.
 */
import type { Registry } from 'prom-client';
import { createLogger, type Component, type LogDestination, type Logger } from './logger.js';
import { createRegistry } from './metrics.js';
import { DEFAULT_OBSERVABILITY_SETTINGS, type ObservabilitySettings } from './settings.js';
import { createTracing, type Tracing } from './tracing.js';

export type { Component, LogDestination, Logger } from './logger.js';
export { readObservabilitySettings, type ObservabilitySettings } from './settings.js';
export { currentRequest, REQUEST_ID_HEADER } from './requestContext.js';

/** What the host of a server decides, rather than its configuration. */
export interface ObservabilityOptions {
  /** Where log lines go. Defaults to standard output. */
  logDestination?: LogDestination;
  /** Also export the process's own metrics (memory, event loop lag, GC): once per process, by its host. Defaults to false. */
  processMetrics?: boolean;
}

export interface Observability {
  readonly component: Component;
  readonly logger: Logger;
  /** This server's metrics, served at its `/metrics`. */
  readonly registry: Registry;
  /** Undefined while tracing is off. */
  readonly tracing?: Tracing;
  /** Bearer token `/metrics` requires; undefined for open. */
  readonly metricsToken?: string;
  /** Sends buffered spans and flushes the log. */
  close(): Promise<void>;
}

export function createObservability(
  component: Component,
  settings: ObservabilitySettings = DEFAULT_OBSERVABILITY_SETTINGS,
  options: ObservabilityOptions = {},
): Observability {
  const logger = createLogger(component, settings.logLevel, options.logDestination);
  const tracing = createTracing(component, settings.tracing);
  return {
    component,
    logger,
    registry: createRegistry({ processMetrics: options.processMetrics }),
    tracing,
    metricsToken: settings.metricsToken,
    async close() {
      await tracing?.shutdown();
      logger.flush();
    },
  };
}
