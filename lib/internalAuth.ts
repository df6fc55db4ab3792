/**
 * Requests from the gateway to a subgraph carry a signature, so a subgraph
 * answers only the gateway: HMAC-SHA256 with a shared secret over a timestamp,
 * the caller's scopes and the exact body bytes. The timestamp bounds how long a
 * captured request can be replayed; the scopes are signed so that nobody on the
 * way can grant themselves more.
 *
 *   x-internal-auth:  v1,t=<unix ms>,sig=<hex>
 *   x-caller-scopes:  finance:read hr:read
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const INTERNAL_AUTH_HEADER = 'x-internal-auth';
export const CALLER_SCOPES_HEADER = 'x-caller-scopes';

/** How far a signature's timestamp may be from the receiver's clock. Defaults to 30 seconds. */
export const DEFAULT_SIGNATURE_WINDOW_MS = 30_000;

/** A random secret for one process tree (scripts/stack.ts), when none is configured. */
export function generateInternalSecret(): string {
  return randomBytes(32).toString('base64url');
}

function signature(secret: string, timestamp: number, scopes: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${scopes}\n${body}`).digest('hex');
}

/** Canonical form of a scope list: sorted, unique, space-separated (as in an OAuth `scope` claim). */
export function formatScopes(scopes: Iterable<string>): string {
  return [...new Set(scopes)].sort().join(' ');
}

/** The headers that make `body` acceptable to a subgraph sharing `secret`. */
export function signInternalRequest(secret: string, body: string, scopes: Iterable<string>, now = Date.now()): Record<string, string> {
  const scopeHeader = formatScopes(scopes);
  return {
    [INTERNAL_AUTH_HEADER]: `v1,t=${now},sig=${signature(secret, now, scopeHeader, body)}`,
    [CALLER_SCOPES_HEADER]: scopeHeader,
  };
}

/** The signature for `body` sent with `headers`, which already carry the caller's scopes (`x-caller-scopes`). */
export function signForwardedRequest(secret: string, body: string, headers: Readonly<Record<string, string>>): Record<string, string> {
  return signInternalRequest(secret, body, (headers[CALLER_SCOPES_HEADER] ?? '').split(' ').filter(Boolean));
}

export type InternalVerification = { ok: true; scopes: Set<string> } | { ok: false; reason: string };

/**
 * Checks a request's signature. `header` reads a request header by lower-case
 * name. The reason on failure is safe to send back: it never contains the
 * secret or the expected signature.
 */
export function verifyInternalRequest(
  secret: string,
  header: (name: string) => string | undefined,
  body: string,
  options: { now?: number; windowMs?: number } = {},
): InternalVerification {
  const now = options.now ?? Date.now();
  const windowMs = options.windowMs ?? DEFAULT_SIGNATURE_WINDOW_MS;
  const value = header(INTERNAL_AUTH_HEADER);
  if (!value)
    return {
      ok: false,
      reason: `Expected a signed "${INTERNAL_AUTH_HEADER}" header from the gateway, but the request has none. Subgraphs answer only the gateway.`,
    };
  const match = /^v1,t=(\d{1,15}),sig=([0-9a-f]{64})$/.exec(value.trim());
  if (!match)
    return { ok: false, reason: `Expected the "${INTERNAL_AUTH_HEADER}" header in the form "v1,t=<ms>,sig=<64 hex digits>", but it has another form.` };
  const timestamp = Number(match[1]);
  if (Math.abs(now - timestamp) > windowMs) {
    return {
      ok: false,
      reason: `Expected a signature made within ${windowMs / 1000} s, but this one is ${Math.round((now - timestamp) / 1000)} s old: it has expired or the clocks disagree.`,
    };
  }
  const scopes = header(CALLER_SCOPES_HEADER) ?? '';
  const expected = Buffer.from(signature(secret, timestamp, scopes, body), 'hex');
  const actual = Buffer.from(match[2]!, 'hex');
  // Constant-time, so the signature cannot be guessed byte by byte from response times.
  if (!timingSafeEqual(expected, actual)) {
    return { ok: false, reason: 'Expected a signature made with the shared secret over this exact body, but it does not match.' };
  }
  return { ok: true, scopes: new Set(scopes.split(' ').filter(Boolean)) };
}

// Private: the caller's scopes travel beside a subgraph's own context fields,
// under a symbol, so each subgraph keeps its own context type and resolvers
// cannot set them by accident. A symbol-keyed property (not a WeakMap) because
// Apollo Server copies the context object for each operation of a request.
const CALLER_SCOPES = Symbol('callerScopes');

export function setCallerScopes(context: object, scopes: ReadonlySet<string>): void {
  (context as { [CALLER_SCOPES]?: ReadonlySet<string> })[CALLER_SCOPES] = scopes;
}

/** The scopes a request's caller holds; none when the request was not attributed to a caller. */
export function callerScopesOf(context: unknown): ReadonlySet<string> {
  return (typeof context === 'object' && context !== null && (context as { [CALLER_SCOPES]?: ReadonlySet<string> })[CALLER_SCOPES]) || new Set();
}
