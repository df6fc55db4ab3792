/**
 * What `npm start` and the gateway's own main print about access: a
 * ready-to-use development token when the public development secret is in use,
 * or a loud warning when authentication is off.
 */
import { parse } from 'graphql';
import { declaredScopes, readScopeRequirements } from '../../../lib/requiresScopes.js';
import type { GatewayConfig } from '../config.js';
import { readSupergraph } from '../supergraph.js';
import { issueToken } from './authenticate.js';

function supergraphScopes(config: GatewayConfig): string[] {
  return declaredScopes(readScopeRequirements(parse(readSupergraph(config.supergraphPath))));
}

/**
 * A 12-hour token with every scope, only while the public development secret is
 * in use (development only: production refuses that secret); otherwise null.
 */
export async function developmentToken(config: GatewayConfig): Promise<string | null> {
  const auth = config.auth;
  if (auth.mode !== 'hs256' || !auth.developmentSecret) return null;
  return issueToken(auth.secret, { issuer: auth.issuer, audience: auth.audience, scopes: supergraphScopes(config), subject: 'developer', expiresIn: '12h' });
}

export async function describeAccess(config: GatewayConfig, graphqlUrl: string): Promise<string> {
  const scopes = supergraphScopes(config);
  const auth = config.auth;
  if (auth.mode === 'off') {
    return [
      '',
      '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '  !!  AUTHENTICATION IS OFF (AUTH_MODE=off): anyone who can reach this port   !!',
      '  !!  reads everything, with every scope. Development only; production       !!',
      '  !!  refuses to start like this. Set AUTH_MODE=hs256 or jwks to turn it on.   !!',
      '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '',
    ].join('\n');
  }
  const checks = `issuer "${auth.issuer}", audience "${auth.audience}", scopes in the "${auth.scopeClaim}" claim`;
  if (auth.mode === 'jwks') return `  Bearer tokens required: ${checks}, keys from ${auth.jwksUrl ?? auth.jwksFile}.`;
  if (!auth.developmentSecret) return `  Bearer tokens required: HS256 with AUTH_JWT_SECRET, ${checks}.`;
  const token = await developmentToken(config);
  return `
  Bearer tokens required (HS256, the public DEVELOPMENT secret — set AUTH_JWT_SECRET for anything else).
  A development token, valid 12 hours, with every scope (${scopes.join(', ')}):

    ${token}

  The explorer at / comes with it filled in (its "Headers" tab); elsewhere send:
    { "Authorization": "Bearer ${token}" }
  With curl:
    curl -H 'content-type: application/json' -H 'authorization: Bearer <token above>' \\
         -d '{"query":"{ customers(first: 1) { nodes { legalName creditLimit { amount } } } }"}' ${graphqlUrl}
`;
}
