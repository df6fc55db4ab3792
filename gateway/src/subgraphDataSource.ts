/**
 * How the gateway calls a subgraph: forwards the caller's scopes, so the
 * subgraph can enforce `@requiresScopes` itself, and collects the cache tags
 * its answer was made of. The request is signed by the fetcher, over the exact
 * bytes that go out (lib/keepAliveFetch.ts, lib/internalAuth.ts), after any
 * batching, so the subgraph knows it comes from the gateway.
 */
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { CALLER_SCOPES_HEADER, formatScopes } from '../../lib/internalAuth.js';
import { CACHE_TAGS_HEADER } from '../../lib/cache/responseCacheability.js';
import type { GatewayContext } from './context.js';

type WillSendRequestOptions = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0];
type DidReceiveResponseOptions = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0];

export class ScopedSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
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
