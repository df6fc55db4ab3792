import { loadGatewayConfig } from './config.js';
import { startGateway } from './server.js';
import { describeAccess } from './auth/banner.js';

const config = loadGatewayConfig();
// This process is the gateway alone: its /metrics also carries the process's own metrics.
const gateway = await startGateway(config, { processMetrics: true });
console.log(`Gateway ready: GraphQL at ${gateway.url}, explorer at ${gateway.url.replace(/\/graphql$/, '/')}`);
console.log(await describeAccess(config, gateway.url));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void gateway.stop().then(() => process.exit(0));
  });
}
