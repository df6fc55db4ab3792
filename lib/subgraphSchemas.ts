/**
 * The subgraph list that composition, codegen and the subgraphs themselves read,
 * so the SDL a subgraph serves is byte-for-byte the SDL that was composed.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface SubgraphEntry {
  name: string;
  /** The URL written into the supergraph; the gateway may override it at run time. */
  url: string;
  /** SDL files, or folders whose `.graphql` files are all read in name order. */
  schema: string[];
}

export function subgraphEntries(): SubgraphEntry[] {
  const file = resolve(repoRoot, 'schema/subgraphs.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { subgraphs: SubgraphEntry[] }).subgraphs;
}

/** The SDL of one subgraph: the shared types followed by its own files. */
export function subgraphSdl(name: string): string {
  const entry = subgraphEntries().find((s) => s.name === name);
  if (!entry)
    throw new Error(
      `Expected a subgraph named "${name}" in schema/subgraphs.json, but it lists only: ${subgraphEntries()
        .map((s) => s.name)
        .join(', ')}.`,
    );
  return schemaFiles(entry)
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

/** Absolute paths of a subgraph's SDL files, folders expanded, in a stable order. */
export function schemaFiles(entry: SubgraphEntry): string[] {
  return entry.schema.flatMap((path) => {
    const full = resolve(repoRoot, path);
    if (!statSync(full).isDirectory()) return [full];
    return readdirSync(full)
      .filter((f) => f.endsWith('.graphql'))
      .sort()
      .map((f) => resolve(full, f));
  });
}
