import { defineConfig } from 'vitest/config';
export default defineConfig({
  root: '/work/main',
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: { include: ['test/integration/.b-large.tmp.ts'], testTimeout: 600_000, hookTimeout: 1_500_000 },
});
