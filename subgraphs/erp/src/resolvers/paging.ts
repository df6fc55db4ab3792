/**
 * Cursor paging (Relay connections) over Odoo's offset/limit paging. A cursor
 * is opaque to clients; inside it is the connection it belongs to and the
 * record's position, so a cursor from one connection is refused by another.
 */
import { badUserInput } from '../../../../lib/errors.js';
import type { PageParent } from '../mappers.js';

export type CursorKind = 'customers' | 'products' | 'salesOrders';

/** The most records one page or list may ask for. */
export const MAX_FIRST = 100;

export function encodeCursor(kind: CursorKind, position: number): string {
  return Buffer.from(`${kind}:${position}`, 'utf8').toString('base64url');
}

/** The offset at which the page after `after` starts: 0 without a cursor. */
export function offsetAfter(kind: CursorKind, after: string | null | undefined): number {
  if (after === null || after === undefined) return 0;
  const decoded = /^[A-Za-z0-9_-]+$/.test(after) ? Buffer.from(after, 'base64url').toString('utf8') : '';
  const match = /^([A-Za-z]+):(\d{1,9})$/.exec(decoded);
  if (!match || match[1] !== kind) {
    throw badUserInput(
      `Expected \`after\` to be a cursor from \`${kind}\` (an edge's \`cursor\` or \`pageInfo.endCursor\`), but got ${JSON.stringify(after)}.`,
      'after',
    );
  }
  return Number(match[2]) + 1;
}

/** Validates a `first` argument; null (given explicitly) means the schema default. */
export function checkFirst(first: number | null | undefined, defaultValue: number): number {
  if (first === null || first === undefined) return defaultValue;
  if (!Number.isInteger(first) || first < 0 || first > MAX_FIRST) {
    throw badUserInput(`Expected \`first\` to be between 0 and ${MAX_FIRST}, but got ${first}.`, 'first');
  }
  return first;
}

/** What every connection resolves from a page: edges with cursors, nodes, page info, and the total on demand. */
export function connectionFields<T>() {
  return {
    edges: (page: PageParent<T>) => page.records.map((node, i) => ({ cursor: encodeCursor(page.kind, page.offset + i), node })),
    nodes: (page: PageParent<T>) => page.records,
    pageInfo: (page: PageParent<T>) => ({
      hasNextPage: page.hasNextPage,
      endCursor: page.records.length === 0 ? null : encodeCursor(page.kind, page.offset + page.records.length - 1),
    }),
    totalCount: (page: PageParent<T>) => page.count(),
  };
}

/** A page that needs no native call: nothing can match (e.g. an unknown customer). */
export function emptyPage<T>(kind: CursorKind, offset: number): PageParent<T> {
  return { kind, records: [], offset, hasNextPage: false, count: async () => 0 };
}
