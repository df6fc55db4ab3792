/**
 * Whole answers to queries, kept in each replica's memory and dropped the
 * moment a native change makes any part of them stale.
 *
 * An answer is stored only when every subgraph that contributed to it said it
 * may be (`Cache-Control: private, max-age=N`, lib/cache/responseCacheability.ts):
 * everything in it came from the entity cache, whose types have invalidation
 * feeds. The subgraphs list those types in `X-Cache-Tags`; the answer is kept
 * under all of them, for the shortest max-age any subgraph gave (Apollo's
 * overall cache policy), and dropped when an invalidation for any of its types
 * arrives over the invalidation bus — the same Redis pub/sub messages that drop
 * entity-cache entries, so every replica hears them. While the bus may be
 * missing messages (its Redis connection was lost), nothing is kept: every
 * answer is dropped when that starts and again when it ends. A report, a
 * mutation, an answer with errors, or one made from any read without an
 * invalidation feed is never stored.
 *
 * Answers are keyed by the operation, its variables and the caller (subject and
 * scopes), so one caller's answer is never served to another.
 */
import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import type { Invalidation } from '../../lib/cache/types.js';
import type { ResponseCacheCounts } from '../../lib/observability/metrics.js';
import type { GatewayContext } from './context.js';

export interface ResponseCacheOptions {
  /** Most answers kept; the least recently used go first. */
  maxEntries: number;
  /** Most characters of answer JSON kept in all (about as many bytes: answers are mostly ASCII); the least recently used go first. */
  maxChars: number;
  /** Subscribes to invalidations (every replica's, over Redis), and to whether they are heard; returns the unsubscribe. */
  subscribe(listener: (event: Invalidation) => void, onHearing: (hearing: boolean) => void): () => void;
}

interface Entry {
  /** The answer as JSON: each hit parses its own copy, so no later plugin can change the stored one. */
  body: string;
  tags: readonly string[];
  expiresAt: number;
}

export interface ResponseCache {
  plugin(): ApolloServerPlugin<GatewayContext>;
  stats(): ResponseCacheCounts;
  close(): void;
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  // Map order is insertion order: a hit re-inserts its entry, so the first key is the least recently used.
  const entries = new Map<string, Entry>();
  const keysByTag = new Map<string, Set<string>>();
  // Invalidations so far, and the count at which each tag was last invalidated: an answer whose reads began
  // before an invalidation of one of its tags may hold what that change replaced, so it is not stored.
  let invalidations = 0;
  const invalidatedAt = new Map<string, number>();
  const stats = { hits: 0, misses: 0, stored: 0, invalidated: 0 };
  let chars = 0;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    chars -= entry.body.length;
    for (const tag of entry.tags) keysByTag.get(tag)?.delete(key);
  };

  // False while invalidations may go unheard; the count at which that last started or ended, for answers in flight.
  let hearing = true;
  let everythingInvalidatedAt = 0;

  const unsubscribe = options.subscribe(
    (event) => {
      invalidations++;
      invalidatedAt.set(event.type, invalidations);
      const keys = keysByTag.get(event.type);
      if (!keys) return;
      // Any change to a type drops every answer made from it: an answer holds pages and lists, not only the keys named.
      for (const key of [...keys]) {
        remove(key);
        stats.invalidated++;
      }
      keysByTag.delete(event.type);
    },
    (nowHearing) => {
      // Any answer may hold what a change nobody heard of replaced.
      hearing = nowHearing;
      everythingInvalidatedAt = ++invalidations;
      stats.invalidated += entries.size;
      entries.clear();
      keysByTag.clear();
      chars = 0;
    },
  );

  const lookup = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      remove(key);
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    return entry;
  };

  const store = (key: string, entry: Entry) => {
    remove(key);
    if (entry.body.length > options.maxChars) return;
    entries.set(key, entry);
    chars += entry.body.length;
    for (const tag of entry.tags) {
      let keys = keysByTag.get(tag);
      if (!keys) keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (entries.size > options.maxEntries || chars > options.maxChars) remove(entries.keys().next().value!);
    stats.stored++;
  };

  return {
    plugin() {
      return {
        async requestDidStart() {
          const startedAt = invalidations;
          let key: string | undefined;
          let hit = false;
          return {
            async responseForOperation(requestContext) {
              if (requestContext.operation?.operation !== 'query') return null;
              key = keyOf(requestContext);
              if (key === undefined) return null;
              const entry = lookup(key);
              if (!entry) {
                stats.misses++;
                return null;
              }
              stats.hits++;
              hit = true;
              return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: JSON.parse(entry.body) } };
            },
            // Registered after the field-authorization plugin, whose hook has no await: the answer seen here is final.
            async willSendResponse({ response, overallCachePolicy, contextValue }) {
              if (hit || key === undefined || response.body.kind !== 'single') return;
              const result = response.body.singleResult;
              if (!result.data || result.errors?.length) return;
              const policy = overallCachePolicy.policyIfCacheable();
              const tags = [...(contextValue.cacheTags ?? [])];
              if (!policy || tags.length === 0) return;
              if (!hearing || everythingInvalidatedAt > startedAt || tags.some((tag) => (invalidatedAt.get(tag) ?? 0) > startedAt)) return;
              store(key, { body: JSON.stringify(result), tags, expiresAt: Date.now() + policy.maxAge * 1000 });
            },
          };
        },
      };
    },
    stats: () => ({ ...stats, entries: entries.size }),
    close() {
      unsubscribe();
      entries.clear();
      keysByTag.clear();
    },
  };
}

/**
 * The operation, its variables and who asks: two requests share an answer only when all of these match.
 * Undefined for variables too deep to serialize: such a request is never cached (execution refuses it).
 */
function keyOf({ queryHash, operationName, request, contextValue }: GraphQLRequestContext<GatewayContext>): string | undefined {
  const caller = contextValue.caller;
  let text: string;
  try {
    text = JSON.stringify([queryHash, operationName ?? null, request.variables ?? {}, caller?.subject ?? null, caller ? [...caller.scopes].sort() : []]);
  } catch {
    return undefined;
  }
  return createHash('sha256').update(text).digest('base64url');
}
