import { readFileSync } from 'node:fs';

/** Reads the composed supergraph, with an error that says how to make it when it is missing. */
export function readSupergraph(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Expected the composed supergraph at ${path}, but it could not be read (${(error as Error).message}). Run \`npm run compose\` to build it.`,
      { cause: error },
    );
  }
}

/** The subgraph names and URLs composed into a supergraph (`@join__graph(name:, url:)`). */
export function composedSubgraphs(supergraphSdl: string): { name: string; url: string }[] {
  return [...supergraphSdl.matchAll(/@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]*)"\)/g)].map((m) => ({ name: m[1]!, url: m[2]! }));
}

const REQUIRES_SCOPES_LINK = /(@link\(url:\s*"https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.\d+")\s*,\s*for:\s*SECURITY\s*\)/;

/**
 * @apollo/gateway refuses a supergraph with a `for: SECURITY` feature it does
 * not enforce, and it does not enforce `@requiresScopes`. This gateway does
 * (plugins/useFieldAuthorization.ts), so that one link is handed to
 * @apollo/gateway as an ordinary feature. Any other security feature
 * (`@authenticated`, `@policy`) still stops the gateway, as it should until
 * something here enforces it.
 */
export function withRequiresScopesEnforcedHere(supergraphSdl: string): string {
  return supergraphSdl.replace(REQUIRES_SCOPES_LINK, '$1)');
}
