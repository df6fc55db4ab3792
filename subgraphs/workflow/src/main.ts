/** Starts the workflow subgraph from the environment: `npx tsx subgraphs/workflow/src/main.ts`. */
import { describeWorkflowConfig, loadWorkflowConfig } from './config.js';
import { startWorkflowSubgraph } from './server.js';

let config;
try {
  config = loadWorkflowConfig();
} catch (error) {
  console.error(`The workflow subgraph cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

// This process is the subgraph alone: its /metrics also carries the process's own metrics.
const subgraph = await startWorkflowSubgraph(config, { processMetrics: true });
console.log(`Workflow subgraph ready at ${subgraph.url} (${describeWorkflowConfig(config)}).`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`Workflow subgraph stopping on ${signal}.`);
    subgraph.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('The workflow subgraph did not stop cleanly:', error);
        process.exit(1);
      },
    );
  });
}
