/**
 * The gateway's settings: read once from the environment, validated, and passed
 * down as one typed object. Nothing else in the gateway reads `process.env`.
 */
import { resolve } from 'node:path';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { envSettings } from '../../lib/settings.js';

export interface GatewayConfig {
  /** Port to listen on; 0 picks a free one. Defaults to 4000. */
  port: number;
  /** Interface to bind. Defaults to 127.0.0.1. */
  host: string;
  /** The composed supergraph file. Defaults to schema/supergraph.graphql. */
  supergraphPath: string;
  /** Subgraph URLs that replace the ones composed into the supergraph, by subgraph name. Defaults to none. */
  subgraphUrls: Record<string, string>;
  /** Development mode shows unmasked errors. Defaults to true unless NODE_ENV=production. */
  development: boolean;
  /** Whether the schema explorer is served at `/`. Defaults to true. */
  explorer: boolean;
  /** Whether introspection queries are answered. Defaults to true. */
  introspection: boolean;
  /** Largest request body accepted, in bytes. Defaults to 1 MiB. */
  maxBodyBytes: number;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const s = envSettings(env);
  const development = env.NODE_ENV !== 'production';
  const subgraphUrls: Record<string, string> = {};
  const erp = s.optionalUrl('ERP_SUBGRAPH_URL');
  const crm = s.optionalUrl('CRM_SUBGRAPH_URL');
  if (erp) subgraphUrls.erp = erp;
  if (crm) subgraphUrls.crm = crm;
  return {
    port: s.port('GATEWAY_PORT', 4000),
    host: s.string('GATEWAY_HOST', '127.0.0.1'),
    supergraphPath: resolve(repoRoot, s.string('SUPERGRAPH_PATH', 'schema/supergraph.graphql')),
    subgraphUrls,
    development,
    explorer: s.boolean('GATEWAY_EXPLORER', true),
    introspection: s.boolean('GATEWAY_INTROSPECTION', true),
    maxBodyBytes: s.integer('GATEWAY_MAX_BODY_BYTES', 1024 * 1024, { min: 1024 }),
  };
}
