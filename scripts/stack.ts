/**
 * Starts the whole product in one process: the two emulators (unless a real
 * Odoo or Salesforce is configured), both subgraphs and the gateway. `npm start`,
 * the benchmark and the integration tests all use it; tests pass port 0
 * everywhere so that suites can run side by side.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startOdooEmulator, type OdooEmulator } from '../emulators/odoo/server.js';
import { startSalesforceEmulator, type SalesforceEmulator } from '../emulators/salesforce/server.js';
import type { SeedSize } from '../emulators/seed/world.js';
import { parseFaultRules } from '../emulators/common/faults.js';
import { loadErpConfig } from '../subgraphs/erp/src/config.js';
import { startErpSubgraph, type RunningErpSubgraph } from '../subgraphs/erp/src/server.js';
import { loadCrmConfig } from '../subgraphs/crm/src/config.js';
import { startCrmSubgraph, type RunningCrmSubgraph } from '../subgraphs/crm/src/server.js';
import { loadWorkflowConfig } from '../subgraphs/workflow/src/config.js';
import { startWorkflowSubgraph, type RunningWorkflowSubgraph } from '../subgraphs/workflow/src/server.js';
import { loadGatewayConfig } from '../gateway/src/config.js';
import { startGateway, type RunningGateway } from '../gateway/src/server.js';
import { checkSettings, assertValidSettings, readSettings } from '../lib/config/index.js';
import { generateInternalSecret } from '../lib/internalAuth.js';
import { repoRoot } from '../lib/subgraphSchemas.js';
import type { ObservabilityOptions } from '../lib/observability/index.js';

export interface StackOptions {
  /** Environment to read component settings from. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Port 0 for every server (tests). Defaults to false: each component's configured port. */
  ephemeralPorts?: boolean;
  /** Where the emulators keep their SQLite files. Defaults to DATA_DIR, or a fresh temp dir with ephemeral ports. */
  dataDir?: string;
  seedSize?: SeedSize;
  /** Latency added to every native call by the emulators, in ms. */
  latencyMs?: number;
  /** Seeding progress of a new emulator database; `system` is Odoo or Salesforce. Defaults to none. */
  onSeedProgress?: (done: number, total: number, label: string, system: 'Odoo' | 'Salesforce') => void;
  log?: (line: string) => void;
  /** Warnings, such as a misspelt setting. Defaults to `log`. */
  warn?: (line: string) => void;
  /**
   * Where every component's structured log lines go (tests read them back), and whether the
   * process's own metrics are exported (on the gateway's /metrics: one process, one set).
   * Defaults to standard output and no process metrics.
   */
  observability?: ObservabilityOptions;
}

export interface Stack {
  odoo: OdooEmulator | null;
  salesforce: SalesforceEmulator | null;
  erpUrl: string;
  crmUrl: string;
  workflowUrl: string;
  /** The ERP and CRM subgraphs, for tests that look at their caches and change feeds. */
  erp: RunningErpSubgraph;
  crm: RunningCrmSubgraph;
  /** The workflow subgraph, for tests that count its native calls. */
  workflow: RunningWorkflowSubgraph;
  gateway: RunningGateway;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const given = options.env ?? process.env;
  // Subgraphs answer only requests the gateway signed: one secret per process tree unless configured.
  const env: NodeJS.ProcessEnv = given.INTERNAL_SHARED_SECRET?.trim() ? given : { ...given, INTERNAL_SHARED_SECRET: generateInternalSecret() };
  const log = options.log ?? (() => {});
  // Every setting is checked before anything starts, so one run reports every bad value (lib/config).
  assertValidSettings(env);
  for (const warning of checkSettings(env).warnings) (options.warn ?? log)(warning);
  const s = readSettings(env);
  const ephemeral = options.ephemeralPorts ?? false;
  const dataDir = options.dataDir ?? (ephemeral ? mkdtempSync(join(tmpdir(), 'erp-crm-graph-')) : resolve(repoRoot, s.get('DATA_DIR')));
  mkdirSync(dataDir, { recursive: true });
  const seedSize = options.seedSize ?? s.get('SEED_SIZE');
  const latencyMs = options.latencyMs ?? s.get('EMULATOR_LATENCY_MS');
  const odooFaults = s.get('ODOO_EMULATOR_FAULTS');
  const salesforceFaults = s.get('SALESFORCE_EMULATOR_FAULTS');
  const onSeedProgress = options.onSeedProgress;

  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stoppers.reverse()) await fn().catch((error: unknown) => console.error(error));
  };

  try {
    const erpConfig = loadErpConfig(env);
    const crmConfig = loadCrmConfig(env);
    const workflowConfig = loadWorkflowConfig(env);

    // A configured ODOO_URL / SALESFORCE_LOGIN_URL means a real system: no emulator for it.
    let odoo: OdooEmulator | null = null;
    if (!s.isSet('ODOO_URL')) {
      odoo = await startOdooEmulator({
        dbPath: join(dataDir, 'odoo.sqlite'),
        seedSize,
        latencyMs,
        // Fault rules active from the start (emulators/common/faults.ts); also settable at runtime via /__emulator/faults.
        faults: odooFaults ? parseFaultRules(odooFaults, 'ODOO_EMULATOR_FAULTS') : [],
        port: ephemeral ? 0 : s.get('ODOO_EMULATOR_PORT'),
        onSeedProgress: onSeedProgress && ((done, total, label) => onSeedProgress(done, total, label, 'Odoo')),
      });
      stoppers.push(() => odoo!.close());
      erpConfig.odoo.url = odoo.url;
      workflowConfig.odoo.url = odoo.url;
      log(`Odoo-compatible ERP emulator: ${odoo.url}/jsonrpc`);
    }
    let salesforce: SalesforceEmulator | null = null;
    if (!s.isSet('SALESFORCE_LOGIN_URL')) {
      salesforce = await startSalesforceEmulator({
        dbPath: join(dataDir, 'salesforce.sqlite'),
        seedSize,
        latencyMs,
        faults: salesforceFaults ? parseFaultRules(salesforceFaults, 'SALESFORCE_EMULATOR_FAULTS') : [],
        port: ephemeral ? 0 : s.get('SALESFORCE_EMULATOR_PORT'),
        onSeedProgress: onSeedProgress && ((done, total, label) => onSeedProgress(done, total, label, 'Salesforce')),
      });
      stoppers.push(() => salesforce!.close());
      crmConfig.salesforce.loginUrl = salesforce.url;
      workflowConfig.salesforce.loginUrl = salesforce.url;
      log(`Salesforce-compatible CRM emulator: ${salesforce.url}/services/data`);
    }

    if (ephemeral) {
      erpConfig.port = 0;
      crmConfig.port = 0;
      workflowConfig.port = 0;
    }
    const { logDestination, processMetrics } = options.observability ?? {};
    const erp = await startErpSubgraph(erpConfig, { logDestination });
    stoppers.push(() => erp.stop());
    log(`ERP subgraph: ${erp.url}`);
    const crm = await startCrmSubgraph(crmConfig, { logDestination });
    stoppers.push(() => crm.stop());
    log(`CRM subgraph: ${crm.url}`);
    const workflow = await startWorkflowSubgraph(workflowConfig, { logDestination });
    stoppers.push(() => workflow.stop());
    log(`Workflow subgraph: ${workflow.url}`);

    const gatewayConfig = loadGatewayConfig(env);
    gatewayConfig.subgraphUrls = { erp: erp.url, crm: crm.url, workflow: workflow.url, ...gatewayConfig.subgraphUrls };
    if (ephemeral) gatewayConfig.port = 0;
    const gateway = await startGateway(gatewayConfig, { logDestination, processMetrics });
    stoppers.push(() => gateway.stop());

    return { odoo, salesforce, erpUrl: erp.url, crmUrl: crm.url, workflowUrl: workflow.url, workflow, erp, crm, gateway, dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
