/**
 * Serving stale data while a native system is down, and saying so.
 *
 * When a loader's native batch fails because the system is unavailable (or its
 * circuit is open, or its API limit is used up), `cachedBatch` (lib/cache) asks
 * the cache for entries past their TTL that are still kept for the stale
 * window, answers with them, and reports each to the request's `StaleMarks`.
 * The `useStaleDataErrors` plugin then adds one error per affected path:
 *
 *   { message, path, extensions: { code: 'STALE_DATA', system: 'erp', stale: { ageSeconds: 42 } } }
 *
 * so clients get data rather than a failure, and can tell which of it is old.
 * The gateway forwards these like any subgraph error (with the path rewritten
 * from `_entities`).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, responsePathAsArray, type GraphQLFormattedError } from 'graphql';
import type { NativeSystem } from './errors.js';

const SYSTEM_LABEL: Record<NativeSystem, string> = { erp: 'ERP (Odoo)', crm: 'CRM (Salesforce)' };

/** What `cachedBatch` needs to serve stale entries for one request. */
export interface StaleServing {
  /** Whether a failed native batch may be answered from stale cache entries. */
  when(error: unknown): boolean;
  /** Reports one key answered from a stale entry read at `storedAt` (ms since the epoch). */
  served(type: string, key: string, value: unknown, storedAt: number): void;
}

interface StaleMark {
  system: NativeSystem;
  ageSeconds: number;
  type: string;
}

/**
 * The failures worth answering from stale entries: the system could not
 * answer (NATIVE_SYSTEM_UNAVAILABLE, circuit open included) or refuses every
 * call for now (Salesforce's REQUEST_LIMIT_EXCEEDED). A refusal of this one
 * call (access rules, validation) is not one of them.
 */
export function isNativeOutage(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const { code, nativeError } = error.extensions ?? {};
  return code === 'NATIVE_SYSTEM_UNAVAILABLE' || (code === 'NATIVE_SYSTEM_ERROR' && nativeError === 'REQUEST_LIMIT_EXCEEDED');
}

/** Per request: which values were served stale. Created in the request's context. */
export class StaleMarks implements StaleServing {
  private readonly byValue = new WeakMap<object, StaleMark>();
  /** Marks of values that are not objects (a number, a string), which no path can be found for. */
  private readonly unattributed: StaleMark[] = [];
  private readonly objects: { value: object; mark: StaleMark }[] = [];

  constructor(
    readonly system: NativeSystem,
    private readonly now: () => number = Date.now,
  ) {}

  when(error: unknown): boolean {
    return isNativeOutage(error);
  }

  served(type: string, _key: string, value: unknown, storedAt: number): void {
    const mark = { system: this.system, type, ageSeconds: Math.max(0, Math.round((this.now() - storedAt) / 1000)) };
    if (typeof value === 'object' && value !== null) {
      this.byValue.set(value, mark);
      this.objects.push({ value, mark });
    } else {
      this.unattributed.push(mark);
    }
  }

  get(value: unknown): StaleMark | undefined {
    return typeof value === 'object' && value !== null ? this.byValue.get(value) : undefined;
  }

  get any(): boolean {
    return this.objects.length > 0 || this.unattributed.length > 0;
  }

  /** Marks no path was found for: values used only inside a resolver (a scalar read off a stale record). */
  unplaced(placed: ReadonlySet<object>): StaleMark[] {
    return [...this.unattributed, ...this.objects.filter((o) => !placed.has(o.value)).map((o) => o.mark)];
  }
}

/** The error entry that marks `path` as served from a stale cache entry. */
export function staleDataError(mark: { system: NativeSystem; ageSeconds: number }, path?: readonly (string | number)[]): GraphQLFormattedError {
  const where = path ? 'this value was' : 'some values in this response were';
  return {
    message: `The ${SYSTEM_LABEL[mark.system]} is unavailable, so ${where} served from the cache as it was ${mark.ageSeconds} seconds ago.`,
    ...(path ? { path } : {}),
    extensions: { code: 'STALE_DATA', system: mark.system, stale: { ageSeconds: mark.ageSeconds } },
  };
}

/**
 * Adds a STALE_DATA error for every path whose value (or whose parent record)
 * was served stale. The request's context must carry `stale: StaleMarks`.
 */
export function useStaleDataErrors<TContext extends BaseContext & { stale?: StaleMarks }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const found = new Map<string, GraphQLFormattedError>();
      const placed = new Set<object>();
      const place = (marks: StaleMarks, value: unknown, path: readonly (string | number)[]) => {
        const mark = marks.get(value);
        if (!mark) return;
        placed.add(value as object);
        const key = JSON.stringify(path);
        if (!found.has(key)) found.set(key, staleDataError(mark, path));
      };
      return {
        async executionDidStart({ contextValue }) {
          const marks = contextValue.stale;
          if (!marks) return;
          return {
            willResolveField({ source, info }) {
              // A field of a stale record: the record's own path is what is stale.
              if (marks.any && info.path.prev) place(marks, source, responsePathAsArray(info.path.prev));
              // A field whose whole value (a record, a list) came from a stale entry, loaded while it resolved.
              return (_error, result) => {
                if (marks.any) place(marks, result, responsePathAsArray(info.path));
              };
            },
          };
        },
        async willSendResponse({ response, contextValue }) {
          const marks = contextValue.stale;
          if (!marks?.any || response.body.kind !== 'single') return;
          const errors = [...found.values()];
          const unplaced = marks.unplaced(placed);
          if (unplaced.length > 0) {
            const oldest = unplaced.reduce((a, b) => (b.ageSeconds > a.ageSeconds ? b : a));
            errors.push(staleDataError(oldest));
          }
          if (errors.length === 0) return;
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...errors];
        },
      };
    },
  };
}
