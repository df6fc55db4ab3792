/**
 * TRACING=otlp: spans reach an OTLP/HTTP collector — here a loopback receiver
 * that keeps what the exporters POST to /v1/traces (OTLP JSON). One query
 * makes one trace: the gateway's request span, its fetches to the ERP and
 * CRM subgraphs, each subgraph's request span (a child through `traceparent`),
 * and a span per Odoo and Salesforce call under those.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../../emulators/seed/world.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

// OTLP's SpanKind numbers: 2 server, 3 client.
const SERVER = 2;
const CLIENT = 3;

const world = buildWorld('small');
const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId)!;
const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN_ID = '00f067aa0ba902b7';

const spans: ReceivedSpan[] = [];
const contentTypes = new Set<string>();
let collector: Server;
let stack: TestStack | undefined;

// Private: OTLP JSON attribute values are `{stringValue}`, `{intValue}`, `{boolValue}`, ….
function attributeValue(value: Record<string, unknown>): unknown {
  return value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
}

function receive(body: string): void {
  const { resourceSpans } = JSON.parse(body) as {
    resourceSpans: { resource: { attributes: { key: string; value: Record<string, unknown> }[] }; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
  };
  for (const rs of resourceSpans) {
    const service = String(attributeValue(rs.resource.attributes.find((a) => a.key === 'service.name')!.value));
    for (const scope of rs.scopeSpans) {
      for (const span of scope.spans) {
        const attributes = Object.fromEntries(
          (span.attributes as { key: string; value: Record<string, unknown> }[]).map((a) => [a.key, attributeValue(a.value)]),
        );
        spans.push({
          service,
          traceId: String(span.traceId),
          spanId: String(span.spanId),
          parentSpanId: String(span.parentSpanId ?? ''),
          name: String(span.name),
          kind: Number(span.kind),
          attributes,
        });
      }
    }
  }
}

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      contentTypes.add(String(req.headers['content-type']));
      if (req.url === '/v1/traces') receive(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  stack = await startTestStack({ env: { TRACING: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01` },
    body: JSON.stringify({
      query: 'query Traced($id: ID!) { account(id: $id) { name owner { email } customer { number legalName } } }',
      variables: { id: company.crmAccountId },
    }),
  });
  expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
  // Stopping flushes every component's buffered spans to the collector.
  await stack.stop();
  stack = undefined;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => collector?.close(resolve));
});

describe('OTLP export', () => {
  it('sends OTLP JSON to /v1/traces, one service per component', () => {
    expect([...contentTypes]).toEqual(['application/json']);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['erp-crm-graph-gateway', 'erp-crm-graph-erp', 'erp-crm-graph-crm']));
  });

  it('continues the trace the client started, through every component', () => {
    expect(spans.length).toBeGreaterThan(0);
    expect(spans.every((s) => s.traceId === CLIENT_TRACE_ID)).toBe(true);
  });

  it('nests subgraph fetches under the gateway request, and each subgraph request under its fetch', () => {
    const request = spans.find((s) => s.service === 'erp-crm-graph-gateway' && s.kind === SERVER)!;
    expect(request).toMatchObject({ name: 'POST /graphql', parentSpanId: CLIENT_SPAN_ID });
    expect(request.attributes['graphql.operation.name']).toBe('Traced');
    for (const subgraph of ['erp', 'crm']) {
      const fetches = spans.filter((s) => s.name === `subgraph ${subgraph}`);
      expect(fetches.length).toBeGreaterThan(0);
      for (const fetch of fetches) {
        expect(fetch).toMatchObject({ kind: CLIENT, parentSpanId: request.spanId });
        const served = spans.filter((s) => s.service === `erp-crm-graph-${subgraph}` && s.kind === SERVER && s.parentSpanId === fetch.spanId);
        expect(served).toHaveLength(1);
      }
    }
  });

  it('has a span per native call, under the subgraph request that made it', () => {
    for (const [subgraph, system] of [
      ['erp', 'odoo'],
      ['crm', 'salesforce'],
    ] as const) {
      const served = new Set(spans.filter((s) => s.service === `erp-crm-graph-${subgraph}` && s.kind === SERVER).map((s) => s.spanId));
      const calls = spans.filter((s) => s.service === `erp-crm-graph-${subgraph}` && s.kind === CLIENT);
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) {
        expect(call.name).toMatch(new RegExp(`^${system} [\\w.]+$`));
        expect(call.attributes).toMatchObject({ 'peer.service': system, 'native.outcome': 'ok', 'http.response.status_code': 200 });
        expect(served.has(call.parentSpanId)).toBe(true);
      }
    }
    expect(spans.some((s) => s.name === 'odoo res.partner.search_read' || s.name === 'odoo res.partner.read')).toBe(true);
  });
});
