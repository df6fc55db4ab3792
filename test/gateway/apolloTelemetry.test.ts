/**
 * @apollo/gateway sends Apollo usage metrics, and probes cloud metadata endpoints
 * to label them, unless APOLLO_TELEMETRY_DISABLED is set. This gateway keeps
 * that off unless GATEWAY_APOLLO_TELEMETRY=true. The exporter is replaced by a
 * stub here, so nothing is sent either way.
 */
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { startGateway } from '../../gateway/src/server.js';

const SECRET = 'apollo-telemetry-test-secret-0123456789abcdef';
// The module @apollo/gateway calls at construction; required, not imported, so the spy sees its real exports object.
const telemetry = createRequire(import.meta.url)('@apollo/gateway/dist/utilities/opentelemetry.js') as {
  createDataCollectionExporter: () => { shutdown(): Promise<void> };
};

describe('Apollo usage telemetry from @apollo/gateway', () => {
  let exporter: MockInstance<() => { shutdown(): Promise<void> }>;
  const before = process.env.APOLLO_TELEMETRY_DISABLED;
  beforeAll(() => {
    exporter = vi.spyOn(telemetry, 'createDataCollectionExporter').mockReturnValue({ shutdown: async () => {} });
  });
  afterEach(() => {
    exporter.mockClear();
    delete process.env.APOLLO_TELEMETRY_DISABLED;
  });
  afterAll(() => {
    exporter.mockRestore();
    if (before === undefined) delete process.env.APOLLO_TELEMETRY_DISABLED;
    else process.env.APOLLO_TELEMETRY_DISABLED = before;
  });

  const start = (env: Record<string, string> = {}) => startGateway(loadGatewayConfig({ INTERNAL_SHARED_SECRET: SECRET, GATEWAY_PORT: '0', ...env }));

  it('is off by default: the gateway starts without creating the exporter', async () => {
    delete process.env.APOLLO_TELEMETRY_DISABLED;
    const gateway = await start();
    try {
      expect(exporter).not.toHaveBeenCalled();
    } finally {
      await gateway.stop();
    }
  });

  it('is on only when GATEWAY_APOLLO_TELEMETRY=true', async () => {
    delete process.env.APOLLO_TELEMETRY_DISABLED;
    const gateway = await start({ GATEWAY_APOLLO_TELEMETRY: 'true' });
    try {
      expect(exporter).toHaveBeenCalledTimes(1);
    } finally {
      await gateway.stop();
    }
  });

  it('names the setting when its value is not a boolean', () => {
    expect(() => loadGatewayConfig({ INTERNAL_SHARED_SECRET: SECRET, GATEWAY_APOLLO_TELEMETRY: 'sometimes' })).toThrow(/GATEWAY_APOLLO_TELEMETRY/);
  });
});
