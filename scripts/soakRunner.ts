/**
 * A soak run: the whole stack in this process on free loopback ports, a steady
 * mixed load of the example queries (schema/operations/) at a fixed
 * concurrency for a fixed time, optionally with emulator faults switched on
 * and off in a cycle, and a summary at the end: requests, errors by
 * `extensions.code`, latency percentiles, and the process's memory from start
 * to end (a leak shows as RSS that keeps climbing). `npm run soak` runs it
 * (scripts/soak.ts); test/scripts/soak.test.ts runs a few seconds of it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kind, OperationTypeNode, parse, type OperationDefinitionNode } from 'graphql';
import { developmentToken } from '../gateway/src/auth/banner.js';
import { loadGatewayConfig } from '../gateway/src/config.js';
import type { FaultRule } from '../emulators/common/faults.js';
import type { SeedSize } from '../emulators/seed/world.js';
import { createProgressBar, type ProgressMode } from '../lib/progress.js';
import { repoRoot } from '../lib/subgraphSchemas.js';
import { startStack, type Stack } from './stack.js';

export interface SoakOptions {
  /** How long the load runs, in seconds. */
  durationSeconds: number;
  /** Requests in flight at once. Defaults to 8. */
  concurrency?: number;
  /** Switch emulator faults on and off in a cycle (see FAULT_CYCLE). Defaults to false. */
  faults?: boolean;
  /** Length of each phase of the fault cycle, in seconds. Defaults to 15. */
  faultPhaseSeconds?: number;
  /** Emulator data to use (e.g. one `npm run seed -- --size large` made). Defaults to a fresh temporary folder, seeded small. */
  dataDir?: string;
  /** Seed of a new database. Defaults to small. */
  seedSize?: SeedSize;
  /** Longest wait for one response before it counts as a TIMEOUT, in ms. Defaults to 30000. */
  requestTimeoutMs?: number;
  /** Environment the stack reads its settings from. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** The progress bar. Defaults to auto (a bar on a terminal). */
  progress?: ProgressMode;
  /** Lines about the stack starting. Defaults to none. */
  log?: (line: string) => void;
}

export interface SoakSummary {
  durationSeconds: number;
  concurrency: number;
  operations: string[];
  faults: boolean;
  requests: number;
  succeeded: number;
  /** Requests answered with at least one error (partial results included). */
  failed: number;
  /** Requests per error code: the GraphQL `extensions.code`s of a response, or HTTP_<status>, NETWORK_ERROR, TIMEOUT. */
  errorsByCode: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Resident set size of this process (the whole stack runs in it), in MiB. */
  rssMiB: { start: number; peak: number; end: number };
  requestsPerSecond: number;
}

interface Operation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

/** The fault cycle of `--faults`: each phase lasts `faultPhaseSeconds`; then it starts again. */
export const FAULT_CYCLE: { label: string; odoo: FaultRule[]; salesforce: FaultRule[] }[] = [
  { label: 'no faults', odoo: [], salesforce: [] },
  { label: 'Odoo: 30% of calls fail with 503', odoo: [{ fault: 'http5xx', status: 503, probability: 0.3 }], salesforce: [] },
  { label: 'no faults', odoo: [], salesforce: [] },
  {
    label: 'Salesforce: 20% throttled (429), 20% slow (+300 ms)',
    odoo: [],
    salesforce: [
      { fault: 'tooManyRequests', retryAfterSeconds: 1, probability: 0.2 },
      { fault: 'latency', ms: 300, probability: 0.25 },
    ],
  },
];

/** The example queries, each with the variables of its `.variables.json` file. Mutations are left out: a soak must not pile up orders. */
export function exampleQueries(): Operation[] {
  const folder = join(repoRoot, 'schema/operations');
  const operations: Operation[] = [];
  for (const file of readdirSync(folder)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    const query = readFileSync(join(folder, file), 'utf8');
    const variablesFile = join(folder, file.replace(/\.graphql$/, '.variables.json'));
    const variables = existsSync(variablesFile) ? (JSON.parse(readFileSync(variablesFile, 'utf8')) as Record<string, unknown>) : {};
    for (const definition of parse(query).definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== OperationTypeNode.QUERY) continue;
      const name = (definition as OperationDefinitionNode).name?.value;
      if (name) operations.push({ name, query, variables });
    }
  }
  return operations;
}

/** The value below which `share` (0–1) of the sorted values fall (nearest rank). */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}

const MiB = 1024 * 1024;
const round = (n: number) => Math.round(n * 10) / 10;

export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const concurrency = options.concurrency ?? 8;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const phaseSeconds = options.faultPhaseSeconds ?? 15;
  // Loopback only, emulators always (never a configured real system), the development token, only error logs.
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  for (const name of ['ODOO_URL', 'SALESFORCE_LOGIN_URL', 'AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_JWKS_FILE', 'AUTH_ISSUER', 'NODE_ENV'] as const)
    delete env[name];
  Object.assign(env, {
    AUTH_MODE: 'hs256',
    GATEWAY_HOST: '127.0.0.1',
    ERP_SUBGRAPH_HOST: '127.0.0.1',
    CRM_SUBGRAPH_HOST: '127.0.0.1',
    WORKFLOW_SUBGRAPH_HOST: '127.0.0.1',
  });
  // Injected faults make every native failure a warning: the summary counts them instead.
  env.LOG_LEVEL ??= 'error';

  const operations = exampleQueries();
  const rssStart = process.memoryUsage.rss();
  // Without a data folder, a fresh one is seeded for this run and removed after it.
  const ownDataDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'erp-crm-graph-soak-'));
  let stack: Stack;
  try {
    stack = await startStack({ env, ephemeralPorts: true, dataDir: options.dataDir ?? ownDataDir, seedSize: options.seedSize, log: options.log });
  } catch (error) {
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    throw error;
  }
  const token = await developmentToken(loadGatewayConfig(env));
  const url = stack.gateway.url;

  const latencies: number[] = [];
  const errorsByCode: Record<string, number> = {};
  let requests = 0;
  let failed = 0;
  let rssPeak = Math.max(rssStart, process.memoryUsage.rss());
  let next = 0;
  let faultLabel = options.faults ? FAULT_CYCLE[0]!.label : 'off';

  const setFaults = async (odoo: FaultRule[], salesforce: FaultRule[]) => {
    const put = (base: string | undefined, rules: FaultRule[]) =>
      base
        ? fetch(`${base}/__emulator/faults`, {
            method: rules.length ? 'PUT' : 'DELETE',
            headers: { 'content-type': 'application/json' },
            body: rules.length ? JSON.stringify({ rules }) : undefined,
          })
        : undefined;
    await Promise.all([put(stack.odoo?.url, odoo), put(stack.salesforce?.url, salesforce)]);
  };

  const one = async (operation: Operation) => {
    const started = performance.now();
    const codes = new Set<string>();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: operation.query, operationName: operation.name, variables: operation.variables }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const text = await response.text();
      let body: { errors?: { extensions?: { code?: unknown } }[] } | undefined;
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        codes.add(`HTTP_${response.status}`);
      }
      for (const error of body?.errors ?? []) codes.add(typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN');
      if (!response.ok && codes.size === 0) codes.add(`HTTP_${response.status}`);
    } catch (error) {
      codes.add((error as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK_ERROR');
    }
    latencies.push(performance.now() - started);
    requests++;
    if (codes.size > 0) {
      failed++;
      for (const code of codes) errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
    }
  };

  const started = Date.now();
  const deadline = started + options.durationSeconds * 1000;
  const bar = createProgressBar({
    format: 'Soak [{bar}] {value}/{total} s | {requests} req, {rps}/s | errors {errors} | RSS {rss} MiB | faults: {faults}',
    total: options.durationSeconds,
    mode: options.progress,
    lines: Math.min(60, Math.max(4, Math.round(options.durationSeconds / 10))),
  });
  const errorText = () =>
    Object.entries(errorsByCode)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || 'none';
  const tick = () => {
    const rss = process.memoryUsage.rss();
    rssPeak = Math.max(rssPeak, rss);
    const elapsed = Math.min(options.durationSeconds, Math.floor((Date.now() - started) / 1000));
    bar.update(elapsed, {
      requests,
      rps: round(requests / Math.max(1, (Date.now() - started) / 1000)),
      errors: errorText(),
      rss: Math.round(rss / MiB),
      faults: faultLabel,
    });
  };
  const ticker = setInterval(tick, 1000);
  let phase = 0;
  const faultTimer = options.faults
    ? setInterval(() => {
        phase = (phase + 1) % FAULT_CYCLE.length;
        const step = FAULT_CYCLE[phase]!;
        faultLabel = step.label;
        void setFaults(step.odoo, step.salesforce).catch(() => {});
      }, phaseSeconds * 1000)
    : undefined;

  try {
    // Each worker sends the next operation (round robin over all of them) until time is up.
    const worker = async () => {
      while (Date.now() < deadline) await one(operations[next++ % operations.length]!);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    tick();
  } finally {
    clearInterval(ticker);
    if (faultTimer) clearInterval(faultTimer);
    bar.stop();
    if (options.faults) await setFaults([], []).catch(() => {});
  }
  const rssEnd = process.memoryUsage.rss();
  rssPeak = Math.max(rssPeak, rssEnd);
  await stack.stop();
  if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });

  const sorted = latencies.sort((a, b) => a - b);
  const seconds = (Date.now() - started) / 1000;
  return {
    durationSeconds: options.durationSeconds,
    concurrency,
    operations: operations.map((o) => o.name),
    faults: Boolean(options.faults),
    requests,
    succeeded: requests - failed,
    failed,
    errorsByCode,
    latencyMs: {
      p50: round(percentile(sorted, 0.5)),
      p95: round(percentile(sorted, 0.95)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted.at(-1) ?? 0),
    },
    rssMiB: { start: Math.round(rssStart / MiB), peak: Math.round(rssPeak / MiB), end: Math.round(rssEnd / MiB) },
    requestsPerSecond: round(requests / Math.max(seconds, 0.001)),
  };
}

/** The summary as a few lines for a terminal. */
export function formatSoakSummary(s: SoakSummary): string {
  const codes = Object.entries(s.errorsByCode).sort((a, b) => b[1] - a[1]);
  return [
    `Soak run: ${s.durationSeconds} s, ${s.concurrency} in flight, ${s.operations.length} example queries in turn, faults ${s.faults ? 'cycled' : 'off'}.`,
    `  Requests        ${s.requests} (${s.requestsPerSecond}/s): ${s.succeeded} succeeded, ${s.failed} with errors`,
    `  Errors by code  ${codes.length ? codes.map(([code, n]) => `${code} ${n}`).join(' · ') : 'none'}`,
    `  Latency         p50 ${s.latencyMs.p50} ms · p95 ${s.latencyMs.p95} ms · p99 ${s.latencyMs.p99} ms · max ${s.latencyMs.max} ms`,
    `  RSS             start ${s.rssMiB.start} MiB · peak ${s.rssMiB.peak} MiB · end ${s.rssMiB.end} MiB (the whole stack runs in this process)`,
  ].join('\n');
}
