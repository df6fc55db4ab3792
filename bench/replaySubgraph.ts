/**
 * A stand-in for one subgraph, to measure what a gateway costs on its own. Recording, it passes each
 * request through to the real subgraph and keeps the answer with the number of native rounds the
 * subgraph waited for; replaying, it answers a request it has seen with that answer after that many
 * bare native calls' time, and does no GraphQL work. A plan then costs its native rounds and the
 * gateway's own work only: the floor under the latency the benchmark measures with real subgraphs.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { nativeRounds, type Latency } from '../emulators/common/diagnostics.js';
import { keepIdleConnections } from '../lib/http.js';

export interface ReplaySubgraph {
  url: string;
  /** Answer from the recording (true), or pass requests through and record them (false). */
  replaying: boolean;
  /** Requests that arrived while replaying with no recorded answer: passed through, and counted here. */
  misses: number;
  stop(): Promise<void>;
}

interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  rounds: number;
}

// Hop-by-hop headers and lengths belong to one connection, not to the answer.
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'date']);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' && !NOT_FORWARDED.has(name)) kept[name] = value;
  return kept;
}

/**
 * `native` is the latency clock of the emulator the subgraph calls (its timeline is recorded while
 * recording here); `nativeCallMs` what one bare native call takes on this machine.
 */
export async function startReplaySubgraph(target: string, native: Latency, nativeCallMs: number): Promise<ReplaySubgraph> {
  const recorded = new Map<string, Recorded>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const key = `${req.method} ${req.url}\n${body.toString()}`;
      const answer = (a: Recorded) => {
        res.writeHead(a.status, { ...a.headers, 'content-length': a.body.length });
        res.end(a.body);
      };
      const known = stub.replaying ? recorded.get(key) : undefined;
      if (known) {
        setTimeout(() => answer(known), known.rounds * nativeCallMs);
        return;
      }
      if (stub.replaying) stub.misses++;
      const started = performance.now();
      native.recording = true;
      request(new URL(req.url ?? '/', target), {
        method: req.method as 'POST',
        headers: forwardable(req.headers),
        body: req.method === 'GET' ? undefined : body,
      })
        .then(async (response) => {
          const passed = { status: response.statusCode, headers: forwardable(response.headers), body: Buffer.from(await response.body.arrayBuffer()) };
          const ended = performance.now();
          const rounds = nativeRounds(native.timeline.filter((call) => call.arrived >= started && call.waited <= ended));
          recorded.set(key, { ...passed, rounds });
          answer({ ...passed, rounds });
        })
        .catch((error: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`The replaying subgraph could not reach ${target}: ${(error as Error).message}`);
        });
    });
  });
  // As long as the subgraphs it stands in for keep theirs (HTTP_KEEPALIVE_TIMEOUT_MS's default).
  keepIdleConnections(server, 65_000);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const stub: ReplaySubgraph = {
    url: new URL(new URL(target).pathname, `http://127.0.0.1:${(server.address() as AddressInfo).port}`).href,
    replaying: false,
    misses: 0,
    async stop() {
      native.recording = false;
      native.timeline.length = 0;
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    },
  };
  return stub;
}
