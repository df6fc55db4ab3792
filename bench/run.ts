/**
 * `npm run bench`: the emulators with injected native latency, the subgraphs
 * and a gateway, driven on loopback by autocannon, for each named scenario
 * (bench/scenarios.ts) and each gateway setup:
 *
 *   gateway-cold   this gateway, subgraphs batching, cache off (every request misses)
 *   gateway-cold-nodedupe  the same with the gateway's in-flight subgraph deduplication off
 *   gateway-warm   this gateway, subgraphs batching, caches primed (with redis-server here: the entity cache
 *                  in Redis and the gateway's response cache; without: the in-memory entity cache only)
 *   baseline       stock @apollo/gateway over the same subgraphs with batching off and no cache
 *                  (NATIVE_BATCHING=false: one native call per item, as plain resolvers make)
 *   hive           Hive Gateway's runtime over the batching, uncached subgraphs
 *   hive-nodedupe  the same with Hive's in-flight subgraph request deduplication off
 *
 * Each gateway runs in a process of its own so its memory (RSS) is its own, and every process with
 * NODE_ENV=production, as deployed (this gateway then checks the bearer token every request carries).
 * Results go to bench/results/ (results.json, results.md, chart.svg); with
 * --smoke, a few requests per cell into bench/results/smoke/, for CI.
 *
 * It then checks the issue's targets (bench/targets.ts) and prints each one met
 * or missed, and, unless --skip-large, counts the native calls of every scenario
 * and report on the small and on the large seed.
 *
 * Each cell is loaded twice: with --connections (10) requests in flight, where a plan's native rounds
 * bound every gateway's rate (a closed loop completes at most connections / latency requests per
 * second), and with --capacity-connections (100), enough to keep the machine's cores busy, for what
 * each setup can serve at all. "peak req/s" is the better of the two.
 *
 *   npm run bench -- [--smoke] [--latency 10 (1 with --smoke)] [--duration 10] [--connections 10] [--capacity-connections 100]
 *                    [--only gateway-cold,gateway-warm] [--scenarios catalog] [--out dir] [--skip-large]
 *                    [--gateway-heap-mib 192]
 */
import './production.js';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { nativeRounds as countRounds } from '../emulators/common/diagnostics.js';
import { startOdooEmulator } from '../emulators/odoo/server.js';
import { startSalesforceEmulator } from '../emulators/salesforce/server.js';
import { loadErpConfig } from '../subgraphs/erp/src/config.js';
import { startErpSubgraph } from '../subgraphs/erp/src/server.js';
import { loadCrmConfig } from '../subgraphs/crm/src/config.js';
import { startCrmSubgraph } from '../subgraphs/crm/src/server.js';
import { generateInternalSecret } from '../lib/internalAuth.js';
import { scopesDeclaredIn } from '../lib/requiresScopes.js';
import { issueToken } from '../gateway/src/auth/authenticate.js';
import { readSupergraph } from '../gateway/src/supergraph.js';
import { repoRoot } from '../lib/subgraphSchemas.js';
import { startLocalRedis, type LocalRedis } from '../scripts/redisServer.js';
import { spawnReady, stopChild, type ReadyChild } from '../scripts/readyChild.js';
import { SCENARIOS, seedChecks, type Scenario } from './scenarios.js';
import { renderChart } from './chart.js';
import { startReplaySubgraph } from './replaySubgraph.js';
import { evaluateTargets, targetsMarkdown, type SeedRow, type TargetRow } from './targets.js';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    latency: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    'capacity-connections': { type: 'string' },
    only: { type: 'string' },
    scenarios: { type: 'string' },
    out: { type: 'string' },
    'skip-large': { type: 'boolean', default: false },
    'gateway-heap-mib': { type: 'string', default: '192' },
  },
});

const smoke = flags.smoke!;
// Smoke: 1 ms, so a baseline request of 200 sequential-ish native calls does not dominate CI time.
const latencyMs = positive('latency', flags.latency ?? (smoke ? '1' : '10'), true);
const durationS = positive('duration', flags.duration ?? '10');
const connections = positive('connections', flags.connections ?? (smoke ? '3' : '10'));
// 0 leaves the capacity load out.
const capacityConnections = positive('capacity-connections', flags['capacity-connections'] ?? (smoke ? '6' : '100'), true);
// Smoke: a fixed number of requests per cell, so CI time does not depend on machine speed.
const smokeRequests = 12;
const BENCH_DAILY_API_LIMIT = 100_000_000;
// Requests sent one at a time after the load, for the latency the plan itself costs (no queueing).
const sequentialRequests = smoke ? 3 : 20;
// Every gateway process (ours, stock, Hive) runs with this V8 old-space limit, as the README
// recommends deploying a replica; 0 leaves Node's default, which lets the heap grow far past its live set.
const gatewayHeapMiB = positive('gateway-heap-mib', flags['gateway-heap-mib']!, true);
// The large seed takes a minute to build; the smoke run (CI) leaves it out.
const compareSeeds = !smoke && !flags['skip-large'];
const outDir = resolve(repoRoot, flags.out ?? (smoke ? 'bench/results/smoke' : 'bench/results'));
const scenarios = SCENARIOS.filter((s) => !flags.scenarios || flags.scenarios.split(',').includes(s.name));

// This gateway and its subgraphs run as deployed, NODE_ENV=production, which requires signed subgraph
// requests and an authenticated caller: every request of the run carries one bearer token holding every
// scope the supergraph declares, a fully trusted user. The stock gateway and Hive get the same header and
// ignore it (they run without field authorization, gatewayProcess.ts), and their subgraphs unsigned.
const BENCH_ISSUER = 'erp-crm-graph-bench';
const jwtSecret = randomBytes(32).toString('hex');
const asDeployed = {
  NODE_ENV: 'production',
  INTERNAL_SHARED_SECRET: generateInternalSecret(),
  AUTH_MODE: 'hs256',
  AUTH_JWT_SECRET: jwtSecret,
  AUTH_ISSUER: BENCH_ISSUER,
};
const requestHeaders = {
  'content-type': 'application/json',
  authorization: `Bearer ${await issueToken(jwtSecret, {
    issuer: BENCH_ISSUER,
    audience: 'erp-crm-graph',
    scopes: scopesDeclaredIn(readSupergraph(resolve(repoRoot, 'schema/supergraph.graphql'))),
    subject: 'bench',
    expiresIn: '24h',
  })}`,
};

function positive(name: string, raw: string, zeroAllowed = false): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!zeroAllowed && n === 0))
    throw new Error(`Expected --${name} to be a ${zeroAllowed ? 'non-negative' : 'positive'} number, but got ${JSON.stringify(raw)}.`);
  return n;
}

type GatewayKind = 'ours' | 'stock' | 'hive' | 'hive-nodedupe';

interface Setup {
  name: string;
  title: string;
  gateway: GatewayKind;
  /** Environment of the subgraphs (and, for ours, the gateway). */
  env: Record<string, string>;
  /** Run every scenario once before measuring, so the cache holds what it needs. */
  prime: boolean;
  /** Which plan's minimum applies: batched (the scenario's) or one call per item (no minimum claimed). */
  batching: boolean;
}

/** One load of one cell: completed requests, their rate and latency percentiles, and what failed. */
export interface LoadStats {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Answers (2xx or not) whose data was not the cell's first answer's, or that carried errors. */
  wrongAnswers: number;
  /** What was wrong with the first of them. */
  firstWrongAnswer?: string;
}

/** A cell: the first load's numbers at the top level, the capacity load's in `capacity`. */
export interface ResultRow extends Omit<LoadStats, 'errors' | 'firstWrongAnswer'> {
  scenario: string;
  setup: string;
  ok: boolean;
  error?: string;
  /** Median latency of requests sent one at a time after the load, ms: the plan's own waits, no queueing. */
  p50SequentialMs: number;
  /** The same, with subgraphs that replay their answers and take no time of their own (measureFloors). */
  p50SequentialFloorMs?: number;
  /**
   * Rounds of native calls one request waited for, one after another (both systems), seen in the
   * emulators' timeline of the last sequential request: the plan depth when nothing waits needlessly.
   */
  nativeRounds: number;
  /** Native calls per request (both systems, logins left out), counted over 3 sequential requests after the load. */
  nativeCallsPerRequest: number;
  /**
   * Native calls during the load run divided by the requests completed: lower than the sequential count
   * when identical requests in flight share subgraph fetches; slightly high from requests abandoned at the deadline.
   */
  nativeCallsPerRequestUnderLoad: number;
  /** The fewest native calls the scenario's plan can make without a cache; 0 with a warm cache. */
  minimumNativeCalls: number;
  /** Resident memory of the gateway process after the scenario's loads (the larger reading), MiB. */
  gatewayRssMiB: number;
  /** The same request with --capacity-connections in flight; absent when that load was left out. */
  capacity?: LoadStats & { connections: number };
  /** The better of the two loads' rates: what the setup can serve on this machine. */
  peakRequestsPerSecond: number;
  /** The first request of a primed setup: its latency with the cache still empty, ms. */
  coldFirstRequestMs?: number;
  /** Whether the answer's data equals the first setup's for the same scenario (a wrong answer fast is no win). */
  sameAnswerAsFirstSetup?: boolean;
}

// The data each scenario answered in the first setup that ran it, to compare the others with.
const referenceAnswers = new Map<string, string>();

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'erp-crm-bench-'));
  const stoppers: (() => Promise<unknown>)[] = [];
  const notes: string[] = [];
  let redis: LocalRedis | null = null;
  try {
    // Redis for the warm setup: a private redis-server when one is installed, else the memory cache.
    try {
      redis = await startLocalRedis({ useRedisUrl: true });
      stoppers.push(() => redis!.stop());
    } catch (error) {
      notes.push(`Warm cache used the in-memory store: ${(error as Error).message}`);
    }
    const odoo = await startOdooEmulator({ dbPath: join(dataDir, 'odoo.sqlite'), seedSize: 'small', latencyMs, port: 0 });
    stoppers.push(() => odoo.close());
    // The run spends millions of calls (the baseline alone makes 200 per customer-360 request) where the
    // emulator's default org allows 100,000 a day: speed is measured here, not the allocation, which
    // Salesforce sizes by an org's licences and sells in blocks.
    const salesforce = await startSalesforceEmulator({
      dbPath: join(dataDir, 'salesforce.sqlite'),
      seedSize: 'small',
      latencyMs,
      port: 0,
      dailyApiLimit: BENCH_DAILY_API_LIMIT,
    });
    stoppers.push(() => salesforce.close());
    log(`Emulators up with ${latencyMs} ms per native call: Odoo ${odoo.url}, Salesforce ${salesforce.url}${redis ? `, Redis ${redis.url}` : ''}.`);
    const bareCall = await bareNativeCall(odoo);
    log(
      `A bare native call (Odoo common.version over HTTP, no GraphQL): p50 ${bareCall.injectedMs} ms with ${latencyMs} ms injected, ${bareCall.noneMs} ms with none.`,
    );

    // Change polling is paused while measuring: it costs a fixed number of calls per interval, not per request.
    // Request logs are off, as Hive's are (logging: false below): a log line per request is not what is compared.
    const quiet = { ERP_CHANGE_POLL_MS: '0', LOG_LEVEL: 'warn' };
    const setups: Setup[] = [
      {
        name: 'gateway-cold',
        title: 'This gateway, cache off (every request misses)',
        gateway: 'ours',
        env: { ...quiet, ...asDeployed, CACHE_MODE: 'off' },
        prime: false,
        batching: true,
      },
      {
        name: 'gateway-cold-nodedupe',
        title: 'This gateway, cache off and in-flight deduplication off (each request does its own work)',
        gateway: 'ours',
        env: { ...quiet, ...asDeployed, CACHE_MODE: 'off', SUBGRAPH_DEDUPE_INFLIGHT: 'false' },
        prime: false,
        batching: true,
      },
      {
        name: 'gateway-warm',
        // The response cache needs Redis (its invalidations arrive over pub/sub); without it only the entity cache is warm.
        title: `This gateway, warm cache: ${redis ? "entity cache in Redis and the gateway's response cache" : 'in-memory entity cache (no response cache without Redis)'}`,
        gateway: 'ours',
        env: { ...quiet, ...asDeployed, ...(redis ? { REDIS_URL: redis.url, CACHE_PREFIX: redis.prefix } : { CACHE_MODE: 'memory' }) },
        prime: true,
        batching: true,
      },
      {
        name: 'baseline',
        title: 'Stock @apollo/gateway, plain resolvers (no batching, no cache)',
        gateway: 'stock',
        env: { ...quiet, CACHE_MODE: 'off', NATIVE_BATCHING: 'false' },
        prime: false,
        batching: false,
      },
      {
        name: 'hive',
        title: 'Hive Gateway runtime, batching subgraphs, no cache (Hive defaults: identical in-flight subgraph requests shared)',
        gateway: 'hive',
        env: { ...quiet, CACHE_MODE: 'off' },
        prime: false,
        batching: true,
      },
      {
        name: 'hive-nodedupe',
        title: 'Hive Gateway runtime, in-flight deduplication off (the same work per request as gateway-cold-nodedupe)',
        gateway: 'hive-nodedupe',
        env: { ...quiet, CACHE_MODE: 'off' },
        prime: false,
        batching: true,
      },
    ].filter((s) => !flags.only || flags.only.split(',').includes(s.name)) as Setup[];

    const rows: ResultRow[] = [];
    for (const [i, setup] of setups.entries()) {
      log(`\n== [${i + 1}/${setups.length}] ${setup.name}: ${setup.title}`);
      rows.push(...(await runSetup(setup, odoo, salesforce, notes)));
    }

    const cold = setups.find((s) => s.name === 'gateway-cold');
    if (cold && latencyMs > 0) {
      log(`\n== gateway-cold over subgraphs that replay their answers and take no time of their own`);
      try {
        const floors = await measureFloors(cold, odoo, salesforce, bareCall.injectedMs, notes);
        for (const row of rows) if (row.setup === cold.name && floors.has(row.scenario)) row.p50SequentialFloorMs = floors.get(row.scenario);
      } catch (error) {
        const message = `The floors under the p50s were not measured: ${(error as Error).message}`;
        log(`  ${message}`);
        notes.push(message);
      }
    }

    let seedRows: SeedRow[] = [];
    if (compareSeeds) {
      log('\n== Native calls per query, small seed against large seed (cache off)');
      seedRows = await compareSeedCosts(odoo, salesforce, dataDir, notes);
    }
    const targets = evaluateTargets({ scenarios, rows, seedRows, nativeLatencyMs: latencyMs, connections, capacityConnections });
    log('\n== Targets');
    for (const t of targets) log(`  ${t.met === null ? 'n/a ' : t.met ? 'met ' : 'MISS'}  ${t.scenario.padEnd(28)} ${t.target}: ${t.value}`);

    const meta = {
      date: new Date().toISOString(),
      smoke,
      node: process.version,
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      nativeLatencyMs: latencyMs,
      load: smoke ? { requestsPerCell: smokeRequests, connections, capacityConnections } : { durationSeconds: durationS, connections, capacityConnections },
      warmCache: redis ? 'redis' : 'memory',
      gatewayHeapMiB,
      seed: 'small',
      bareNativeCallMs: bareCall,
    };
    writeResults({
      meta,
      scenarios: scenarios.map(({ name, title, minimumNativeCalls, planDepth }) => ({ name, title, minimumNativeCalls, planDepth })),
      setups: setups.map(({ name, title }) => ({ name, title })),
      rows,
      targets,
      seedRows,
      notes,
    });
    log(`\nResults written to ${outDir}/results.{json,md} and chart.svg.`);
  } finally {
    for (const stop of stoppers.reverse()) await stop().catch((error: unknown) => console.error(error));
    await timingClient.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runSetup(
  setup: Setup,
  odoo: Awaited<ReturnType<typeof startOdooEmulator>>,
  salesforce: Awaited<ReturnType<typeof startSalesforceEmulator>>,
  notes: string[],
): Promise<ResultRow[]> {
  const { erp, crm } = await startSubgraphs(setup.env, odoo, salesforce);
  let gateway: ReadyChild | null = null;
  try {
    try {
      gateway = await spawnGateway(setup.gateway, { ...setup.env, ERP_SUBGRAPH_URL: erp.url, CRM_SUBGRAPH_URL: crm.url });
    } catch (error) {
      const message = `${setup.name} could not start: ${(error as Error).message}`;
      log(`  ${message}`);
      notes.push(message);
      return scenarios.map((s) => failedRow(s, setup, message));
    }
    const rows: ResultRow[] = [];
    for (const scenario of scenarios) rows.push(await runScenario(scenario, setup, gateway, odoo, salesforce));
    return rows;
  } finally {
    if (gateway) await stopChild(gateway.child);
    await crm.stop();
    await erp.stop();
  }
}

async function startSubgraphs(
  env: Record<string, string>,
  odoo: Awaited<ReturnType<typeof startOdooEmulator>>,
  salesforce: Awaited<ReturnType<typeof startSalesforceEmulator>>,
) {
  const erpConfig = loadErpConfig(env);
  erpConfig.odoo.url = odoo.url;
  erpConfig.port = 0;
  const crmConfig = loadCrmConfig(env);
  crmConfig.salesforce.loginUrl = salesforce.url;
  crmConfig.port = 0;
  return { erp: await startErpSubgraph(erpConfig), crm: await startCrmSubgraph(crmConfig) };
}

/**
 * The floor under each scenario's one-at-a-time p50 with this gateway: the same gateway (the setup's
 * settings) over subgraphs that replay their recorded answers after the native rounds they waited for,
 * each as long as a bare native call, doing no work of their own (bench/replaySubgraph.ts). What the
 * real subgraphs add shows as the difference.
 */
async function measureFloors(
  setup: Setup,
  odoo: Awaited<ReturnType<typeof startOdooEmulator>>,
  salesforce: Awaited<ReturnType<typeof startSalesforceEmulator>>,
  nativeCallMs: number,
  notes: string[],
): Promise<Map<string, number>> {
  const floors = new Map<string, number>();
  const { erp, crm } = await startSubgraphs(setup.env, odoo, salesforce);
  const stubs = [await startReplaySubgraph(erp.url, odoo.latency, nativeCallMs), await startReplaySubgraph(crm.url, salesforce.latency, nativeCallMs)];
  let gateway: ReadyChild | null = null;
  try {
    gateway = await spawnGateway(setup.gateway, { ...setup.env, ERP_SUBGRAPH_URL: stubs[0]!.url, CRM_SUBGRAPH_URL: stubs[1]!.url });
    const url = gateway.url;
    for (const scenario of scenarios) {
      const body = JSON.stringify({ query: scenario.query, variables: scenario.variables });
      const expected = referenceAnswers.get(scenario.name);
      const send = async () => {
        const { ms, answer } = await timedPost(url, body);
        const failure = expected === undefined ? null : answerFailure(answer.status, answer.text, expected);
        if (failure) throw new Error(`${scenario.name}, its subgraphs replayed: ${failure}`);
        return ms;
      };
      for (const stub of stubs) Object.assign(stub, { replaying: false, misses: 0 });
      for (let i = 0; i < 3; i++) await send();
      for (const stub of stubs) stub.replaying = true;
      for (let i = 0; i < 3; i++) await send();
      const times: number[] = [];
      for (let i = 0; i < sequentialRequests; i++) times.push(await send());
      const misses = stubs.reduce((sum, stub) => sum + stub.misses, 0);
      if (misses > 0) {
        notes.push(`${scenario.name}: no floor, ${misses} subgraph requests while replaying differed from every recorded one.`);
        continue;
      }
      floors.set(scenario.name, round(percentile(times, 50)));
      log(`  ${scenario.name.padEnd(16)} p50 one at a time ${floors.get(scenario.name)} ms with subgraphs that take no time`);
    }
  } finally {
    if (gateway) await stopChild(gateway.child);
    for (const stub of stubs) await stub.stop();
    await crm.stop();
    await erp.stop();
  }
  return floors;
}

function failedRow(scenario: Scenario, setup: Setup, error: string): ResultRow {
  return {
    scenario: scenario.name,
    setup: setup.name,
    ok: false,
    error,
    requests: 0,
    requestsPerSecond: 0,
    p50Ms: 0,
    p95Ms: 0,
    p99Ms: 0,
    p50SequentialMs: 0,
    nativeRounds: 0,
    non2xx: 0,
    wrongAnswers: 0,
    nativeCallsPerRequest: 0,
    nativeCallsPerRequestUnderLoad: 0,
    minimumNativeCalls: 0,
    gatewayRssMiB: 0,
    peakRequestsPerSecond: 0,
  };
}

async function runScenario(scenario: Scenario, setup: Setup, gateway: ReadyChild, odoo: EmulatorProbe, salesforce: EmulatorProbe): Promise<ResultRow> {
  const body = JSON.stringify({ query: scenario.query, variables: scenario.variables });
  // One request first: it must answer without errors, and in a primed setup it fills the cache.
  const probe = async () => {
    const started = performance.now();
    const response = await fetch(gateway.url, { method: 'POST', headers: requestHeaders, body });
    const ms = performance.now() - started;
    const text = await response.text();
    const answer = JSON.parse(text) as { data?: unknown; errors?: { message: string }[] };
    const failure =
      !response.ok || answer.errors?.length || !answer.data
        ? `${scenario.name} answered HTTP ${response.status} with ${answer.errors?.length ?? 0} error(s): ${answer.errors?.[0]?.message ?? 'no data'}`
        : null;
    return { ms, answer, text, failure };
  };
  let first = await probe();
  if (first.failure) {
    // After a long drain the stock gateway can reuse a kept-alive socket just as the subgraph closes it
    // ("socket hang up"); it does not retry, so the probe does, once, and says so.
    log(`  ${first.failure}; trying once more`);
    first = await probe();
  }
  const { ms: firstMs, answer, text: firstText, failure } = first;
  if (failure) {
    log(`  ${failure}`);
    return failedRow(scenario, setup, failure);
  }

  const data = JSON.stringify(answer.data);
  if (!referenceAnswers.has(scenario.name)) referenceAnswers.set(scenario.name, data);
  const sameAnswer = referenceAnswers.get(scenario.name) === data;

  odoo.calls.reset();
  salesforce.calls.reset();
  const expected = { text: firstText, data };
  const load = await drive(gateway.url, body, connections, expected);
  let rss = rssMiB(gateway.child.pid!);
  const underLoad = countCalls(odoo.calls.snapshot().calls) + countCalls(salesforce.calls.snapshot().calls);
  let capacity: ResultRow['capacity'];
  if (capacityConnections > 0) {
    // Requests the first load abandoned at its deadline would still be working during this one.
    await quiesce(odoo, salesforce);
    capacity = { connections: capacityConnections, ...(await drive(gateway.url, body, capacityConnections, expected)) };
    rss = Math.max(rss, rssMiB(gateway.child.pid!));
  }
  // Calls per request are counted over a few sequential requests after the load: requests the load
  // generator abandoned at its deadline still make native calls, which would skew a count taken under load.
  await quiesce(odoo, salesforce);
  odoo.calls.reset();
  salesforce.calls.reset();
  // The answers after the load are checked too, one by one: numbers measured on error answers would mean nothing.
  const wrongAnswers: string[] = [];
  const checked = (answer: { status: number; text: string }) => {
    const failure = answerFailure(answer.status, answer.text, data);
    if (failure) wrongAnswers.push(failure);
  };
  const counted = 3;
  for (let i = 0; i < counted; i++) checked((await timedPost(gateway.url, body)).answer);
  const native = (countCalls(odoo.calls.snapshot().calls) + countCalls(salesforce.calls.snapshot().calls)) / counted;
  const sequential: number[] = [];
  let nativeRounds = 0;
  for (let i = 0; i < sequentialRequests; i++) {
    const last = i === sequentialRequests - 1;
    for (const system of [odoo, salesforce]) {
      system.latency.timeline.length = 0;
      system.latency.recording = last;
    }
    const { ms, answer } = await timedPost(gateway.url, body);
    sequential.push(ms);
    checked(answer);
    if (last) nativeRounds = countRounds([...odoo.latency.timeline, ...salesforce.latency.timeline]);
  }
  for (const system of [odoo, salesforce]) system.latency.recording = false;
  // The row carries the first load's numbers; its connection errors and wrong answers end up in `error`.
  const { errors: _errors, firstWrongAnswer: _firstWrongAnswer, ...firstLoad } = load;
  const failures = [{ ...load, connections }, ...(capacity ? [capacity] : [])]
    .filter((l) => l.non2xx + l.errors + l.wrongAnswers > 0)
    .map((l) => {
      const counts = [
        l.non2xx > 0 ? `${l.non2xx} non-2xx answers` : '',
        l.errors > 0 ? `${l.errors} connection errors` : '',
        l.wrongAnswers > 0 ? `${l.wrongAnswers} answers other than the first (the first of them: ${l.firstWrongAnswer})` : '',
      ];
      return `${counts.filter(Boolean).join(', ')} with ${l.connections} connections`;
    });
  if (wrongAnswers.length > 0) {
    failures.push(
      `${wrongAnswers.length} of ${counted + sequentialRequests} requests after the load did not answer the first request's data: ${wrongAnswers[0]}`,
    );
  }
  const row: ResultRow = {
    scenario: scenario.name,
    setup: setup.name,
    ok: failures.length === 0,
    ...firstLoad,
    peakRequestsPerSecond: Math.max(load.requestsPerSecond, capacity?.requestsPerSecond ?? 0),
    ...(capacity ? { capacity } : {}),
    p50SequentialMs: round(percentile(sequential, 50)),
    nativeRounds,
    nativeCallsPerRequest: round(native),
    nativeCallsPerRequestUnderLoad: round(underLoad / Math.max(load.requests, 1)),
    minimumNativeCalls: setup.prime ? 0 : scenario.minimumNativeCalls,
    gatewayRssMiB: rss,
    ...(setup.prime ? { coldFirstRequestMs: round(firstMs) } : {}),
    sameAnswerAsFirstSetup: sameAnswer,
  };
  if (!sameAnswer) log(`  ${scenario.name}: the answer differs from the first setup's.`);
  if (!row.ok) row.error = failures.join('; ');
  const atCapacity = capacity ? `  [${capacity.connections} connections: ${capacity.requestsPerSecond} req/s, p50 ${capacity.p50Ms} ms]` : '';
  log(
    `  ${scenario.name.padEnd(16)} ${String(row.requestsPerSecond).padStart(8)} req/s  p50 ${row.p50Ms} ms (one at a time ${row.p50SequentialMs} ms)  p95 ${row.p95Ms} ms  p99 ${row.p99Ms} ms${atCapacity}  native/req ${row.nativeCallsPerRequest} in ${row.nativeRounds} rounds (under load ${row.nativeCallsPerRequestUnderLoad}, min ${row.minimumNativeCalls}${setup.batching ? '' : ' batched'})  RSS ${row.gatewayRssMiB} MiB`,
  );
  return row;
}

/**
 * Keeps `inFlight` requests of `body` going (for the run's duration, or the smoke run's fixed number) and
 * measures them. Every answer is checked against the cell's first: an error answer is often the fastest
 * kind, and timing it like a good one would flatter the setup that gave it.
 */
async function drive(url: string, body: string, inFlight: number, expected: { text: string; data: string }): Promise<LoadStats> {
  const times: number[] = [];
  let firstWrongAnswer: string | undefined;
  const run = autocannon({
    url,
    method: 'POST',
    headers: requestHeaders,
    body,
    connections: inFlight,
    timeout: 30,
    // Byte-equal answers pass without parsing, which would cost this process (the emulators' too) time under load.
    verifyBody: (answer) => {
      if (answer === expected.text) return true;
      // Some gateways' answers may differ in bytes only (extensions, key order of errors): compare the data.
      const failure = answerFailure(undefined, answer, expected.data);
      firstWrongAnswer ??= failure ?? undefined;
      return failure === null;
    },
    // A fixed number of requests ends at the next sample after the last answer: sample often, or each
    // smoke cell would last a second whatever its requests took.
    ...(smoke ? { amount: smokeRequests, sampleInt: 50 } : { duration: durationS }),
  });
  run.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  const result = await run;
  const pct = (p: number) => round(percentile(times, p));
  return {
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / Math.max(result.duration, 0.001)),
    p50Ms: pct(50),
    p95Ms: pct(95),
    p99Ms: pct(99),
    non2xx: result.non2xx,
    errors: result.errors,
    wrongAnswers: result.mismatches,
    ...(firstWrongAnswer ? { firstWrongAnswer } : {}),
  };
}

type EmulatorProbe = Pick<Awaited<ReturnType<typeof startOdooEmulator>>, 'calls' | 'latency'>;

// Timed requests go through undici's plain request over kept-alive connections, a client as lean as the load
// generator's: WHATWG fetch would add about 0.8 ms of its own to every request timed, which is no server's time.
const timingClient = new Agent({ connections: 4 });

/** Milliseconds from sending a JSON POST to having read the whole answer. */
async function timedPost(
  url: string,
  body: string,
  headers: Record<string, string> = requestHeaders,
): Promise<{ ms: number; answer: { status: number; text: string } }> {
  const started = performance.now();
  const answer = await request(url, { method: 'POST', headers, body, dispatcher: timingClient });
  const text = await answer.body.text();
  return { ms: performance.now() - started, answer: { status: answer.statusCode, text } };
}

/** What is wrong with a gateway's answer, measured against the data its first answer in this cell held; null when nothing. */
function answerFailure(status: number | undefined, text: string, expectedData: string): string | null {
  const http = status === undefined ? 'an answer' : `HTTP ${status}`;
  let answer: { data?: unknown; errors?: { message?: string }[] };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    return `${http} with a body that is not JSON: ${text.slice(0, 120)}`;
  }
  if ((status !== undefined && status !== 200) || answer.errors?.length)
    return `${http} with ${answer.errors?.length ?? 0} error(s): ${answer.errors?.[0]?.message ?? 'no message'}`;
  if (JSON.stringify(answer.data) !== expectedData) return 'other data than the first answer';
  return null;
}

/**
 * What one native round trip costs on this machine before any GraphQL: the median of sequential
 * Odoo `common.version` calls from this process, with the run's injected latency and with none.
 * A plan's latency floor is its depth times the first, not times the injected latency alone.
 */
async function bareNativeCall(odoo: Awaited<ReturnType<typeof startOdooEmulator>>): Promise<{ injectedMs: number; noneMs: number }> {
  const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'common', method: 'version', args: [] } });
  const median = async () => {
    const times: number[] = [];
    for (let i = 0; i < 25; i++) times.push((await timedPost(`${odoo.url}/jsonrpc`, body, { 'content-type': 'application/json' })).ms);
    return round(percentile(times.slice(5), 50));
  };
  const injectedMs = await median();
  const injected = odoo.latency.ms;
  odoo.latency.ms = 0;
  try {
    return { injectedMs, noneMs: await median() };
  } finally {
    odoo.latency.ms = injected;
  }
}

/** Waits until no native call has been served for 300 ms (requests abandoned by the load generator finish). */
async function quiesce(...systems: { calls: { snapshot(): { calls: Record<string, number> } } }[]): Promise<void> {
  // A smoke run sends a fixed number of requests and waits for every answer: none is abandoned.
  if (smoke) return;
  const total = () => systems.reduce((sum, s) => sum + countCalls(s.calls.snapshot().calls), 0);
  let last = -1;
  for (let i = 0; i < 100 && total() !== last; i++) {
    last = total();
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Native calls, leaving out logins: they happen once per process, not per request. */
function countCalls(calls: Record<string, number>): number {
  const logins = new Set(['common.authenticate', 'common.login', 'common.version', 'oauth.token']);
  return Object.entries(calls).reduce((sum, [key, n]) => (logins.has(key) ? sum : sum + n), 0);
}

/** The p-th percentile (nearest rank) of unsorted samples. */
function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/**
 * Runs every scenario and report once with the cache off against the small
 * emulators of the run and against freshly seeded large ones, counting native
 * calls: a list page or a report must not cost more on more data.
 */
async function compareSeedCosts(
  smallOdoo: Awaited<ReturnType<typeof startOdooEmulator>>,
  smallSalesforce: Awaited<ReturnType<typeof startSalesforceEmulator>>,
  dataDir: string,
  notes: string[],
): Promise<SeedRow[]> {
  const checks = seedChecks();
  const small = await countQueryCosts(checks, smallOdoo, smallSalesforce);
  const seedingStarted = performance.now();
  const onSeedProgress = (done: number, total: number, label: string) => {
    if (done === total) log(`  seeding the large data set: ${label} done (${total}), ${Math.round((performance.now() - seedingStarted) / 1000)} s`);
  };
  const largeDir = join(dataDir, 'large');
  mkdirSync(largeDir, { recursive: true });
  const odoo = await startOdooEmulator({ dbPath: join(largeDir, 'odoo.sqlite'), seedSize: 'large', latencyMs: 0, port: 0, onSeedProgress });
  try {
    const salesforce = await startSalesforceEmulator({ dbPath: join(largeDir, 'salesforce.sqlite'), seedSize: 'large', latencyMs: 0, port: 0, onSeedProgress });
    try {
      const large = await countQueryCosts(checks, odoo, salesforce);
      return checks.map((check, i) => {
        const row: SeedRow = { query: check.name, smallCalls: small[i]!.calls, largeCalls: large[i]!.calls, error: small[i]!.error ?? large[i]!.error };
        if (row.error) notes.push(`${check.name} failed in the seed comparison: ${row.error}`);
        log(`  ${check.name.padEnd(28)} small ${row.smallCalls}  large ${row.largeCalls}${row.error ? `  (${row.error})` : ''}`);
        return row;
      });
    } finally {
      await salesforce.close();
    }
  } finally {
    await odoo.close();
  }
}

/** Native calls of one cold request per query, through this gateway with the cache off. */
async function countQueryCosts(
  checks: ReturnType<typeof seedChecks>,
  odoo: Awaited<ReturnType<typeof startOdooEmulator>>,
  salesforce: Awaited<ReturnType<typeof startSalesforceEmulator>>,
): Promise<{ calls: number; error?: string }[]> {
  const env = { ERP_CHANGE_POLL_MS: '0', LOG_LEVEL: 'warn', CACHE_MODE: 'off', SUBGRAPH_DEDUPE_INFLIGHT: 'false', ...asDeployed };
  const { erp, crm } = await startSubgraphs(env, odoo, salesforce);
  const gateway = await spawnGateway('ours', { ...env, ERP_SUBGRAPH_URL: erp.url, CRM_SUBGRAPH_URL: crm.url });
  try {
    const costs: { calls: number; error?: string }[] = [];
    for (const check of checks) {
      await quiesce(odoo, salesforce);
      odoo.calls.reset();
      salesforce.calls.reset();
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: requestHeaders,
        body: JSON.stringify({ query: check.query, operationName: check.operationName, variables: check.variables }),
      });
      const answer = (await response.json()) as { errors?: { message: string }[] };
      const calls = countCalls(odoo.calls.snapshot().calls) + countCalls(salesforce.calls.snapshot().calls);
      costs.push(answer.errors?.length ? { calls, error: answer.errors[0]!.message } : { calls });
    }
    return costs;
  } finally {
    await stopChild(gateway.child);
    await crm.stop();
    await erp.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
    return round(kb / 1024);
  } catch {
    return 0;
  }
}

function spawnGateway(kind: GatewayKind, env: Record<string, string>): Promise<ReadyChild> {
  return spawnReady({
    args: [resolve(repoRoot, 'bench/gatewayProcess.ts'), kind],
    nodeArgs: gatewayHeapMiB > 0 ? [`--max-old-space-size=${gatewayHeapMiB}`] : [],
    // The load stays on loopback: stock @apollo/gateway would otherwise probe cloud metadata endpoints at start.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', APOLLO_TELEMETRY_DISABLED: 'true', ...env },
    label: `the ${kind} gateway`,
  });
}

interface Results {
  meta: Record<string, unknown> & { bareNativeCallMs: { injectedMs: number; noneMs: number } };
  scenarios: { name: string; title: string; minimumNativeCalls: number; planDepth: number }[];
  setups: { name: string; title: string }[];
  rows: ResultRow[];
  targets: TargetRow[];
  seedRows: SeedRow[];
  notes: string[];
}

function writeResults(results: Results): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), markdown(results));
  writeFileSync(join(outDir, 'chart.svg'), renderChart(results, connections));
}

function markdown({ meta, scenarios: list, setups, rows, targets, seedRows, notes }: Results): string {
  const lines = [
    `# Benchmark results${meta.smoke ? ' (smoke run: too few requests for the numbers to mean much)' : ''}`,
    '',
    `${meta.date} · Node ${meta.node} · ${meta.cpu} · ${meta.nativeLatencyMs} ms injected per native call · load ${JSON.stringify(meta.load)} · warm cache: ${meta.warmCache} · each gateway process: ${meta.gatewayHeapMiB ? `--max-old-space-size=${meta.gatewayHeapMiB}` : "Node's default heap"}`,
    '',
    `A bare native call on this machine (Odoo \`common.version\` over HTTP from the benchmark process, no GraphQL) takes p50 ${meta.bareNativeCallMs.injectedMs} ms with ${meta.nativeLatencyMs} ms injected and ${meta.bareNativeCallMs.noneMs} ms with none: the HTTP round trip itself, paid once per native round on top of the injected latency.`,
    '',
    'Setups:',
    '',
    ...setups.map((s) => `- **${s.name}**: ${s.title}`),
    '',
    '"p50 one at a time" is the median of requests sent one after another after the load: the plan\'s own waits, without queueing (sent with undici\'s plain request, as lean a client as the load generator; WHATWG fetch would add about 0.8 ms to each). "native rounds" is how many native calls the last of those requests waited for one after another (from the emulators\' timeline): the plan depth when nothing waits needlessly. "req/s" and "p50 ms" are measured with the first load\'s requests in flight, where a plan\'s native rounds bound every gateway\'s rate; the "in flight" columns, when present, with enough requests in flight to keep this machine\'s cores busy, for what each setup can serve at all (the first load can still be the faster one: past a setup\'s capacity, more requests in flight only queue). "native calls/req" is counted over 3 sequential requests after the load; "under load" is the calls made during the load divided by the requests completed (lower when identical in-flight requests share subgraph fetches). "min" is the fewest native calls the plan can make without a cache (one per fetch group), 0 for a warm cache; the baseline makes one call per item, so the batched minimum does not bind it.',
    '',
  ];
  const capacityConnections = rows.find((r) => r.capacity)?.capacity?.connections;
  const atCapacity = capacityConnections ? [`req/s, ${capacityConnections} in flight`, `p50 ms, ${capacityConnections} in flight`] : [];
  const columns = [
    'setup',
    'req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    ...atCapacity,
    'p50 one at a time ms',
    'native rounds',
    'native calls/req',
    'under load',
    'min',
    'gateway RSS MiB',
  ];
  for (const scenario of list) {
    lines.push(`## ${scenario.name}`, '', scenario.title, '', `| ${columns.join(' | ')} |`, `| --- |${' ---: |'.repeat(columns.length - 1)}`);
    for (const row of rows.filter((r) => r.scenario === scenario.name)) {
      if (!row.ok && row.requests === 0) {
        lines.push(`| ${row.setup} | not run: ${row.error?.replace(/\|/g, '/')} |${' |'.repeat(columns.length - 2)}`);
        continue;
      }
      const first = row.coldFirstRequestMs === undefined ? '' : ` (first, cold: ${row.coldFirstRequestMs} ms)`;
      const cells = [
        row.setup,
        row.requestsPerSecond,
        `${row.p50Ms}${first}`,
        row.p95Ms,
        row.p99Ms,
        ...(capacityConnections ? [row.capacity?.requestsPerSecond ?? '', row.capacity?.p50Ms ?? ''] : []),
        row.p50SequentialMs,
        row.nativeRounds,
        row.nativeCallsPerRequest,
        row.nativeCallsPerRequestUnderLoad,
        row.minimumNativeCalls,
        row.gatewayRssMiB,
      ];
      lines.push(`| ${cells.join(' | ')} |`);
      if (!row.ok) lines.push(`| | ${row.error?.replace(/\|/g, '/')} |${' |'.repeat(columns.length - 2)}`);
    }
    lines.push('');
  }
  lines.push(...targetsMarkdown(targets, seedRows));
  if (notes.length > 0) lines.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return `${lines.join('\n')}\n`;
}

await main();
