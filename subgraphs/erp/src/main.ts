/** Runs the ERP subgraph on its own: `npx tsx subgraphs/erp/src/main.ts`. */
import { ConfigError } from '../../../lib/settings.js';
import { loadErpConfig, type ErpSubgraphConfig } from './config.js';
import { startErpSubgraph } from './server.js';

let config: ErpSubgraphConfig;
try {
  config = loadErpConfig();
} catch (error) {
  // A bad setting is the operator's to fix: say which, without a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(`The ERP subgraph cannot start. ${error.message}`);
  process.exit(1);
}
// This process is the subgraph alone: its /metrics also carries the process's own metrics.
const subgraph = await startErpSubgraph(config, { processMetrics: true });
// The API key is deliberately absent: only where Odoo is and who logs in.
console.log(`ERP subgraph ready at ${subgraph.url} (Odoo ${config.odoo.url}, database "${config.odoo.db}", login "${config.odoo.login}").`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}; stopping the ERP subgraph.`);
    subgraph.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('The ERP subgraph did not stop cleanly:', error);
        process.exit(1);
      },
    );
  });
}
