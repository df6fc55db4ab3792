/**
 * OAuth 2.0 token endpoint and bearer-token sessions. Sessions are stored in the
 * database so that a client holding a token keeps working across emulator
 * restarts, as tokens do across Salesforce maintenance.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { caseSafeSuffix } from '../seed/salesforceId.js';

/** The emulated org's id (key prefix 00D), fixed so ids in identity URLs are stable. */
const ORG_ID15 = '00D5g000008ERPC';
export const ORG_ID = ORG_ID15 + caseSafeSuffix(ORG_ID15);

export interface Credentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

export interface TokenResponse {
  access_token: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  issued_at: string;
  signature: string;
}

export type TokenResult = { ok: true; body: TokenResponse } | { ok: false; status: number; body: { error: string; error_description: string } };

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Sessions {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly db: Database.Database,
    private readonly credentials: Credentials,
    private readonly integrationUserId: string,
  ) {}

  /**
   * Handles `POST /services/oauth2/token`. `params` holds the form fields;
   * `basic` the decoded HTTP Basic credentials, which clients may use for the client.
   */
  token(params: URLSearchParams, basic: { user: string; pass: string } | null, instanceUrl: string): TokenResult {
    const fail = (error: string, error_description: string): TokenResult => ({ ok: false, status: 400, body: { error, error_description } });
    const grant = params.get('grant_type');
    if (grant !== 'password' && grant !== 'client_credentials') return fail('unsupported_grant_type', 'grant type not supported');
    const clientId = params.get('client_id') ?? basic?.user ?? '';
    const clientSecret = params.get('client_secret') ?? basic?.pass ?? '';
    if (!same(clientId, this.credentials.clientId)) return fail('invalid_client_id', 'client identifier invalid');
    if (!same(clientSecret, this.credentials.clientSecret)) return fail('invalid_client', 'invalid client credentials');
    if (grant === 'password') {
      const username = params.get('username') ?? '';
      const password = params.get('password') ?? '';
      // Salesforce also accepts the password with the user's security token appended.
      const passwordOk = same(password, this.credentials.password) || password.startsWith(this.credentials.password);
      if (username.toLowerCase() !== this.credentials.username.toLowerCase() || !passwordOk) {
        return fail('invalid_grant', 'authentication failure');
      }
    }
    const issuedAt = String(Date.now());
    const token = `${ORG_ID15}!${randomBytes(48).toString('base64url')}`;
    this.db
      .prepare('INSERT INTO _session (token, user_id, client_id, issued_at) VALUES (?, ?, ?, ?)')
      .run(token, this.integrationUserId, clientId, Number(issuedAt));
    this.cache.set(token, this.integrationUserId);
    const id = `${instanceUrl}/id/${ORG_ID}/${this.integrationUserId}`;
    const signature = createHmac('sha256', this.credentials.clientSecret)
      .update(id + issuedAt)
      .digest('base64');
    return { ok: true, body: { access_token: token, instance_url: instanceUrl, id, token_type: 'Bearer', issued_at: issuedAt, signature } };
  }

  /** The user id a bearer token belongs to, or undefined. */
  userFor(token: string): string | undefined {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const row = this.db.prepare('SELECT user_id FROM _session WHERE token = ?').get(token) as { user_id: string } | undefined;
    if (row) this.cache.set(token, row.user_id);
    return row?.user_id;
  }

  revoke(token: string): void {
    this.cache.delete(token);
    this.db.prepare('DELETE FROM _session WHERE token = ?').run(token);
  }
}
