/** Starts the CRM subgraph from the environment: `npx tsx subgraphs/crm/src/main.ts`. */
import { describeCrmConfig, loadCrmConfig } from './config.js';
import { startCrmSubgraph } from './server.js';

let config;
try {
  config = loadCrmConfig();
} catch (error) {
  console.error(`The CRM subgraph cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

// This process is the subgraph alone: its /metrics also carries the process's own metrics.
const subgraph = await startCrmSubgraph(config, { processMetrics: true });
console.log(`CRM subgraph ready at ${subgraph.url} (${describeCrmConfig(config)}).`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`CRM subgraph stopping on ${signal}.`);
    subgraph.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('The CRM subgraph did not stop cleanly:', error);
        process.exit(1);
      },
    );
  });
}
