/**
 * Bearer-token authentication at the gateway: a JWT checked with `jose`
 * against a shared secret (HS256) or a JWKS (a URL or a file), with issuer,
 * audience and expiry verified. The token's scopes decide which
 * `@requiresScopes` fields the caller may read.
 */
import { createHash } from 'node:crypto';
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

/**
 * The token could not be checked at all, because the key set at AUTH_JWKS_URL could not be fetched:
 * answered with 503 AUTHENTICATION_UNAVAILABLE, so a client is not told its token is bad and does not
 * throw away a good one. The cause says what went wrong with the fetch, for the log.
 */
export class AuthenticationUnavailableError extends Error {
  override readonly name = 'AuthenticationUnavailableError';
}

export type Authenticate = (authorization: string | undefined) => Promise<Caller>;

/** Where the authenticator reports trouble with the key set (the gateway's logger). */
export type AuthenticationLog = (message: string, cause?: unknown) => void;

/**
 * `allScopes` is what every caller holds when authentication is off
 * (development only): the graph behaves as it would for a fully trusted user.
 */
export function createAuthenticator(
  config: AuthConfig,
  allScopes: readonly string[],
  log: AuthenticationLog = (message, cause) => console.error(cause ? `${message} ${(cause as Error).message}` : message),
): Authenticate {
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
    try {
      key = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    } catch (error) {
      throw new Error(
        `Expected AUTH_JWKS_FILE ${config.jwksFile} to hold a JSON Web Key Set ({"keys": [...]}), but it is not one: ${(error as Error).message}.`,
        {
          cause: error,
        },
      );
    }
  } else {
    key = fetchedKeySet(config.jwksUrl!, config.jwksCacheSeconds, log);
  }
  const algorithms = config.mode === 'hs256' ? ['HS256'] : ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
  const verified = new VerifiedTokens(config.tokenCacheSeconds, config.clockToleranceSeconds);

  return async (authorization) => {
    if (!authorization) {
      throw new AuthenticationError('Expected an "Authorization: Bearer <token>" header, but the request has none.');
    }
    const match = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i.exec(authorization);
    if (!match) {
      throw new AuthenticationError('Expected the Authorization header to be "Bearer <token>", but it has another form.');
    }
    const token = match[1]!;
    const known = verified.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (error instanceof AuthenticationUnavailableError) throw error;
      throw new AuthenticationError(describeTokenError(error, config.issuer, config.audience));
    }
    const caller: Caller = { subject: typeof payload.sub === 'string' ? payload.sub : null, scopes: scopesOf(payload[config.scopeClaim]) };
    verified.remember(token, caller, payload.exp!);
    return caller;
  };
}

/** After a failed fetch of the key set, how long until the next try: with keys fetched before, and without. */
const KEY_SET_RETRY_MS = { withKeys: 30_000, withoutKeys: 5_000 };

/**
 * The key set at `url`, fetched when first needed, again after `cacheSeconds`, and sooner for a token
 * whose key id it lacks (jose: at most every 30 s).
 *
 * When a fetch fails, the keys fetched last keep checking tokens, as Apollo Router does: an identity
 * provider's outage does not lock out every caller. A token whose key they lack cannot be judged
 * (its key may be in the set that could not be had), and before any fetch succeeded no token can: both
 * are "unavailable", not refused. Until the next try no fetch is made, so a key-set server that hangs
 * holds one request for jose's 5 s timeout, not every one.
 */
function fetchedKeySet(url: string, cacheSeconds: number, log: AuthenticationLog): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(url), { cacheMaxAge: cacheSeconds * 1000 });
  let failing: { retryAt: number; lastKnown: JWTVerifyGetKey | null; cause: unknown } | null = null;

  const unavailable = (cause: unknown) => {
    // fetch says only "fetch failed"; why (ECONNREFUSED, ENOTFOUND) is in its cause.
    const why = ((cause as Error).cause as { code?: unknown } | undefined)?.code;
    return new AuthenticationUnavailableError(
      `Expected to check the bearer token against the key set at AUTH_JWKS_URL ${url}, but it could not be fetched: ${(cause as Error).message}${typeof why === 'string' ? ` (${why})` : ''}.`,
      { cause },
    );
  };
  const withLastKnown = async (state: NonNullable<typeof failing>, header: Parameters<JWTVerifyGetKey>[0], token: Parameters<JWTVerifyGetKey>[1]) => {
    if (!state.lastKnown) throw unavailable(state.cause);
    try {
      return await state.lastKnown(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey) throw unavailable(state.cause);
      throw error;
    }
  };

  return async (header, token) => {
    if (failing && Date.now() < failing.retryAt) return withLastKnown(failing, header, token);
    try {
      // A try after a failure fetches, even if the set jose holds is not yet due: the failure may have been a
      // fetch for a key id it lacked, and "fetched again" should mean it.
      if (failing) await remote.reload();
      const key = await remote(header, token);
      if (failing) log(`The key set at AUTH_JWKS_URL ${url} could be fetched again.`);
      failing = null;
      return key;
    } catch (error) {
      if (!couldNotFetch(error)) throw error;
      const keys = remote.jwks();
      if (!failing) {
        log(
          keys
            ? `Could not fetch the key set at AUTH_JWKS_URL ${url}; tokens are checked against the keys fetched last until it can be.`
            : `Could not fetch the key set at AUTH_JWKS_URL ${url}; no token can be checked until it can be.`,
          error,
        );
      }
      failing = {
        retryAt: Date.now() + (keys ? KEY_SET_RETRY_MS.withKeys : KEY_SET_RETRY_MS.withoutKeys),
        lastKnown: keys ? createLocalJWKSet(keys) : null,
        cause: error,
      };
      return withLastKnown(failing, header, token);
    }
  };
}

/** Whether a key-set error means the set could not be had (ours), rather than that it has no key for the token (the token's). */
function couldNotFetch(error: unknown): boolean {
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) return false;
  return (
    !(error instanceof joseErrors.JOSEError) ||
    error instanceof joseErrors.JWKSTimeout ||
    error instanceof joseErrors.JWKSInvalid ||
    error.code === 'ERR_JOSE_GENERIC'
  );
}

/** How many verified tokens are remembered at most; past it the oldest is forgotten. */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Tokens that passed verification, so a client's next requests with the same token skip the check: with
 * HS256 it cost 0.3–0.5 ms of the gateway's CPU per request here (jose imports the key into WebCrypto on
 * every call). Only verified tokens enter, and each leaves when it expires as jose judges expiry (with the
 * clock tolerance), so a hit never accepts what a fresh check would refuse, except a token whose key left
 * the key set less than `seconds` ago.
 */
class VerifiedTokens {
  // Keyed by a digest, so what is held per token does not grow with the token's size.
  private readonly callers = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly seconds: number,
    private readonly clockToleranceSeconds: number,
  ) {}

  get(token: string): Caller | undefined {
    if (this.seconds === 0) return undefined;
    const digest = digestOf(token);
    const entry = this.callers.get(digest);
    if (!entry) return undefined;
    if (Date.now() < entry.until) return entry.caller;
    this.callers.delete(digest);
    return undefined;
  }

  remember(token: string, caller: Caller, exp: number): void {
    if (this.seconds === 0) return;
    if (this.callers.size >= VERIFIED_TOKENS_KEPT) this.callers.delete(this.callers.keys().next().value!);
    // jose refuses a token once exp + tolerance <= the current whole second; that instant is when this one leaves.
    const until = Math.min(Date.now() + this.seconds * 1000, (exp + this.clockToleranceSeconds) * 1000);
    this.callers.set(digestOf(token), { caller, until });
  }
}

function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('base64');
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
