/**
 * The resolvers of the ten areas, one file per area, merged type by type into
 * one map (several areas add fields to Account, Customer, Opportunity, …).
 */
import type { Resolvers } from '../../__generated__/resolvers-types.js';
import * as identity from './identity.js';
import * as marketing from './marketing.js';
import * as quotes from './quotes.js';
import * as sales from './sales.js';
import * as service from './service.js';
import * as staff from './staff.js';

const AREAS: Resolvers[] = [identity, quotes, staff, marketing, sales, service] as Resolvers[];

/**
 * Merges resolver maps type by type. Two maps resolving the same field is a
 * mistake in this code, not a choice: it throws rather than letting one win.
 */
export function mergeResolvers(maps: readonly Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      const target = (merged[type] ??= {});
      for (const [field, resolver] of Object.entries(fields as Record<string, unknown>)) {
        if (field in target) throw new Error(`Expected one resolver for ${type}.${field}, but two resolver maps define it.`);
        target[field] = resolver;
      }
    }
  }
  return merged as Resolvers;
}

export const areaResolvers: Resolvers = mergeResolvers(AREAS);
