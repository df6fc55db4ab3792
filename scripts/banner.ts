/**
 * The short block `npm start` prints once everything listens: every URL a
 * developer may want, and where the emulators keep their data.
 */
import type { Stack } from './stack.js';

export interface BannerInput {
  /** The gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  graphqlUrl: string;
  /** Whether the gateway serves the explorer and graph map (GATEWAY_EXPLORER). */
  explorer: boolean;
  subgraphs: { name: string; url: string }[];
  /** The emulators started (none for a system configured as real). */
  emulators: { name: string; url: string }[];
  dataDir: string;
}

export function bannerInput(stack: Stack, explorer: boolean): BannerInput {
  const emulators: BannerInput['emulators'] = [];
  if (stack.odoo) emulators.push({ name: 'Odoo (JSON-RPC)', url: `${stack.odoo.url}/jsonrpc` });
  if (stack.salesforce) emulators.push({ name: 'Salesforce (REST)', url: `${stack.salesforce.url}/services/data` });
  return {
    graphqlUrl: stack.gateway.url,
    explorer,
    subgraphs: [
      { name: 'erp', url: stack.erpUrl },
      { name: 'crm', url: stack.crmUrl },
      { name: 'workflow', url: stack.workflowUrl },
    ],
    emulators,
    dataDir: stack.dataDir,
  };
}

// Private: loopback URLs as a browser is happiest to take them.
function local(url: string): string {
  return url.replace('//127.0.0.1', '//localhost');
}

// Private: the server's root, e.g. http://localhost:4000.
function origin(url: string): string {
  return new URL(url).origin.replace('//127.0.0.1', '//localhost');
}

export function formatBanner(input: BannerInput): string {
  const gateway = origin(input.graphqlUrl);
  const row = (label: string, value: string) => `  ${label.padEnd(18)} ${value}`;
  const lines = [
    row('GraphQL endpoint', local(input.graphqlUrl)),
    row('Explorer', input.explorer ? `${gateway}/` : 'off (GATEWAY_EXPLORER=false)'),
    row('Graph map', input.explorer ? `${gateway}/graph-map  (JSON: ${gateway}/graph-map.json)` : 'off (GATEWAY_EXPLORER=false)'),
    row('Health', `${gateway}/health/live  ${gateway}/health/ready`),
    row('Metrics', `${gateway}/metrics`),
    ...input.subgraphs.map((s, i) => row(i === 0 ? 'Subgraphs' : '', `${s.name.padEnd(9)} ${local(s.url)}  (metrics: ${origin(s.url)}/metrics)`)),
    ...input.emulators.map((e, i) => row(i === 0 ? 'Emulators' : '', `${e.name.padEnd(18)} ${local(e.url)}`)),
    row('Emulator data', input.dataDir),
  ];
  return lines.join('\n');
}
