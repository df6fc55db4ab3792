import { loadGatewayConfig } from './config.js';
import { startGateway } from './server.js';

const config = loadGatewayConfig();
const gateway = await startGateway(config);
console.log(`Gateway ready: GraphQL at ${gateway.url}, explorer at ${gateway.url.replace(/\/graphql$/, '/')}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void gateway.stop().then(() => process.exit(0));
  });
}
