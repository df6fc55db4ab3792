/**
 * SOQL over raw REST: result shapes, semantics checked against direct SQL on
 * the emulator's database, paging, and Salesforce-style errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TODAY } from '../../../emulators/seed/world.js';
import { json, startTestOrg, type TestOrg } from './helpers.js';

let org: TestOrg;
const sql = <T = Record<string, unknown>>(text: string, ...params: unknown[]) => org.emulator.db.prepare(text).all(...params) as T[];
const one = <T = unknown>(text: string, ...params: unknown[]) =>
  org.emulator.db
    .prepare(text)
    .pluck()
    .get(...params) as T;

async function records(soql: string): Promise<any[]> {
  const { status, body } = await org.query(soql);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.records;
}

async function count(soql: string): Promise<number> {
  const { status, body } = await org.query(soql);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.totalSize;
}

async function createAccounts(names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < names.length; i += 200) {
    const batch = names.slice(i, i + 200).map((Name) => ({ attributes: { type: 'Account' }, Name }));
    const { body } = await org.api('/composite/sobjects', { method: 'POST', ...json({ allOrNone: true, records: batch }) });
    ids.push(...body.map((r: { id: string }) => r.id));
  }
  return ids;
}

beforeAll(async () => {
  // A fixed clock makes TODAY and LAST_N_DAYS line up with the seed's own "today".
  org = await startTestOrg({ now: () => new Date(`${SEED_TODAY}T12:00:00Z`) });
});

afterAll(async () => {
  await org.stop();
});

describe('record shapes', () => {
  it('nests parent relationship fields with attributes, and null for missing parents', async () => {
    const [acc] = await records("SELECT Id, Name, Owner.Name, Parent.Name FROM Account WHERE Type = 'Customer' ORDER BY Name LIMIT 1");
    const expected = sql<{ Id: string; OwnerName: string; OwnerId: string }>(
      'SELECT a.Id, u.Name AS OwnerName, u.Id AS OwnerId FROM Account a JOIN "User" u ON u.Id = a.OwnerId WHERE a.Type = ? AND a.IsDeleted = 0 ORDER BY a.Name LIMIT 1',
      'Customer',
    )[0]!;
    expect(acc).toEqual({
      attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${expected.Id}` },
      Id: expected.Id,
      Name: expect.any(String),
      Owner: { attributes: { type: 'User', url: `/services/data/v60.0/sobjects/User/${expected.OwnerId}` }, Name: expected.OwnerName },
      Parent: null,
    });
    expect(Object.keys(acc)).toEqual(['attributes', 'Id', 'Name', 'Owner', 'Parent']);
  });

  it('follows two levels of parent relationships', async () => {
    const rows = await records('SELECT Name, Opportunity.Account.Name, Opportunity.Account.ERP_Customer_Number__c FROM Quote ORDER BY Name LIMIT 5');
    const expected = sql<{ acc: string; erp: string | null }>(
      'SELECT a.Name AS acc, a.ERP_Customer_Number__c AS erp FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId JOIN Account a ON a.Id = o.AccountId WHERE q.IsDeleted = 0 ORDER BY q.Name, q.rowid LIMIT 5',
    );
    expect(rows.map((r) => [r.Opportunity.Account.Name, r.Opportunity.Account.ERP_Customer_Number__c])).toEqual(expected.map((e) => [e.acc, e.erp]));
    expect(rows[0].Opportunity.attributes.type).toBe('Opportunity');
    expect(rows[0].Opportunity.Account.attributes.type).toBe('Account');
  });

  it('returns canonical field names whatever the case in the query', async () => {
    const [rec] = await records('select id, name, owner.name from account limit 1');
    expect(Object.keys(rec)).toEqual(['attributes', 'Id', 'Name', 'Owner']);
    expect(rec.attributes.type).toBe('Account');
  });

  it('answers child subqueries as nested query results, or null when there are none', async () => {
    const accountId = one<string>('SELECT AccountId FROM Contact WHERE IsDeleted = 0 GROUP BY AccountId HAVING COUNT(*) >= 3 LIMIT 1');
    const [acc] = await records(
      `SELECT Id, (SELECT LastName FROM Contacts ORDER BY LastName DESC), (SELECT Id FROM ChildAccounts) FROM Account WHERE Id = '${accountId}'`,
    );
    const expected = sql<{ LastName: string }>('SELECT LastName FROM Contact WHERE AccountId = ? AND IsDeleted = 0 ORDER BY LastName DESC, rowid', accountId);
    expect(acc.Contacts.totalSize).toBe(expected.length);
    expect(acc.Contacts.done).toBe(true);
    expect(acc.Contacts.records.map((c: { LastName: string }) => c.LastName)).toEqual(expected.map((e) => e.LastName));
    expect(acc.Contacts.records[0].attributes.type).toBe('Contact');
    expect(acc.ChildAccounts).toBeNull();
  });

  it('reads polymorphic What and Who through Id, Name and Type', async () => {
    const [task] = await records("SELECT Subject, What.Type, What.Name, Who.Name FROM Task WHERE What.Type = 'Case' AND WhoId != null LIMIT 1");
    expect(task.What.attributes.type).toBe('Case');
    expect(task.What.Type).toBe('Case');
    expect(task.What.Name).toMatch(/^\d{8}$/);
    expect(task.Who.attributes.type).toBe('Contact');
    expect(await count("SELECT COUNT() FROM Task WHERE What.Type = 'Case'")).toBe(
      one("SELECT COUNT(*) FROM Task WHERE substr(WhatId, 1, 3) = '500' AND IsDeleted = 0"),
    );
  });
});

describe('aggregates', () => {
  it('groups and aggregates like SQL, naming unaliased aggregates expr0, expr1, ...', async () => {
    const rows = await records(
      'SELECT StageName, COUNT(Id), SUM(Amount) total, AVG(Amount), MIN(CloseDate), MAX(Amount) FROM Opportunity GROUP BY StageName ORDER BY StageName',
    );
    const expected = sql(
      'SELECT StageName, COUNT(*) AS n, SUM(Amount) AS total, AVG(Amount) AS avg, MIN(CloseDate) AS minClose, MAX(Amount) AS maxAmount FROM Opportunity WHERE IsDeleted = 0 GROUP BY StageName ORDER BY StageName',
    );
    expect(rows).toEqual(
      expected.map((e) => ({
        attributes: { type: 'AggregateResult' },
        StageName: e.StageName,
        expr0: e.n,
        total: e.total,
        expr1: e.avg,
        expr2: e.minClose,
        expr3: e.maxAmount,
      })),
    );
  });

  it('groups by parent fields, flattening them under their own name, and filters with HAVING', async () => {
    const rows = await records(
      'SELECT Account.Segment__c, COUNT(Id) n FROM Opportunity GROUP BY Account.Segment__c HAVING COUNT(Id) > 10 ORDER BY COUNT(Id) DESC',
    );
    const expected = sql(
      'SELECT a.Segment__c AS segment, COUNT(*) AS n FROM Opportunity o LEFT JOIN Account a ON a.Id = o.AccountId WHERE o.IsDeleted = 0 GROUP BY a.Segment__c HAVING COUNT(*) > 10 ORDER BY COUNT(*) DESC',
    );
    expect(rows.map((r) => [r.Segment__c, r.n])).toEqual(expected.map((e) => [e.segment, e.n]));
  });

  it('groups by date functions', async () => {
    const rows = await records(
      'SELECT CALENDAR_YEAR(CloseDate) year, COUNT(Id) FROM Opportunity WHERE IsWon = true GROUP BY CALENDAR_YEAR(CloseDate) ORDER BY CALENDAR_YEAR(CloseDate)',
    );
    const expected = sql(
      'SELECT CAST(substr(CloseDate, 1, 4) AS INTEGER) AS year, COUNT(*) AS n FROM Opportunity WHERE IsWon = 1 AND IsDeleted = 0 GROUP BY 1 ORDER BY 1',
    );
    expect(rows.map((r) => [r.year, r.expr0])).toEqual(expected.map((e) => [e.year, e.n]));
  });

  it('answers COUNT() with totalSize and no records, honouring LIMIT', async () => {
    const { body } = await org.query("SELECT COUNT() FROM Contact WHERE Account.Type = 'Customer'");
    expect(body).toEqual({
      totalSize: one("SELECT COUNT(*) FROM Contact c JOIN Account a ON a.Id = c.AccountId WHERE a.Type = 'Customer' AND c.IsDeleted = 0"),
      done: true,
      records: [],
    });
    expect(await count('SELECT COUNT() FROM Contact LIMIT 7')).toBe(7);
  });

  it('rejects fields that are neither grouped nor aggregated', async () => {
    const { status, body } = await org.query('SELECT Name, COUNT(Id) FROM Account GROUP BY Industry');
    expect(status).toBe(400);
    expect(body).toEqual([{ errorCode: 'MALFORMED_QUERY', message: 'Field must be grouped or aggregated: Name' }]);
  });
});

describe('filters', () => {
  it('matches LIKE case-insensitively, with % and _ wildcards and \\% \\_ escapes', async () => {
    await createAccounts(['Like_Test 100%', 'LikeXTest 100', 'like_test 200']);
    const names = async (pattern: string) => (await records(`SELECT Name FROM Account WHERE Name LIKE '${pattern}' ORDER BY Name`)).map((r) => r.Name);
    expect(await names('LIKE_TEST%')).toEqual(['Like_Test 100%', 'like_test 200', 'LikeXTest 100']);
    expect(await names('like\\_test%')).toEqual(['Like_Test 100%', 'like_test 200']);
    expect(await names('%100\\%')).toEqual(['Like_Test 100%']);
  });

  it('compares strings case-insensitively with = and IN', async () => {
    const name = one<string>("SELECT Name FROM Account WHERE Type = 'Customer' LIMIT 1");
    expect(await count(`SELECT COUNT() FROM Account WHERE Name = '${name.toUpperCase()}'`)).toBeGreaterThanOrEqual(1);
    expect(await count("SELECT COUNT() FROM Account WHERE Segment__c IN ('smb', 'ENTERPRISE')")).toBe(
      one("SELECT COUNT(*) FROM Account WHERE Segment__c IN ('SMB', 'Enterprise') AND IsDeleted = 0"),
    );
  });

  it('keeps quoted values as data: an injection attempt matches only the account named by it', async () => {
    const total = await count('SELECT COUNT() FROM Account');
    expect(await count("SELECT COUNT() FROM Account WHERE Name = '\\' OR Name != \\''")).toBe(0);
    const [id] = await createAccounts(["' OR Name != '"]);
    const matched = await records("SELECT Id, Name FROM Account WHERE Name = '\\' OR Name != \\''");
    expect(matched).toEqual([expect.objectContaining({ Id: id, Name: "' OR Name != '" })]);
    expect(await count("SELECT COUNT() FROM Account WHERE Name LIKE '%\\' OR 1=1 --%'")).toBe(0);
    expect(await count('SELECT COUNT() FROM Account')).toBe(total + 1);
  });

  it('applies AND, OR, NOT and parentheses', async () => {
    const got = await count("SELECT COUNT() FROM Opportunity WHERE (StageName = 'Closed Won' OR StageName = 'Closed Lost') AND NOT (Amount < 50000)");
    expect(got).toBe(one("SELECT COUNT(*) FROM Opportunity WHERE StageName IN ('Closed Won', 'Closed Lost') AND Amount >= 50000 AND IsDeleted = 0"));
  });

  it('treats != and NOT as matching nulls, and NOT IN as leaving them out', async () => {
    const total = one<number>('SELECT COUNT(*) FROM Account WHERE IsDeleted = 0');
    const erp = one<string>('SELECT ERP_Customer_Number__c FROM Account WHERE ERP_Customer_Number__c IS NOT NULL GROUP BY 1 HAVING COUNT(*) = 1 LIMIT 1');
    expect(await count(`SELECT COUNT() FROM Account WHERE ERP_Customer_Number__c != '${erp}'`)).toBe(total - 1);
    expect(await count(`SELECT COUNT() FROM Account WHERE NOT ERP_Customer_Number__c = '${erp}'`)).toBe(total - 1);
    const withErp = one<number>('SELECT COUNT(*) FROM Account WHERE ERP_Customer_Number__c IS NOT NULL AND IsDeleted = 0');
    expect(await count(`SELECT COUNT() FROM Account WHERE ERP_Customer_Number__c NOT IN ('${erp}')`)).toBe(withErp - 1);
    expect(await count('SELECT COUNT() FROM Account WHERE ERP_Customer_Number__c = null')).toBe(total - withErp);
  });

  it('treats checkbox = null as false', async () => {
    expect(await count('SELECT COUNT() FROM Opportunity WHERE IsClosed = null')).toBe(await count('SELECT COUNT() FROM Opportunity WHERE IsClosed = false'));
  });

  it('filters with date literals relative to the clock, and with date and datetime values', async () => {
    expect(await count('SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:30')).toBe(
      one(
        "SELECT COUNT(*) FROM \"Case\" WHERE CreatedDate >= '2026-10-16T00:00:00.000+0000' AND CreatedDate < '2026-11-16T00:00:00.000+0000' AND IsDeleted = 0",
      ),
    );
    expect(await count('SELECT COUNT() FROM Opportunity WHERE CloseDate = THIS_MONTH')).toBe(
      one("SELECT COUNT(*) FROM Opportunity WHERE CloseDate >= '2026-11-01' AND CloseDate < '2026-12-01' AND IsDeleted = 0"),
    );
    expect(await count('SELECT COUNT() FROM Opportunity WHERE CloseDate < TODAY AND IsClosed = false')).toBe(
      one("SELECT COUNT(*) FROM Opportunity WHERE CloseDate < '2026-11-15' AND IsClosed = 0 AND IsDeleted = 0"),
    );
    expect(await count('SELECT COUNT() FROM Opportunity WHERE CloseDate >= 2026-01-01 AND CloseDate <= 2026-06-30')).toBe(
      one("SELECT COUNT(*) FROM Opportunity WHERE CloseDate BETWEEN '2026-01-01' AND '2026-06-30' AND IsDeleted = 0"),
    );
    expect(await count('SELECT COUNT() FROM Case WHERE CreatedDate > 2026-11-01T12:00:00+02:00')).toBe(
      one('SELECT COUNT(*) FROM "Case" WHERE CreatedDate > \'2026-11-01T10:00:00.000+0000\' AND IsDeleted = 0'),
    );
  });

  it('filters through semi-joins and anti-joins', async () => {
    expect(await count("SELECT COUNT() FROM Account WHERE Id IN (SELECT AccountId FROM Case WHERE Status = 'Escalated')")).toBe(
      one('SELECT COUNT(DISTINCT AccountId) FROM "Case" WHERE Status = \'Escalated\' AND IsDeleted = 0'),
    );
    expect(await count('SELECT COUNT() FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)')).toBe(
      one('SELECT COUNT(*) FROM Account a WHERE a.IsDeleted = 0 AND NOT EXISTS (SELECT 1 FROM Contact c WHERE c.AccountId = a.Id AND c.IsDeleted = 0)'),
    );
  });

  it('accepts 15-character ids in filters', async () => {
    const id = one<string>('SELECT Id FROM Account LIMIT 1');
    expect(await records(`SELECT Id FROM Account WHERE Id = '${id.slice(0, 15)}'`)).toEqual([expect.objectContaining({ Id: id })]);
  });
});

describe('ordering and paging', () => {
  it('orders with NULLS FIRST and NULLS LAST, and applies LIMIT and OFFSET', async () => {
    const [first] = await records('SELECT ERP_Customer_Number__c FROM Account ORDER BY ERP_Customer_Number__c DESC NULLS FIRST LIMIT 1');
    expect(first.ERP_Customer_Number__c).toBeNull();
    const [last] = await records('SELECT ERP_Customer_Number__c FROM Account ORDER BY ERP_Customer_Number__c DESC NULLS LAST LIMIT 1');
    expect(last.ERP_Customer_Number__c).toBe(one('SELECT MAX(ERP_Customer_Number__c) FROM Account'));
    const page = await records('SELECT Name FROM Product2 ORDER BY ProductCode LIMIT 5 OFFSET 10');
    expect(page.map((r) => r.Name)).toEqual(sql<{ Name: string }>('SELECT Name FROM Product2 ORDER BY ProductCode LIMIT 5 OFFSET 10').map((r) => r.Name));
  });

  it('refuses an OFFSET above 2,000 like Salesforce', async () => {
    const { status, body } = await org.query('SELECT Id FROM Contact LIMIT 10 OFFSET 2001');
    expect(status).toBe(400);
    expect(body[0].errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
  });

  it('pages in batches of 2,000 behind nextRecordsUrl, and honours a smaller batchSize', async () => {
    await createAccounts(Array.from({ length: 2050 }, (_, i) => `Batch Paging ${i}`));
    const first = await org.query("SELECT Id FROM Account WHERE Name LIKE 'Batch Paging%'");
    expect(first.body.totalSize).toBe(2050);
    expect(first.body.done).toBe(false);
    expect(first.body.records).toHaveLength(2000);
    expect(first.body.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);
    const second = await org.api(first.body.nextRecordsUrl);
    expect(second.body).toMatchObject({ totalSize: 2050, done: true });
    expect(second.body.records).toHaveLength(50);
    expect(second.body.nextRecordsUrl).toBeUndefined();

    const seen = new Set<string>();
    let page = await org.api(`/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`, { headers: { 'Sforce-Query-Options': 'batchSize=200' } });
    let pages = 1;
    for (;;) {
      for (const r of page.body.records) seen.add(r.Id);
      if (page.body.done) break;
      expect(page.body.records).toHaveLength(200);
      page = await org.api(page.body.nextRecordsUrl);
      pages++;
    }
    expect(seen.size).toBe(one('SELECT COUNT(*) FROM Contact WHERE IsDeleted = 0'));
    expect(pages).toBe(Math.ceil(seen.size / 200));
  });

  it('rejects an unknown query locator', async () => {
    const { status, body } = await org.api('/query/01g000000000000AAA-2000');
    expect(status).toBe(400);
    expect(body[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('shows deleted records, and their cascaded children, only to queryAll', async () => {
    const accountId = one<string>(
      "SELECT AccountId FROM Contact WHERE IsDeleted = 0 AND AccountId IN (SELECT Id FROM Account WHERE Type = 'Prospect') LIMIT 1",
    );
    const contacts = one<number>('SELECT COUNT(*) FROM Contact WHERE AccountId = ? AND IsDeleted = 0', accountId);
    expect((await org.api(`/sobjects/Account/${accountId}`, { method: 'DELETE' })).status).toBe(204);
    expect(await count(`SELECT COUNT() FROM Account WHERE Id = '${accountId}'`)).toBe(0);
    const all = await org.api(`/queryAll?q=${encodeURIComponent(`SELECT Id, IsDeleted, (SELECT Id FROM Contacts) FROM Account WHERE Id = '${accountId}'`)}`);
    expect(all.body.records).toEqual([expect.objectContaining({ Id: accountId, IsDeleted: true })]);
    expect(all.body.records[0].Contacts.totalSize).toBe(contacts);
    expect(await count(`SELECT COUNT() FROM Contact WHERE AccountId = '${accountId}'`)).toBe(0);
  });
});

describe('errors', () => {
  it('reports unknown fields the way Salesforce words it', async () => {
    const { status, body } = await org.query('SELECT Id, Foo FROM Account');
    expect(status).toBe(400);
    expect(body[0].errorCode).toBe('INVALID_FIELD');
    expect(body[0].message).toContain(
      "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.",
    );
    expect(body[0].message).toContain('ERROR at Row:1:Column:12');
  });

  it('reports unknown relationships and objects', async () => {
    const rel = await org.query('SELECT Id, Foo.Name FROM Account');
    expect(rel.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD', message: expect.stringContaining("Didn't understand relationship 'Foo'") });
    const obj = await org.query('SELECT Id FROM Acount');
    expect(obj.body[0]).toMatchObject({ errorCode: 'INVALID_TYPE', message: expect.stringContaining("sObject type 'Acount' is not supported.") });
    const child = await org.query('SELECT Id, (SELECT Id FROM Kontakts) FROM Account');
    expect(child.body[0].errorCode).toBe('INVALID_TYPE');
  });

  it('reports malformed SOQL', async () => {
    for (const bad of [
      'SELECT FROM Account',
      'SELECT Id FROM Account WHERE Name =',
      "SELECT Id FROM Account WHERE Name = 'a' AND Type = 'b' OR Type = 'c'",
      'SELECT Id, Id FROM Account',
    ]) {
      const { status, body } = await org.query(bad);
      expect(status, bad).toBe(400);
      expect(body[0].errorCode, bad).toBe('MALFORMED_QUERY');
    }
    const missing = await org.api('/query');
    expect(missing.body).toEqual([{ errorCode: 'MALFORMED_QUERY', message: 'A query string has to be specified' }]);
  });

  it('checks literal types against field types', async () => {
    const quotedNumber = await org.query("SELECT Id FROM Opportunity WHERE Amount = '100'");
    expect(quotedNumber.body[0]).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: "value of filter criterion for field 'Amount' must be of type double and should not be enclosed in quotes",
    });
    const badId = await org.query("SELECT Id FROM Account WHERE OwnerId = 'nobody'");
    expect(badId.body[0]).toMatchObject({ errorCode: 'INVALID_QUERY_FILTER_OPERATOR', message: 'invalid ID field: nobody' });
  });
});
