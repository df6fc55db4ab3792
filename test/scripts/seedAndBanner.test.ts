/**
 * `npm run seed` (emulators/seed/databases.ts) and the `npm start` banner
 * (scripts/banner.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDatabases } from '../../emulators/seed/databases.js';
import { formatBanner } from '../../scripts/banner.js';

describe('seedDatabases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seed-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds both databases, keeps them on a second run, and reseeds with force', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const first = await seedDatabases({ size: 'small', dataDir: dir, progress: 'never', log });
    expect(first.map((r) => [r.system, r.size, r.seeded])).toEqual([
      ['Odoo', 'small', true],
      ['Salesforce', 'small', true],
    ]);
    expect(existsSync(join(dir, 'odoo.sqlite')) && existsSync(join(dir, 'salesforce.sqlite'))).toBe(true);

    const second = await seedDatabases({ size: 'large', dataDir: dir, progress: 'never', log });
    // An existing database keeps its data, and says which seed it holds.
    expect(second.map((r) => [r.size, r.seeded])).toEqual([
      ['small', false],
      ['small', false],
    ]);
    expect(lines.at(-1)).toMatch(/^Kept .*salesforce\.sqlite: it holds the small seed, not large\. Run with --force to reseed it\.$/);

    const third = await seedDatabases({ size: 'small', dataDir: dir, progress: 'never', force: true, log });
    expect(third.every((r) => r.seeded)).toBe(true);
  });
});

describe('the npm start banner', () => {
  it('lists every URL in a few lines', () => {
    const text = formatBanner({
      graphqlUrl: 'http://127.0.0.1:4000/graphql',
      explorer: true,
      subgraphs: [
        { name: 'erp', url: 'http://127.0.0.1:4001/graphql' },
        { name: 'crm', url: 'http://127.0.0.1:4002/graphql' },
        { name: 'workflow', url: 'http://127.0.0.1:4003/graphql' },
      ],
      emulators: [
        { name: 'Odoo (JSON-RPC)', url: 'http://127.0.0.1:8069/jsonrpc' },
        { name: 'Salesforce (REST)', url: 'http://127.0.0.1:8070/services/data' },
      ],
      dataDir: '/srv/data',
    });
    for (const url of [
      'http://localhost:4000/graphql',
      'http://localhost:4000/graph-map',
      'http://localhost:4000/graph-map.json',
      'http://localhost:4000/metrics',
      'http://localhost:4000/health/live',
      'http://localhost:4000/health/ready',
      'http://localhost:4001/graphql',
      'http://localhost:4001/metrics',
      'http://localhost:4002/metrics',
      'http://localhost:4003/graphql',
      'http://localhost:8069/jsonrpc',
      'http://localhost:8070/services/data',
      '/srv/data',
    ]) {
      expect(text).toContain(url);
    }
    expect(text).toMatch(/^ {2}Explorer +http:\/\/localhost:4000\/$/m);
    expect(text.split('\n').length).toBeLessThanOrEqual(12);
  });

  it('says when the explorer is off', () => {
    const text = formatBanner({ graphqlUrl: 'http://127.0.0.1:4000/graphql', explorer: false, subgraphs: [], emulators: [], dataDir: '/d' });
    expect(text).toMatch(/Explorer\s+off \(GATEWAY_EXPLORER=false\)/);
  });
});
