/**
 * Checks on a parsed GraphQL-over-HTTP body that Apollo Server would
 * otherwise answer badly: too many operations in a batch, and a malformed
 * `extensions.persistedQuery` (Apollo answers that 400 but without a code,
 * so it would be masked as an internal error).
 */
export interface ShapeProblem {
  status: number;
  message: string;
  code: string;
}

export function checkRequestShape(body: unknown, { maxBatch, search = '' }: { maxBatch: number; search?: string }): ShapeProblem | null {
  // A GET carries its extensions as a JSON query parameter; Apollo reports one that does not parse.
  const fromSearch = new URLSearchParams(search).get('extensions');
  if (fromSearch) {
    try {
      const problem = checkRequestShape({ extensions: JSON.parse(fromSearch) }, { maxBatch });
      if (problem) return problem;
    } catch {
      // Not JSON: Apollo Server answers that with its own 400.
    }
  }
  if (Array.isArray(body) && body.length > maxBatch) {
    return { status: 400, message: `Expected at most ${maxBatch} operations in one batched request, but it has ${body.length}.`, code: 'BATCH_TOO_LARGE' };
  }
  for (const operation of Array.isArray(body) ? body : [body]) {
    if (typeof operation !== 'object' || operation === null) continue;
    const extensions = (operation as { extensions?: unknown }).extensions;
    if (typeof extensions !== 'object' || extensions === null || !('persistedQuery' in extensions)) continue;
    const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
    const ok =
      typeof persisted === 'object' &&
      persisted !== null &&
      (persisted as { version?: unknown }).version === 1 &&
      typeof (persisted as { sha256Hash?: unknown }).sha256Hash === 'string' &&
      /^[0-9a-fA-F]{64}$/.test((persisted as { sha256Hash: string }).sha256Hash);
    if (!ok) {
      return {
        status: 400,
        message: `Expected extensions.persistedQuery to be { "version": 1, "sha256Hash": "<64 hex digits>" }, but got ${JSON.stringify(persisted).slice(0, 120)}.`,
        code: 'PERSISTED_QUERY_INVALID',
      };
    }
  }
  return null;
}
