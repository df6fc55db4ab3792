import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node (and so `npm start`) loads graphql's CommonJS build, as do the Apollo packages; Vite would pick its
  // ESM build for our sources, and schema objects from one build fail `isObjectType` checks in the other.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start real servers and SQLite files; two cores are shared between them.
    maxWorkers: 2,
  },
});
