/**
 * The seed: deterministic, lined up with the shared world, kept across
 * restarts; and the entry point's configuration.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../emulators/salesforce/config.js';
import { registry } from '../../../emulators/salesforce/metadata.js';
import { startSalesforceEmulator } from '../../../emulators/salesforce/server.js';
import { buildWorld } from '../../../emulators/seed/world.js';
import { repoRoot } from '../../../lib/subgraphSchemas.js';
import { json, startTestOrg, tempDir, type TestOrg } from './helpers.js';

const world = buildWorld('small');
let org: TestOrg;
const rows = <T = Record<string, unknown>>(db: Database.Database, text: string, ...params: unknown[]) => db.prepare(text).all(...params) as T[];

function fingerprint(db: Database.Database): string {
  const hash = createHash('sha256');
  for (const o of registry.objects) {
    for (const row of db.prepare(`SELECT * FROM "${o.name}" ORDER BY rowid`).raw().iterate()) hash.update(JSON.stringify(row));
  }
  return hash.digest('hex');
}

beforeAll(async () => {
  org = await startTestOrg();
});

afterAll(async () => {
  await org.stop();
});

describe('seed', () => {
  it('is deterministic: two fresh databases hold identical records', async () => {
    const dir = tempDir();
    try {
      const other = await startSalesforceEmulator({ dbPath: join(dir, 'again.sqlite'), seedSize: 'small', port: 0 });
      const same = fingerprint(other.db) === fingerprint(org.emulator.db);
      await other.close();
      expect(same).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lines accounts up with the world: ids, ERP numbers, types and owners by work e-mail', () => {
    const db = org.emulator.db;
    const accounts = new Map(
      rows<{ Id: string; Name: string; ERP_Customer_Number__c: string | null; Type: string; OwnerEmail: string }>(
        db,
        'SELECT a.Id, a.Name, a.ERP_Customer_Number__c, a.Type, u.Email AS OwnerEmail FROM Account a JOIN "User" u ON u.Id = a.OwnerId',
      ).map((a) => [a.Id, a]),
    );
    const inCrm = world.companies.filter((c) => c.inCrm);
    for (const c of inCrm) {
      expect(accounts.get(c.crmAccountId!)).toMatchObject({
        Name: c.name,
        ERP_Customer_Number__c: c.erpNumber,
        Type: c.erpNumber ? 'Customer' : 'Prospect',
        OwnerEmail: c.ownerEmail,
      });
    }
    const conflicts = inCrm.filter((c) => c.conflictingCrmAccountId);
    expect(conflicts.length).toBeGreaterThan(0);
    for (const c of conflicts) {
      const dup = accounts.get(c.conflictingCrmAccountId!)!;
      expect(dup.ERP_Customer_Number__c).toBe(c.erpNumber);
      expect(dup.Name).not.toBe(c.name);
    }
    expect(accounts.size).toBe(inCrm.length + conflicts.length);
    const erpOnly = world.companies.filter((c) => !c.inCrm).map((c) => c.erpNumber);
    expect(rows(db, 'SELECT 1 FROM Account WHERE ERP_Customer_Number__c IN (SELECT value FROM json_each(?))', JSON.stringify(erpOnly))).toHaveLength(0);
  });

  it('seeds users, products, price books, opportunities and cases from the world', () => {
    const db = org.emulator.db;
    const staff = world.employees.filter((e) => e.crmUserId);
    const users = new Map(rows<{ Id: string; Email: string }>(db, 'SELECT Id, Email FROM "User"').map((u) => [u.Id, u.Email]));
    for (const e of staff) expect(users.get(e.crmUserId!)).toBe(e.workEmail);
    expect(users.size).toBe(staff.length + 1);

    const products = new Map(rows<{ Id: string; ProductCode: string }>(db, 'SELECT Id, ProductCode FROM Product2').map((p) => [p.Id, p.ProductCode]));
    const sellable = world.products.filter((p) => p.saleOk);
    expect(products.size).toBe(sellable.length);
    for (const p of sellable) expect(products.get(p.crmProductId!)).toBe(p.sku);
    const standard = rows<{ ProductCode: string; UnitPrice: number }>(
      db,
      "SELECT e.ProductCode, e.UnitPrice FROM PricebookEntry e JOIN Pricebook2 b ON b.Id = e.Pricebook2Id WHERE b.Name = 'Standard Price Book'",
    );
    expect(new Map(standard.map((e) => [e.ProductCode, e.UnitPrice]))).toEqual(new Map(sellable.map((p) => [p.sku, p.listPrice])));
    const partner = rows<{ n: number; cheaper: number }>(
      db,
      "SELECT COUNT(*) AS n, SUM(e.UnitPrice < s.UnitPrice) AS cheaper FROM PricebookEntry e JOIN Pricebook2 b ON b.Id = e.Pricebook2Id AND b.Name = 'Partner Price Book' JOIN PricebookEntry s ON s.Product2Id = e.Product2Id AND s.Pricebook2Id <> e.Pricebook2Id",
    )[0]!;
    expect(partner.n).toBeGreaterThan(sellable.length / 2);
    expect(partner.cheaper).toBe(partner.n);

    const opps = new Map(
      rows<{ Id: string; StageName: string; ERP_Order_Number__c: string | null }>(db, 'SELECT Id, StageName, ERP_Order_Number__c FROM Opportunity').map((o) => [
        o.Id,
        o,
      ]),
    );
    for (const o of world.opportunities) expect(opps.get(o.id)).toMatchObject({ StageName: o.stage, ERP_Order_Number__c: o.erpOrderNumber });
    const cases = rows<{ Id: string; CaseNumber: string }>(db, 'SELECT Id, CaseNumber FROM "Case" ORDER BY rowid');
    expect(cases.map((c) => c.Id)).toEqual(world.cases.map((c) => c.id));
    expect(cases[0]!.CaseNumber).toBe('00001000');
  });

  it('adds quotes on open opportunities, campaigns with members, leads and activities', () => {
    const db = org.emulator.db;
    const stages = rows<{ StageName: string }>(db, 'SELECT DISTINCT o.StageName FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId').map(
      (r) => r.StageName,
    );
    expect(stages.sort()).toEqual(['Negotiation/Review', 'Proposal/Price Quote']);
    expect(rows(db, "SELECT 1 FROM Quote WHERE Status = 'Accepted'").length).toBeGreaterThan(0);
    const mismatched = rows(
      db,
      'SELECT q.Id FROM Quote q JOIN QuoteLineItem l ON l.QuoteId = q.Id GROUP BY q.Id HAVING ROUND(SUM(l.TotalPrice), 2) <> ROUND(MAX(q.TotalPrice), 2)',
    );
    expect(mismatched).toHaveLength(0);
    const members = rows<{ contacts: number; leads: number }>(db, 'SELECT COUNT(ContactId) AS contacts, COUNT(LeadId) AS leads FROM CampaignMember')[0]!;
    expect(members.contacts).toBeGreaterThan(0);
    expect(members.leads).toBeGreaterThan(0);
    expect(rows(db, 'SELECT 1 FROM Lead WHERE IsConverted = 1 AND ConvertedAccountId IS NOT NULL').length).toBeGreaterThan(0);
    expect(rows(db, 'SELECT 1 FROM Task').length).toBeGreaterThan(0);
    expect(rows(db, 'SELECT 1 FROM Event WHERE EndDateTime > StartDateTime').length).toBe(rows(db, 'SELECT 1 FROM Event').length);
  });
});

describe('persistence', () => {
  it('keeps records, sessions and id counters across restarts, and never reseeds', async () => {
    const dir = tempDir();
    const first = await startTestOrg({}, dir);
    const created = await first.api('/sobjects/Account', { method: 'POST', ...json({ Name: 'Survives Restarts Ltd' }) });
    const accounts = (await first.query('SELECT COUNT() FROM Account')).body.totalSize;
    await first.emulator.close();

    const second = await startSalesforceEmulator({ dbPath: join(dir, 'salesforce.sqlite'), seedSize: 'large', port: 0 });
    try {
      expect(second.seedSize).toBe('small');
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${second.url}/services/data/v60.0${path}`, {
          ...init,
          headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
      const count = await api(`/query?q=${encodeURIComponent('SELECT COUNT() FROM Account')}`);
      expect(count).toMatchObject({ status: 200, body: { totalSize: accounts } });
      expect((await api(`/sobjects/Account/${created.body.id}`)).body.Name).toBe('Survives Restarts Ltd');
      const next = await api('/sobjects/Account', { method: 'POST', body: JSON.stringify({ Name: 'After Restart' }) });
      expect(next.body.id > created.body.id).toBe(true);
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('configuration', () => {
  it('reads defaults and the environment', () => {
    // A relative database path is relative to the repository root, as for the Odoo emulator.
    expect(loadConfig({})).toMatchObject({
      port: 8070,
      dbPath: join(repoRoot, 'data/salesforce.sqlite'),
      seedSize: 'small',
      latencyMs: 0,
      seedProgress: 'auto',
    });
    expect(loadConfig({ SALESFORCE_EMULATOR_PORT: '0', SEED_SIZE: 'large', EMULATOR_LATENCY_MS: '25', SALESFORCE_EMULATOR_DB: '/tmp/x.sqlite' })).toMatchObject(
      {
        port: 0,
        seedSize: 'large',
        latencyMs: 25,
        dbPath: '/tmp/x.sqlite',
      },
    );
  });

  it('names the setting that is invalid', () => {
    expect(() => loadConfig({ SALESFORCE_EMULATOR_PORT: 'eighty' })).toThrow(/SALESFORCE_EMULATOR_PORT/);
    expect(() => loadConfig({ SEED_SIZE: 'medium' })).toThrow(/SEED_SIZE/);
    expect(() => loadConfig({ EMULATOR_LATENCY_MS: '-1' })).toThrow(/EMULATOR_LATENCY_MS/);
    expect(() => loadConfig({ SALESFORCE_EMULATOR_DAILY_API_LIMIT: '0' })).toThrow(
      /^Invalid setting SALESFORCE_EMULATOR_DAILY_API_LIMIT: expected an integer of at least 1, but got "0"\.$/,
    );
    // An empty variable counts as unset, as for every other setting.
    expect(loadConfig({ SALESFORCE_EMULATOR_DB: '' }).dbPath).toBe(join(repoRoot, 'data/salesforce.sqlite'));
  });
});
