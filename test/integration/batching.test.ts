/**
 * The fetches a query plan sends to one subgraph at once travel as one batched
 * request (SUBGRAPH_BATCHING, on by default): the order detail scenario fetches
 * from the CRM along three paths at once (the order's account, its
 * salesperson's CRM user, its products' price-book entries), and the CRM
 * subgraph gets one request for them. The answer and the native calls are the
 * same as with batching off.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../bench/scenarios.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import { TEST_INTERNAL_SECRET } from '../helpers/auth.js';
import { captureLogs } from '../observability/helpers.js';

const orderDetail = SCENARIOS.find((s) => s.name === 'order-detail')!;

interface Run {
  answer: unknown;
  nativeCalls: ReturnType<TestStack['nativeCalls']>;
  /** The gateway's fetches and the subgraphs' HTTP requests, per subgraph, for the request. */
  fetches: Record<string, number>;
  requests: Record<string, number>;
}

async function runOrderDetail(batching: boolean): Promise<Run> {
  const logs = captureLogs();
  const stack = await startTestStack({
    env: { LOG_LEVEL: 'debug', INTERNAL_SHARED_SECRET: TEST_INTERNAL_SECRET, SUBGRAPH_BATCHING: String(batching) },
    observability: { logDestination: logs.destination },
  });
  try {
    // Logins happen once per process: done before the request that is counted.
    expect((await stack.query(orderDetail.query, orderDetail.variables)).errors).toBeUndefined();
    stack.resetNativeCalls();
    const requestId = `batching-${batching}`;
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: orderDetail.query, variables: orderDetail.variables }),
    });
    const answer = await response.json();
    const lines = logs.lines.filter((l) => l.requestId === requestId);
    const count = (pick: (line: Record<string, unknown>) => string | undefined) => {
      const counts: Record<string, number> = {};
      for (const line of lines) {
        const key = pick(line);
        if (key) counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    };
    return {
      answer,
      nativeCalls: stack.nativeCalls(),
      fetches: count((l) => (l.component === 'gateway' && l.msg === 'subgraph fetch' ? String(l.subgraph) : undefined)),
      requests: count((l) => (l.msg === 'subgraph request' ? String(l.component) : undefined)),
    };
  } finally {
    await stack.stop();
  }
}

describe('subgraph fetches batched per subgraph', () => {
  let batched: Run;
  let unbatched: Run;
  beforeAll(async () => {
    batched = await runOrderDetail(true);
    unbatched = await runOrderDetail(false);
  }, 120_000);

  it('sends the three CRM fetches of an order detail as one request to the CRM subgraph', () => {
    expect(batched.fetches).toEqual({ erp: 1, crm: 3 });
    expect(batched.requests).toEqual({ erp: 1, crm: 1 });
  });

  it('sends them one request each with SUBGRAPH_BATCHING=false', () => {
    expect(unbatched.fetches).toEqual({ erp: 1, crm: 3 });
    expect(unbatched.requests).toEqual({ erp: 1, crm: 3 });
  });

  it('answers the same, with the same native calls', () => {
    expect((batched.answer as { errors?: unknown }).errors).toBeUndefined();
    expect(batched.answer).toEqual(unbatched.answer);
    expect(batched.nativeCalls).toEqual(unbatched.nativeCalls);
    expect(batched.nativeCalls.total).toBe(orderDetail.minimumNativeCalls);
  });
});
