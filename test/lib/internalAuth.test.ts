import { describe, expect, it } from 'vitest';
import {
  callerScopesOf,
  CALLER_SCOPES_HEADER,
  generateInternalSecret,
  INTERNAL_AUTH_HEADER,
  setCallerScopes,
  signInternalRequest,
  verifyInternalRequest,
} from '../../lib/internalAuth.js';

const secret = generateInternalSecret();
const body = '{"query":"{ __typename }"}';
const reader = (headers: Record<string, string>) => (name: string) => headers[name];

describe('signInternalRequest / verifyInternalRequest', () => {
  it('accepts what it signed and returns the signed scopes', () => {
    const headers = signInternalRequest(secret, body, ['hr:read', 'finance:read', 'hr:read']);
    expect(headers[CALLER_SCOPES_HEADER]).toBe('finance:read hr:read');
    const verdict = verifyInternalRequest(secret, reader(headers), body);
    expect(verdict).toEqual({ ok: true, scopes: new Set(['finance:read', 'hr:read']) });
  });

  it('refuses a missing header, saying subgraphs answer only the gateway', () => {
    const verdict = verifyInternalRequest(secret, reader({}), body);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(/has none\. Subgraphs answer only the gateway/);
  });

  it.each([
    ['another body', (h: Record<string, string>) => ({ headers: h, body: body.replace('__typename', '__schema') })],
    ['added scopes', (h: Record<string, string>) => ({ headers: { ...h, [CALLER_SCOPES_HEADER]: 'finance:read' }, body })],
    ['another secret', () => ({ headers: signInternalRequest(generateInternalSecret(), body, []), body })],
    ['a malformed header', (h: Record<string, string>) => ({ headers: { ...h, [INTERNAL_AUTH_HEADER]: 'v1,t=1,sig=zz' }, body })],
  ])('refuses %s', (_, change) => {
    const { headers, body: sent } = change(signInternalRequest(secret, body, []));
    const verdict = verifyInternalRequest(secret, reader(headers), sent);
    expect(verdict.ok).toBe(false);
    // The reason never carries the secret or a signature.
    expect(JSON.stringify(verdict)).not.toContain(secret);
  });

  it('refuses a signature outside the window, either way in time', () => {
    const now = Date.now();
    for (const at of [now - 31_000, now + 31_000]) {
      const verdict = verifyInternalRequest(secret, reader(signInternalRequest(secret, body, [], at)), body, { now });
      expect(verdict.ok).toBe(false);
      expect(!verdict.ok && verdict.reason).toMatch(/within 30 s/);
    }
    expect(verifyInternalRequest(secret, reader(signInternalRequest(secret, body, [], now - 29_000)), body, { now }).ok).toBe(true);
  });
});

describe('caller scopes on a context', () => {
  it('survive the shallow copy Apollo Server makes of a context, and default to none', () => {
    const context = { loaders: {} };
    setCallerScopes(context, new Set(['hr:read']));
    expect(callerScopesOf(Object.assign(Object.create(null), context))).toEqual(new Set(['hr:read']));
    expect(callerScopesOf({})).toEqual(new Set());
    expect(callerScopesOf(undefined)).toEqual(new Set());
  });
});
