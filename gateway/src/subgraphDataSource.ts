/**
 * How the gateway calls a subgraph: forwards the caller's scopes and signs the
 * exact request bytes with the internal shared secret (lib/internalAuth.ts),
 * so the subgraph knows the request comes from the gateway and can enforce
 * `@requiresScopes` itself.
 */
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { CALLER_SCOPES_HEADER, formatScopes, INTERNAL_AUTH_HEADER, signInternalRequest } from '../../lib/internalAuth.js';
import { CACHE_TAGS_HEADER } from '../../lib/cache/responseCacheability.js';
import type { GatewayContext } from './context.js';

type WillSendRequestOptions = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0];
type DidReceiveResponseOptions = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0];

export class SignedSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** `fetcher` defaults to Apollo's; the gateway passes a kept-alive connection pool (lib/keepAliveFetch.ts). */
  constructor(options: { url: string; internalSecret: string | undefined; fetcher?: Fetcher }) {
    super({ url: options.url, ...(options.fetcher ? { fetcher: options.fetcher } : {}) });
    const { internalSecret } = options;
    if (internalSecret !== undefined) {
      const send = this.fetcher;
      // The body is serialised after willSendRequest, so the signature is made here, over the bytes that go out.
      this.fetcher = (url, init) => {
        const headers = { ...(init?.headers as Record<string, string> | undefined) };
        delete headers[INTERNAL_AUTH_HEADER];
        const scopes = (headers[CALLER_SCOPES_HEADER] ?? '').split(' ').filter(Boolean);
        const signed = signInternalRequest(internalSecret, typeof init?.body === 'string' ? init.body : '', scopes);
        return send(url, { ...init, headers: { ...headers, ...signed } });
      };
    }
  }

  override willSendRequest({ request, context }: WillSendRequestOptions): void {
    // Gateway-internal requests (health checks) have no caller and so no scopes.
    const scopes = (context as Partial<GatewayContext> | undefined)?.caller?.scopes ?? [];
    request.http?.headers.set(CALLER_SCOPES_HEADER, formatScopes(scopes));
  }

  override didReceiveResponse({ response, context }: DidReceiveResponseOptions) {
    // Whether the answer may be cached is Apollo's overall cache policy (from Cache-Control); what it was made of is here.
    const tags = response.http?.headers.get(CACHE_TAGS_HEADER);
    if (tags) for (const tag of tags.split(' ')) if (tag) (context as Partial<GatewayContext>).cacheTags?.add(tag);
    return response;
  }
}
