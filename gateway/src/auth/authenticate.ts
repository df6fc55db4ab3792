/**
 * Bearer-token authentication at the gateway: a JWT checked with `jose`
 * against a shared secret (HS256) or a JWKS (a URL or a file), with issuer,
 * audience and expiry verified. The token's scopes decide which
 * `@requiresScopes` fields the caller may read.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config.js';

export interface Caller {
  /** The token's `sub`; null when authentication is off. */
  subject: string | null;
  scopes: ReadonlySet<string>;
}

/** The request cannot be attributed to a caller: answered with 401 UNAUTHENTICATED. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

export type Authenticate = (authorization: string | undefined) => Promise<Caller>;

/**
 * `allScopes` is what every caller holds when authentication is off
 * (development only): the graph behaves as it would for a fully trusted user.
 */
export function createAuthenticator(config: AuthConfig, allScopes: readonly string[]): Authenticate {
  if (config.mode === 'off') {
    const caller: Caller = { subject: null, scopes: new Set(allScopes) };
    return async () => caller;
  }
  let key: Uint8Array | JWTVerifyGetKey;
  if (config.mode === 'hs256') {
    key = new TextEncoder().encode(config.secret);
  } else if (config.jwksFile) {
    let jwks: unknown;
    try {
      jwks = JSON.parse(readFileSync(config.jwksFile, 'utf8'));
    } catch (error) {
      throw new Error(`Expected a JSON Web Key Set at AUTH_JWKS_FILE ${config.jwksFile}, but it could not be read (${(error as Error).message}).`, {
        cause: error,
      });
    }
    key = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
  } else {
    key = createRemoteJWKSet(new URL(config.jwksUrl!));
  }
  const algorithms = config.mode === 'hs256' ? ['HS256'] : ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

  return async (authorization) => {
    if (!authorization) {
      throw new AuthenticationError('Expected an "Authorization: Bearer <token>" header, but the request has none.');
    }
    const match = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i.exec(authorization);
    if (!match) {
      throw new AuthenticationError('Expected the Authorization header to be "Bearer <token>", but it has another form.');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, key as Uint8Array, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw new AuthenticationError(describeTokenError(error, config.issuer, config.audience));
    }
    return { subject: typeof payload.sub === 'string' ? payload.sub : null, scopes: scopesOf(payload[config.scopeClaim]) };
  };
}

// Private: OAuth puts scopes in one space-separated string; some issuers use an array (`scp`).
function scopesOf(claim: unknown): Set<string> {
  if (typeof claim === 'string') return new Set(claim.split(/\s+/).filter(Boolean));
  if (Array.isArray(claim)) return new Set(claim.filter((s): s is string => typeof s === 'string'));
  return new Set();
}

// Private: what was expected and what arrived, never the token itself.
function describeTokenError(error: unknown, issuer: string, audience: string): string {
  if (error instanceof joseErrors.JWTExpired) return 'Expected an unexpired bearer token, but this one has expired. Request a new token.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return `Expected a token issued by "${issuer}", but it was issued by someone else.`;
    if (error.claim === 'aud') return `Expected a token for the audience "${audience}", but it is for another audience.`;
    if (error.claim === 'nbf') return 'Expected a token that is already valid, but its "nbf" lies in the future.';
    return `Expected a valid "${error.claim}" claim in the token, but it failed its check: ${error.reason}.`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'Expected a token signed with the configured key, but its signature does not verify.';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'Expected a token signed with an accepted algorithm, but it uses another one.';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'Expected a token signed by a key in the configured key set, but no key matches.';
  if (error instanceof joseErrors.JWKSTimeout || (error instanceof joseErrors.JOSEError && error.code === 'ERR_JWKS_INVALID')) {
    return 'Expected to check the token against the configured key set, but the key set could not be fetched.';
  }
  return 'Expected a well-formed JSON Web Token, but the bearer token could not be read as one.';
}

/**
 * A token for development, signed with the development secret: every scope,
 * valid for `hours`. `npm start` prints one; tests use it too.
 */
export async function issueToken(
  secret: string,
  claims: { issuer: string; audience: string; scopes: readonly string[]; subject?: string; expiresIn?: string | number },
): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ scope: claims.scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setSubject(claims.subject ?? 'developer')
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(secret));
}
