/** The replaying subgraph the benchmark measures a gateway's floor with (bench/replaySubgraph.ts). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startReplaySubgraph, type ReplaySubgraph } from '../../bench/replaySubgraph.js';
import { Latency } from '../../emulators/common/diagnostics.js';

const native = new Latency(0);
let served = 0;
let target: Server;
let stub: ReplaySubgraph;

beforeAll(async () => {
  // A "subgraph" whose answer stands for two native rounds, one after the other, as its timeline says.
  target = createServer((req, res) => {
    served++;
    const now = performance.now();
    if (native.recording) native.timeline.push({ arrived: now, waited: now + 0.1 }, { arrived: now + 0.2, waited: now + 0.3 });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-cache-tags': 'erp.partner' });
      res.end(JSON.stringify({ data: { served } }));
    });
  });
  await new Promise<void>((listening) => target.listen(0, '127.0.0.1', listening));
  stub = await startReplaySubgraph(`http://127.0.0.1:${(target.address() as AddressInfo).port}/graphql`, native, 40);
});

afterAll(async () => {
  await stub?.stop();
  await new Promise((closed) => target?.close(closed));
});

async function post(body: string) {
  const started = performance.now();
  const response = await request(stub.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { ms: performance.now() - started, text: await response.body.text(), tags: response.headers['x-cache-tags'] };
}

describe('startReplaySubgraph', () => {
  it('passes requests through while recording, then answers a known one from the recording after its native rounds', async () => {
    expect(new URL(stub.url).pathname).toBe('/graphql');
    expect((await post('{"query":"a"}')).text).toBe('{"data":{"served":1}}');
    stub.replaying = true;
    const replayed = await post('{"query":"a"}');
    expect(replayed).toMatchObject({ text: '{"data":{"served":1}}', tags: 'erp.partner' });
    expect(served).toBe(1);
    // Two rounds of 40 ms each.
    expect(replayed.ms).toBeGreaterThanOrEqual(78);
    expect(stub.misses).toBe(0);
  });

  it('counts a request it has not recorded as a miss and passes it through', async () => {
    stub.replaying = true;
    expect((await post('{"query":"b"}')).text).toBe('{"data":{"served":2}}');
    expect(stub.misses).toBe(1);
  });
});
