/** Tokens and environments for suites that run the stack with authentication on. */
import { issueToken } from '../../gateway/src/auth/authenticate.js';

export const TEST_JWT_SECRET = 'test-only-secret-0123456789abcdef0123456789';
export const TEST_ISSUER = 'https://issuer.test';
export const TEST_AUDIENCE = 'erp-crm-graph';
export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdef0123';
export const ALL_SCOPES = ['cost:read', 'finance:read', 'hr:read'];

/** Stack environment with HS256 bearer tokens required. */
export function authEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AUTH_MODE: 'hs256',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    INTERNAL_SHARED_SECRET: TEST_INTERNAL_SECRET,
    ...extra,
  };
}

export function token(
  scopes: readonly string[],
  overrides: { issuer?: string; audience?: string; expiresIn?: string | number; secret?: string } = {},
): Promise<string> {
  return issueToken(overrides.secret ?? TEST_JWT_SECRET, {
    issuer: overrides.issuer ?? TEST_ISSUER,
    audience: overrides.audience ?? TEST_AUDIENCE,
    scopes,
    subject: 'test-user',
    expiresIn: overrides.expiresIn,
  });
}

export interface RawAnswer {
  status: number;
  body: any;
  headers: Headers;
}

/** POSTs a GraphQL request and returns status, parsed body (or text) and headers. */
export async function post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the test sees the text.
  }
  return { status: response.status, body, headers: response.headers };
}
