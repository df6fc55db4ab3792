/**
 * Trusted documents: only operations on an allowlist are served. The list is
 * the `.graphql` files of one folder (schema/operations/), read at start and
 * keyed by the SHA-256 of each file's text. A client sends either
 * `extensions.persistedQuery.sha256Hash` alone or the full text of a listed
 * document; anything else is PERSISTED_QUERY_NOT_IN_LIST.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { rejectRequest } from './rejectRequest.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The allowlist: document text by SHA-256 hash of that text. */
export function loadTrustedDocuments(dir: string): Map<string, string> {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .sort();
  } catch (error) {
    throw new Error(`Expected a folder of trusted operations at ${dir}, but it could not be read (${(error as Error).message}).`, { cause: error });
  }
  if (files.length === 0) throw new Error(`Expected .graphql operation files in ${dir} for trusted-documents mode, but it has none.`);
  const documents = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    documents.set(sha256(text), text);
  }
  return documents;
}

// Private: what runs in place of a refused document until the refusal can be
// raised. Apollo Server turns an error thrown in `requestDidStart` into a 500;
// one thrown in `didResolveOperation` becomes the 400 it is. Parsing this
// instead means the untrusted text is never parsed at all.
const PLACEHOLDER = '{ __typename }';

export function useTrustedDocuments({ documents }: { documents: ReadonlyMap<string, string> }): ApolloServerPlugin {
  // Full text is matched as sent or with its surrounding whitespace trimmed, as editors and clients differ there.
  const byTrimmedText = new Set([...documents.values()].map((text) => text.trim()));
  return {
    async requestDidStart({ request }) {
      const { persistedQuery, ...otherExtensions } = (request.extensions ?? {}) as { persistedQuery?: { sha256Hash?: unknown } };
      let refusal: string | undefined;
      if (typeof request.query === 'string' && request.query !== '') {
        if (!byTrimmedText.has(request.query.trim())) {
          refusal =
            'Expected an operation from the trusted-documents list, but this document is not on it. Send the sha256Hash of a listed operation, or its exact text.';
        }
      } else {
        const hash = persistedQuery?.sha256Hash;
        const text = typeof hash === 'string' ? documents.get(hash.toLowerCase()) : undefined;
        if (text === undefined) {
          refusal =
            typeof hash === 'string'
              ? `Expected the sha256Hash of an operation on the trusted-documents list, but ${JSON.stringify(hash.slice(0, 80))} is not on it.`
              : 'Expected extensions.persistedQuery.sha256Hash naming a trusted operation, or the text of one, but the request has neither.';
        } else {
          request.query = text;
        }
      }
      if (refusal) {
        request.query = PLACEHOLDER;
        request.operationName = undefined;
      }
      // The document is settled here; Apollo's own persisted-query handling has nothing left to do.
      if (persistedQuery) request.extensions = otherExtensions;
      if (!refusal) return;
      const message = refusal;
      return {
        async didResolveOperation() {
          throw rejectRequest(message, 'PERSISTED_QUERY_NOT_IN_LIST');
        },
      };
    },
  };
}
