import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, createAuthenticator, issueToken } from '../../gateway/src/auth/authenticate.js';
import type { AuthConfig } from '../../gateway/src/config.js';

const checks = { issuer: 'https://issuer.test', audience: 'graph', clockToleranceSeconds: 0, scopeClaim: 'scope' };
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
      config = { mode: 'jwks', jwksFile: file, ...checks };
    } else {
      config = { mode: 'jwks', jwksUrl, ...checks };
    }
    const authenticate = createAuthenticator(config, []);
    expect(await authenticate(`Bearer ${await sign(privateKey)}`)).toEqual({ subject: 'bob', scopes: new Set(['hr:read']) });
    await expect(authenticate(`Bearer ${await sign(otherKey)}`)).rejects.toThrow(/signature does not verify|no key matches/);
    // An HS256 token "signed" with the public key must not pass (algorithm confusion).
    const confused = await issueToken('x'.repeat(40), { issuer: checks.issuer, audience: 'graph', scopes: [] });
    await expect(authenticate(`Bearer ${confused}`)).rejects.toBeInstanceOf(AuthenticationError);
  });
});
