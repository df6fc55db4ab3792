/**
 * The gateway's query-plan store (`queryPlannerConfig.cache` of @apollo/gateway):
 * a small in-process LRU in front of Redis, so that an operation planned by one
 * replica is planned by none of the others, and a replica that restarts finds
 * its plans again. Planning a large operation costs milliseconds of CPU; a
 * Redis read costs a fraction of one.
 *
 * Plans are stored as JSON. By default a QueryPlan holds only plain data (fetch
 * operations as strings, selection sets as objects); the one field that holds a
 * graphql-js AST, `operationDocumentNode`, is only set with
 * `exposeDocumentNodeInFetchNode`, which this gateway leaves off.
 */
import { createHash } from 'node:crypto';
import type { QueryPlan, QueryPlanCache } from '@apollo/query-planner';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';

export interface QueryPlanCacheOptions {
  /**
   * The supergraph the plans were made for. It is part of every shared key, so a
   * replica serving another supergraph (during a rolling deploy) never reads a plan
   * made for a different schema, and no plan has to be deleted when it changes.
   */
  supergraphSdl: string;
  /** Where plans are shared (Redis, through Apollo's KeyValueCache); undefined keeps them in this replica only. */
  shared?: KeyValueCache<string>;
  /** How long a shared plan is kept, in seconds. */
  ttlSeconds: number;
  /** Most plans kept in this replica's memory. */
  localEntries: number;
}

export interface QueryPlanCacheStats {
  localHits: number;
  sharedHits: number;
  misses: number;
}

export function createQueryPlanCache(options: QueryPlanCacheOptions): QueryPlanCache & { stats(): QueryPlanCacheStats } {
  const schema = createHash('sha256').update(options.supergraphSdl).digest('hex').slice(0, 16);
  const sharedKey = (key: string) => `qp:${schema}:${key}`;
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const local = new Map<string, QueryPlan>();
  const stats: QueryPlanCacheStats = { localHits: 0, sharedHits: 0, misses: 0 };

  const remember = (key: string, plan: QueryPlan) => {
    local.delete(key);
    local.set(key, plan);
    if (local.size > options.localEntries) local.delete(local.keys().next().value!);
  };

  return {
    async get(key) {
      const plan = local.get(key);
      if (plan) {
        stats.localHits++;
        remember(key, plan);
        return plan;
      }
      const json = options.shared ? await options.shared.get(sharedKey(key)) : undefined;
      if (json !== undefined) {
        try {
          const shared = JSON.parse(json) as QueryPlan;
          stats.sharedHits++;
          remember(key, shared);
          return shared;
        } catch {
          // An unreadable entry is a miss: the gateway plans again and overwrites it.
        }
      }
      stats.misses++;
      return undefined;
    },
    async set(key, plan) {
      remember(key, plan);
      await options.shared?.set(sharedKey(key), JSON.stringify(plan), { ttl: options.ttlSeconds });
    },
    async delete(key) {
      const had = local.delete(key);
      return (await options.shared?.delete(sharedKey(key))) ?? had;
    },
    // @apollo/gateway clears its store when the supergraph changes. Shared entries are keyed by
    // supergraph, so only this replica's copies go.
    clear() {
      local.clear();
    },
    stats: () => ({ ...stats }),
  };
}
