/**
 * An example TypeScript client of the graph: a few lines over `fetch` that
 * send a typed document generated from `schema/operations/` (codegen.yml,
 * clients/__generated__/) and return its typed data. Variables are checked at
 * compile time; a GraphQL or HTTP error becomes a `GraphQLRequestError`
 * carrying the graph's `extensions.code` (UNAUTHENTICATED, FORBIDDEN,
 * NATIVE_SYSTEM_UNAVAILABLE, …).
 *
 *   const client = createErpCrmClient({ url: 'http://localhost:4000/graphql', token });
 *   const { customer } = await client.request(CustomerErpDocument, { number: 'C00010', from: '2025-01-01', to: '2025-12-31' });
 */
import type { TypedDocumentString } from '../__generated__/graphql.js';

export interface ErpCrmClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** Bearer token sent as `Authorization`, or a function that returns a fresh one per request. Defaults to none. */
  token?: string | (() => string | Promise<string>);
  /** Extra headers for every request. Defaults to none. */
  headers?: Record<string, string>;
  /** The fetch to use (tests, proxies, retries). Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/**
 * A request that did not succeed completely. `code` is the first error's
 * `extensions.code`; `data` holds whatever the graph could still answer
 * (a partial result when one system is down), null when it answered nothing.
 */
export class GraphQLRequestError extends Error {
  readonly code: string | undefined;
  constructor(
    message: string,
    readonly errors: readonly GraphQLErrorEntry[],
    readonly data: unknown,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
    this.code = errors[0]?.extensions?.code;
  }
}

// Private: an operation without variables may be called without them; any other needs exactly its own.
type VariablesArgument<TVariables> = TVariables extends { [key: string]: never } ? [variables?: TVariables] : [variables: TVariables];

export interface ErpCrmClient {
  /** Runs one operation; resolves with its data, or rejects with a GraphQLRequestError. */
  request<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, ...variables: NoInfer<VariablesArgument<TVariables>>): Promise<TResult>;
}

export function createErpCrmClient({ url, token, headers = {}, fetch: fetcher = fetch }: ErpCrmClientOptions): ErpCrmClient {
  return {
    async request<TResult, TVariables>(
      document: TypedDocumentString<TResult, TVariables>,
      ...[variables]: NoInfer<VariablesArgument<TVariables>>
    ): Promise<TResult> {
      const bearer = typeof token === 'function' ? await token() : token;
      const response = await fetcher(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
      });
      const text = await response.text();
      let body: { data?: TResult | null; errors?: GraphQLErrorEntry[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new GraphQLRequestError(
          `Expected a GraphQL response from ${url}, but got HTTP ${response.status}: ${text.slice(0, 200)}`,
          [],
          null,
          response.status,
        );
      }
      if (body.errors?.length) {
        const first = body.errors[0]!;
        const more = body.errors.length > 1 ? ` (and ${body.errors.length - 1} more)` : '';
        throw new GraphQLRequestError(`${first.message}${more}`, body.errors, body.data ?? null, response.status);
      }
      if (!response.ok || body.data == null) {
        throw new GraphQLRequestError(`Expected data from ${url}, but got HTTP ${response.status} without any.`, [], null, response.status);
      }
      return body.data;
    },
  };
}
