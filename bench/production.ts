/**
 * Imported first by bench/run.ts, before anything loads graphql: graphql-js picks its production code
 * path (without its development-only checks) from NODE_ENV when it loads, and Apollo Server reads
 * NODE_ENV for its defaults. The subgraphs the benchmark runs in its own process then run as deployed,
 * whatever NODE_ENV the caller had (vitest sets `test`).
 */
process.env.NODE_ENV = 'production';
