import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError, AuthenticationUnavailableError, createAuthenticator, issueToken } from '../../gateway/src/auth/authenticate.js';
import { loadGatewayConfig, type AuthConfig } from '../../gateway/src/config.js';
import { startGateway } from '../../gateway/src/server.js';
import { captureLogs } from '../observability/helpers.js';

const checks = { issuer: 'https://issuer.test', audience: 'graph', clockToleranceSeconds: 0, scopeClaim: 'scope', tokenCacheSeconds: 0 };
const secret = 'unit-test-secret-0123456789abcdef0123456789';

describe('HS256', () => {
  const authenticate = createAuthenticator({ mode: 'hs256', secret, developmentSecret: false, ...checks }, []);

  it('returns the subject and scopes of a valid token', async () => {
    const token = await issueToken(secret, { issuer: checks.issuer, audience: 'graph', scopes: ['finance:read', 'hr:read'], subject: 'ada' });
    expect(await authenticate(`Bearer ${token}`)).toEqual({ subject: 'ada', scopes: new Set(['finance:read', 'hr:read']) });
  });

  it('reads scopes from an array claim too', async () => {
    const token = await new SignJWT({ scope: ['cost:read'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(checks.issuer)
      .setAudience('graph')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect((await authenticate(`Bearer ${token}`)).scopes).toEqual(new Set(['cost:read']));
  });

  it.each([
    ['no header', undefined, /has none/],
    ['a non-bearer header', 'Basic abc', /Bearer <token>/],
    ['garbage', 'Bearer abc', /JSON Web Token/],
  ])('refuses %s', async (_, header, message) => {
    await expect(authenticate(header)).rejects.toThrow(message);
    await expect(authenticate(header)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('refuses a token without an expiry, and an alg:none token', async () => {
    const noExp = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(checks.issuer)
      .setAudience('graph')
      .sign(new TextEncoder().encode(secret));
    await expect(authenticate(`Bearer ${noExp}`)).rejects.toThrow(/"exp"/);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: checks.issuer, aud: 'graph', exp: 9e9 })).toString('base64url')}.`;
    await expect(authenticate(`Bearer ${none}`)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('grants every given scope when authentication is off', async () => {
    const off = createAuthenticator({ mode: 'off' }, ['a', 'b']);
    expect(await off(undefined)).toEqual({ subject: null, scopes: new Set(['a', 'b']) });
  });
});

describe('JWKS', () => {
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let jwks: { keys: unknown[] };
  let server: ReturnType<typeof createServer>;
  let jwksUrl: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey as CryptoKey;
    otherKey = (await generateKeyPair('RS256')).privateKey as CryptoKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
    server = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (key: CryptoKey) =>
    new SignJWT({ scope: 'hr:read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(checks.issuer)
      .setAudience('graph')
      .setSubject('bob')
      .setExpirationTime('5m')
      .sign(key);

  it.each(['file', 'url'] as const)('verifies tokens against keys from a %s', async (source) => {
    let config: AuthConfig;
    if (source === 'file') {
      const file = join(mkdtempSync(join(tmpdir(), 'jwks-')), 'jwks.json');
      writeFileSync(file, JSON.stringify(jwks));
      config = { mode: 'jwks', jwksFile: file, jwksCacheSeconds: 600, ...checks };
    } else {
      config = { mode: 'jwks', jwksUrl, jwksCacheSeconds: 600, ...checks };
    }
    const authenticate = createAuthenticator(config, []);
    expect(await authenticate(`Bearer ${await sign(privateKey)}`)).toEqual({ subject: 'bob', scopes: new Set(['hr:read']) });
    await expect(authenticate(`Bearer ${await sign(otherKey)}`)).rejects.toThrow(/signature does not verify|no key matches/);
    // An HS256 token "signed" with the public key must not pass (algorithm confusion).
    const confused = await issueToken('x'.repeat(40), { issuer: checks.issuer, audience: 'graph', scopes: [] });
    await expect(authenticate(`Bearer ${confused}`)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('names AUTH_JWKS_FILE when the file holds no key set', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify({ key: 'not a set' }));
    expect(() => createAuthenticator({ mode: 'jwks', jwksFile: file, jwksCacheSeconds: 600, ...checks }, [])).toThrow(
      `Expected AUTH_JWKS_FILE ${file} to hold a JSON Web Key Set ({"keys": [...]}), but it is not one: JSON Web Key Set malformed.`,
    );
  });
});

describe('a key set fetched from AUTH_JWKS_URL', () => {
  let signingKey: CryptoKey;
  let otherSigningKey: CryptoKey;
  let keySet: { keys: unknown[] };
  let otherKeySet: { keys: unknown[] };
  /** What the key set's server answers next: the keys, an error page, or something that is not JSON. */
  let answer: 'keys' | 'other keys' | 'error' | 'not json';
  let fetches = 0;
  let server: ReturnType<typeof createServer>;
  let url: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey as CryptoKey;
    keySet = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'current', alg: 'ES256', use: 'sig' }] };
    const other = await generateKeyPair('ES256');
    otherSigningKey = other.privateKey as CryptoKey;
    otherKeySet = { keys: [{ ...(await exportJWK(other.publicKey)), kid: 'next', alg: 'ES256', use: 'sig' }] };
    server = createServer((_, res) => {
      fetches++;
      if (answer === 'error') res.writeHead(500, { 'content-type': 'text/plain' }).end('identity provider down');
      else if (answer === 'not json') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer === 'keys' ? keySet : otherKeySet));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  beforeEach(() => {
    answer = 'keys';
    fetches = 0;
  });
  afterEach(() => vi.useRealTimers());
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const token = (key = signingKey, kid = 'current') =>
    new SignJWT({ scope: 'finance:read' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(checks.issuer)
      .setAudience('graph')
      .setSubject('ada')
      .setExpirationTime('10m')
      .sign(key);
  const remote = (jwksUrl: string, jwksCacheSeconds = 600) => createAuthenticator({ mode: 'jwks', jwksUrl, jwksCacheSeconds, ...checks }, [], () => undefined);

  it('says no token can be checked before the key set was ever fetched, not that a token is bad, and tries again after 5 s, not per token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const authenticate = remote(url);
    const bearer = `Bearer ${await token()}`;
    answer = 'error';
    const refusal = authenticate(bearer);
    await expect(refusal).rejects.toBeInstanceOf(AuthenticationUnavailableError);
    await expect(refusal).rejects.toThrow(
      `Expected to check the bearer token against the key set at AUTH_JWKS_URL ${url}, but it could not be fetched: Expected 200 OK from the JSON Web Key Set HTTP response.`,
    );
    answer = 'keys';
    await expect(authenticate(bearer)).rejects.toBeInstanceOf(AuthenticationUnavailableError);
    expect(fetches).toBe(1);
    vi.setSystemTime(Date.now() + 5_000);
    expect(await authenticate(bearer)).toEqual({ subject: 'ada', scopes: new Set(['finance:read']) });
    expect(fetches).toBe(2);

    answer = 'not json';
    await expect(remote(url)(bearer)).rejects.toThrow(/could not be fetched: Failed to parse the JSON Web Key Set HTTP response as JSON\./);
    // Nothing listens there: the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(remote(closedUrl)(bearer)).rejects.toThrow(
      new AuthenticationUnavailableError(
        `Expected to check the bearer token against the key set at AUTH_JWKS_URL ${closedUrl}, but it could not be fetched: fetch failed (ECONNREFUSED).`,
      ),
    );
    // A key set that was fetched and has no key for the token: that is the token's problem.
    answer = 'other keys';
    await expect(remote(url)(bearer)).rejects.toThrow(
      new AuthenticationError('Expected a token signed by a key in the configured key set, but no key matches.'),
    );
  });

  it('keeps checking tokens against the keys fetched last while the set cannot be fetched again, and logs the outage and its end once each', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const logged: string[] = [];
    const authenticate = createAuthenticator({ mode: 'jwks', jwksUrl: url, jwksCacheSeconds: 60, ...checks }, [], (message, cause) =>
      logged.push(`${message}${cause ? ` (${(cause as Error).message})` : ''}`),
    );
    const bearer = `Bearer ${await token()}`;
    expect((await authenticate(bearer)).subject).toBe('ada');

    answer = 'error';
    vi.setSystemTime(Date.now() + 61_000);
    expect((await authenticate(bearer)).subject).toBe('ada');
    expect((await authenticate(bearer)).subject).toBe('ada');
    expect(fetches).toBe(2);
    // Signed with a key the old set lacks: perhaps in the set that could not be had, so not refused.
    await expect(authenticate(`Bearer ${await token(otherSigningKey, 'next')}`)).rejects.toBeInstanceOf(AuthenticationUnavailableError);
    expect(logged).toEqual([
      `Could not fetch the key set at AUTH_JWKS_URL ${url}; tokens are checked against the keys fetched last until it can be. (Expected 200 OK from the JSON Web Key Set HTTP response)`,
    ]);

    answer = 'keys';
    vi.setSystemTime(Date.now() + 30_000);
    expect((await authenticate(bearer)).subject).toBe('ada');
    expect(fetches).toBe(3);
    expect(logged.slice(1)).toEqual([`The key set at AUTH_JWKS_URL ${url} could be fetched again.`]);
  });

  it('fetches the key set again after AUTH_JWKS_CACHE_SECONDS, so a key taken out of it stops vouching for tokens', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const authenticate = remote(url, 120);
    const bearer = `Bearer ${await token()}`;
    expect((await authenticate(bearer)).subject).toBe('ada');
    answer = 'other keys';
    vi.setSystemTime(Date.now() + 119_000);
    expect((await authenticate(bearer)).subject).toBe('ada');
    expect(fetches).toBe(1);
    vi.setSystemTime(Date.now() + 2_000);
    await expect(authenticate(bearer)).rejects.toThrow(/no key matches/);
    expect(fetches).toBe(2);
  });

  it('answers 503 AUTHENTICATION_UNAVAILABLE at the gateway, with Retry-After, and logs where the fetch failed', async () => {
    answer = 'error';
    const logs = captureLogs();
    const gateway = await startGateway(
      loadGatewayConfig({
        GATEWAY_PORT: '0',
        INTERNAL_SHARED_SECRET: 'internal-secret-0123456789abcdef0123',
        AUTH_MODE: 'jwks',
        AUTH_JWKS_URL: url,
        AUTH_ISSUER: checks.issuer,
        AUTH_AUDIENCE: 'graph',
      }),
      { logDestination: logs.destination },
    );
    try {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors).toEqual([
        {
          message: 'The bearer token cannot be checked right now: the key set it is checked against is unavailable. Try again shortly.',
          extensions: { code: 'AUTHENTICATION_UNAVAILABLE' },
        },
      ]);
      expect(logs.lines).toContainEqual(
        expect.objectContaining({ level: 'error', msg: `Could not fetch the key set at AUTH_JWKS_URL ${url}; no token can be checked until it can be.` }),
      );
    } finally {
      await gateway.stop();
    }
  });
});

// Counts the signature checks the authenticator makes, while they still run for real.
vi.mock('jose', async (importOriginal) => {
  const actual = await importOriginal<typeof import('jose')>();
  return { ...actual, jwtVerify: vi.fn(actual.jwtVerify) };
});

describe('verified tokens remembered', () => {
  const verifications = vi.mocked(jose.jwtVerify);
  const cached = (tokenCacheSeconds: number, clockToleranceSeconds = 0) =>
    createAuthenticator({ mode: 'hs256', secret, developmentSecret: false, ...checks, clockToleranceSeconds, tokenCacheSeconds }, []);
  const token = (expiresIn: string | number, scopes = ['finance:read'], subject = 'ada') =>
    issueToken(secret, { issuer: checks.issuer, audience: 'graph', scopes, subject, expiresIn });

  beforeEach(() => {
    verifications.mockClear();
  });
  afterEach(() => vi.useRealTimers());

  it("answers a token's next requests without checking it again, each token for its own caller", async () => {
    const authenticate = cached(60);
    const [ada, bob] = [await token('1h'), await token('1h', ['hr:read'], 'bob')];
    expect(await authenticate(`Bearer ${ada}`)).toEqual({ subject: 'ada', scopes: new Set(['finance:read']) });
    expect(await authenticate(`Bearer ${ada}`)).toEqual({ subject: 'ada', scopes: new Set(['finance:read']) });
    expect(await authenticate(`bearer  ${ada} `)).toEqual({ subject: 'ada', scopes: new Set(['finance:read']) });
    expect(await authenticate(`Bearer ${bob}`)).toEqual({ subject: 'bob', scopes: new Set(['hr:read']) });
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('checks every request when the cache is off, and never remembers a refused token', async () => {
    const off = cached(0);
    const ada = await token('1h');
    await off(`Bearer ${ada}`);
    await off(`Bearer ${ada}`);
    expect(verifications).toHaveBeenCalledTimes(2);

    const authenticate = cached(60);
    const forged = `${ada.slice(0, ada.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    await expect(authenticate(`Bearer ${forged}`)).rejects.toThrow(/signature does not verify/);
    await expect(authenticate(`Bearer ${forged}`)).rejects.toThrow(/signature does not verify/);
    expect(verifications).toHaveBeenCalledTimes(4);
  });

  it('checks a token again after AUTH_TOKEN_CACHE_SECONDS', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const authenticate = cached(60);
    const ada = await token('1h');
    await authenticate(`Bearer ${ada}`);
    vi.advanceTimersByTime(59_000);
    await authenticate(`Bearer ${ada}`);
    expect(verifications).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    await authenticate(`Bearer ${ada}`);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('refuses a remembered token once it expires, with the clock tolerance jose allows, and says it expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Math.floor(Date.now() / 1000) * 1000 });
    const authenticate = cached(3600, 5);
    const exp = Math.floor(Date.now() / 1000) + 10;
    const ada = await token(exp);
    await authenticate(`Bearer ${ada}`);
    // Expiry plus tolerance is 15 s away: still valid a moment before it, as a fresh check would say.
    vi.setSystemTime((exp + 5) * 1000 - 1);
    await expect(authenticate(`Bearer ${ada}`)).resolves.toMatchObject({ subject: 'ada' });
    expect(verifications).toHaveBeenCalledTimes(1);
    vi.setSystemTime((exp + 5) * 1000);
    await expect(authenticate(`Bearer ${ada}`)).rejects.toThrow('Expected an unexpired bearer token, but this one has expired.');
    expect(verifications).toHaveBeenCalledTimes(2);
  });
});
