/**
 * The REST resources besides query: OAuth, sObject CRUD and upsert,
 * sObject Collections, describe, limits, call counting and latency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../../../emulators/seed/world.js';
import { CREDENTIALS, json, requestToken, startTestOrg, type TestOrg } from './helpers.js';

let org: TestOrg;
const world = buildWorld('small');
const one = <T = unknown>(text: string, ...params: unknown[]) =>
  org.emulator.db
    .prepare(text)
    .pluck()
    .get(...params) as T;

beforeAll(async () => {
  org = await startTestOrg({ dailyApiLimit: 100000 });
});

afterAll(async () => {
  await org.stop();
});

describe('OAuth 2.0 token endpoint', () => {
  it('issues tokens for the password and client_credentials grants', async () => {
    const password = await requestToken(org.emulator.url);
    expect(password.status).toBe(200);
    expect(password.body).toEqual({
      access_token: expect.stringMatching(/^00D\w+!/),
      instance_url: org.emulator.url,
      id: expect.stringMatching(new RegExp(`^${org.emulator.url}/id/00D\\w{15}/005\\w{15}$`)),
      token_type: 'Bearer',
      issued_at: expect.stringMatching(/^\d+$/),
      signature: expect.any(String),
    });
    const client = await requestToken(org.emulator.url, {
      grant_type: 'client_credentials',
      client_id: CREDENTIALS.client_id,
      client_secret: CREDENTIALS.client_secret,
    });
    expect(client.status).toBe(200);
    const res = await fetch(`${org.emulator.url}/services/data/v60.0/sobjects`, { headers: { authorization: `Bearer ${client.body.access_token}` } });
    expect(res.status).toBe(200);
  });

  it('rejects bad credentials with OAuth error bodies', async () => {
    expect(await requestToken(org.emulator.url, { grant_type: 'password', ...CREDENTIALS, password: 'nope' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'authentication failure' },
    });
    expect(await requestToken(org.emulator.url, { grant_type: 'password', ...CREDENTIALS, client_secret: 'nope' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_client' },
    });
    expect((await requestToken(org.emulator.url, { grant_type: 'password', ...CREDENTIALS, client_id: 'nope' })).body.error).toMatch(/^invalid_client/);
    expect((await requestToken(org.emulator.url, { grant_type: 'authorization_code' })).body.error).toBe('unsupported_grant_type');
  });

  it('refuses API calls without a valid bearer token', async () => {
    for (const authorization of ['', 'Bearer not-a-token']) {
      const { status, body } = await org.api('/sobjects/Account/describe', { headers: { authorization } });
      expect(status).toBe(401);
      expect(body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
  });
});

describe('sObject Collections batch read', () => {
  const accounts = world.companies.filter((c) => c.inCrm).slice(0, 3);

  it('answers in input order with null for unknown, malformed and other-type ids, and accepts 15-character ids', async () => {
    const ids = [
      accounts[2]!.crmAccountId!,
      'not-an-id',
      accounts[0]!.crmAccountId!.slice(0, 15),
      '001000000000000AAA',
      world.opportunities[0]!.id,
      accounts[1]!.crmAccountId!,
    ];
    const { status, body } = await org.api('/composite/sobjects/Account', { method: 'POST', ...json({ ids, fields: ['name', 'ERP_Customer_Number__c'] }) });
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${accounts[2]!.crmAccountId}` },
        Id: accounts[2]!.crmAccountId,
        Name: accounts[2]!.name,
        ERP_Customer_Number__c: accounts[2]!.erpNumber,
      },
      null,
      expect.objectContaining({ Id: accounts[0]!.crmAccountId, Name: accounts[0]!.name }),
      null,
      null,
      expect.objectContaining({ Id: accounts[1]!.crmAccountId, Name: accounts[1]!.name }),
    ]);
  });

  it('offers the same through GET, and answers 414 when the URL grows past about 16k characters', async () => {
    const ids = accounts.map((c) => c.crmAccountId!);
    const get = await org.api(`/composite/sobjects/Account?ids=${ids.join(',')}&fields=Name`);
    expect(get.body.map((r: { Name: string }) => r.Name)).toEqual(accounts.map((c) => c.name));
    const many = Array.from({ length: 900 }, () => ids[0]!);
    const tooLong = await org.api(`/composite/sobjects/Account?ids=${many.join(',')}&fields=Name`);
    expect(tooLong.status).toBe(414);
    const post = await org.api('/composite/sobjects/Account', { method: 'POST', ...json({ ids: many, fields: ['Name'] }) });
    expect(post.status).toBe(200);
    expect(post.body).toHaveLength(900);
  });

  it('rejects unknown fields and more than 2,000 ids', async () => {
    const badField = await org.api('/composite/sobjects/Account', { method: 'POST', ...json({ ids: [accounts[0]!.crmAccountId], fields: ['Nmae'] }) });
    expect(badField.status).toBe(400);
    expect(badField.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD', message: expect.stringContaining("No such column 'Nmae' on entity 'Account'") });
    const tooMany = await org.api('/composite/sobjects/Account', {
      method: 'POST',
      ...json({ ids: Array(2001).fill(accounts[0]!.crmAccountId), fields: ['Name'] }),
    });
    expect(tooMany.status).toBe(400);
  });
});

describe('sObject records', () => {
  it('creates, reads, updates and deletes, maintaining system fields', async () => {
    const created = await org.api('/sobjects/Account', { method: 'POST', ...json({ Name: 'Crud Test GmbH', Type: 'Prospect', Segment__c: 'SMB' }) });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^001\w{15}$/), success: true, errors: [] });
    const id = created.body.id as string;

    const read = await org.api(`/sobjects/Account/${id}`);
    expect(read.body).toMatchObject({
      attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${id}` },
      Id: id,
      Name: 'Crud Test GmbH',
      IsDeleted: false,
      OwnerId: expect.stringMatching(/^005/),
      CreatedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/),
    });
    const some = await org.api(`/sobjects/Account/${id.slice(0, 15)}?fields=Name,Type`);
    expect(some.body).toEqual({ attributes: expect.any(Object), Name: 'Crud Test GmbH', Type: 'Prospect', Id: id });

    expect((await org.api(`/sobjects/Account/${id}`, { method: 'PATCH', ...json({ Industry: 'Energy', Phone: '' }) })).status).toBe(204);
    expect((await org.api(`/sobjects/Account/${id}?fields=Industry,Phone`)).body).toMatchObject({ Industry: 'Energy', Phone: null });

    expect((await org.api(`/sobjects/Account/${id}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await org.api(`/sobjects/Account/${id}`, { method: 'DELETE' });
    expect(gone).toMatchObject({ status: 404, body: [{ errorCode: 'ENTITY_IS_DELETED' }] });
  });

  it('answers 404 NOT_FOUND for missing records and unknown sObjects', async () => {
    expect(await org.api('/sobjects/Account/001000000000000AAA')).toMatchObject({
      status: 404,
      body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
    });
    expect((await org.api('/sobjects/Acount/describe')).status).toBe(404);
    expect((await org.api('/sobjects/Account/banana')).body[0].message).toBe('Provided external ID field does not exist or is not accessible: banana');
  });

  it('validates writes like the platform', async () => {
    const err = async (path: string, method: string, body: unknown) => (await org.api(path, { method, ...json(body) })).body[0];
    expect(await err('/sobjects/Opportunity', 'POST', { Name: 'x' })).toEqual({
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [StageName, CloseDate]',
      fields: ['StageName', 'CloseDate'],
    });
    expect(await err('/sobjects/Account', 'POST', { Name: 'x', Colour__c: 'red' })).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: "No such column 'Colour__c' on sobject of type Account",
    });
    expect(await err('/sobjects/Account', 'POST', { Name: 'x', Segment__c: 'Huge' })).toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      fields: ['Segment__c'],
    });
    expect(await err('/sobjects/Contact', 'POST', { LastName: 'x', AccountId: 'garbage' })).toMatchObject({ errorCode: 'MALFORMED_ID', fields: ['AccountId'] });
    expect(await err('/sobjects/Contact', 'POST', { LastName: 'x', AccountId: world.opportunities[0]!.id })).toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
    });
    expect(await err('/sobjects/Contact', 'POST', { LastName: 'x', Email: 'not-an-email' })).toMatchObject({ errorCode: 'INVALID_EMAIL_ADDRESS' });
    expect(await err('/sobjects/Opportunity', 'POST', { Name: 'x', StageName: 'Prospecting', CloseDate: '2026-13-40' })).toMatchObject({
      errorCode: 'JSON_PARSER_ERROR',
    });
    expect(await err(`/sobjects/Opportunity/${world.opportunities[0]!.id}`, 'PATCH', { IsWon: true })).toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['IsWon'],
    });
    expect(await err(`/sobjects/Opportunity/${world.opportunities[0]!.id}`, 'PATCH', { Name: null })).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING' });
    expect(await err('/sobjects/Account', 'POST', { Name: 'x'.repeat(256) })).toMatchObject({ errorCode: 'STRING_TOO_LONG' });
  });

  it('derives formula fields and roll-ups', async () => {
    const accountId = world.companies.find((c) => c.inCrm)!.crmAccountId!;
    const opp = await org.api('/sobjects/Opportunity', {
      method: 'POST',
      ...json({ Name: 'Roll-up test', AccountId: accountId, StageName: 'Negotiation/Review', CloseDate: '2026-12-20', Amount: 10000 }),
    });
    const oppId = opp.body.id as string;
    expect((await org.api(`/sobjects/Opportunity/${oppId}?fields=Probability,IsClosed,IsWon,ExpectedRevenue`)).body).toMatchObject({
      Probability: 80,
      IsClosed: false,
      IsWon: false,
      ExpectedRevenue: 8000,
    });
    await org.api(`/sobjects/Opportunity/${oppId}`, { method: 'PATCH', ...json({ StageName: 'Closed Won' }) });
    expect((await org.api(`/sobjects/Opportunity/${oppId}?fields=Probability,IsClosed,IsWon`)).body).toMatchObject({
      Probability: 100,
      IsClosed: true,
      IsWon: true,
    });

    const book = one<string>('SELECT Id FROM Pricebook2 WHERE IsStandard = 1');
    const entry = org.emulator.db.prepare('SELECT Id, UnitPrice FROM PricebookEntry WHERE Pricebook2Id = ? LIMIT 1').get(book) as {
      Id: string;
      UnitPrice: number;
    };
    const quote = await org.api('/sobjects/Quote', { method: 'POST', ...json({ Name: 'Q', OpportunityId: oppId, Pricebook2Id: book }) });
    const line = { QuoteId: quote.body.id, PricebookEntryId: entry.Id, Quantity: 3, UnitPrice: 100 };
    await org.api('/sobjects/QuoteLineItem', { method: 'POST', ...json({ ...line, Discount: 10 }) });
    await org.api('/sobjects/QuoteLineItem', { method: 'POST', ...json(line) });
    expect((await org.api(`/sobjects/Quote/${quote.body.id}?fields=Subtotal,TotalPrice,Discount,LineItemCount,AccountId`)).body).toMatchObject({
      Subtotal: 600,
      TotalPrice: 570,
      Discount: 5,
      LineItemCount: 2,
      AccountId: accountId,
    });
  });

  it('upserts by external id: 201 created, 200 updated, 300 when several records share the value', async () => {
    const path = '/sobjects/Account/ERP_Customer_Number__c/C77777';
    const created = await org.api(path, { method: 'PATCH', ...json({ Name: 'Upsert AG' }) });
    expect(created).toMatchObject({ status: 201, body: { id: expect.any(String), success: true, errors: [], created: true } });
    const updated = await org.api(path, { method: 'PATCH', ...json({ Name: 'Upsert AG (renamed)' }) });
    expect(updated).toMatchObject({ status: 200, body: { id: created.body.id, success: true, errors: [], created: false } });
    expect((await org.api(path)).body).toMatchObject({ Id: created.body.id, Name: 'Upsert AG (renamed)', ERP_Customer_Number__c: 'C77777' });

    const conflict = world.companies.find((c) => c.conflictingCrmAccountId)!;
    const multiple = await org.api(`/sobjects/Account/ERP_Customer_Number__c/${conflict.erpNumber}`, { method: 'PATCH', ...json({ Name: 'Never' }) });
    expect(multiple.status).toBe(300);
    expect(multiple.body.sort()).toEqual(
      [conflict.crmAccountId, conflict.conflictingCrmAccountId].map((id) => `/services/data/v60.0/sobjects/Account/${id}`).sort(),
    );
    expect((await org.api(`/sobjects/Account/ERP_Customer_Number__c/${conflict.erpNumber}`)).status).toBe(300);
    expect((await org.api('/sobjects/Account/Name/Whatever', { method: 'PATCH', ...json({}) })).status).toBe(404);
  });

  it('lists records updated and deleted in a time window', async () => {
    const window = (from: number, to: number) =>
      `start=${encodeURIComponent(new Date(from).toISOString())}&end=${encodeURIComponent(new Date(to).toISOString())}`;
    const started = Date.now() - 1000;
    const kept = await org.api('/sobjects/Lead', { method: 'POST', ...json({ LastName: 'Kept', Company: 'Window Co' }) });
    const dropped = await org.api('/sobjects/Lead', { method: 'POST', ...json({ LastName: 'Dropped', Company: 'Window Co' }) });
    await org.api(`/sobjects/Lead/${dropped.body.id}`, { method: 'DELETE' });
    const updated = await org.api(`/sobjects/Lead/updated/?${window(started, Date.now() + 60000)}`);
    expect(updated.body.ids).toContain(kept.body.id);
    expect(updated.body.ids).not.toContain(dropped.body.id);
    const deleted = await org.api(`/sobjects/Lead/deleted/?${window(started, Date.now() + 60000)}`);
    expect(deleted.body.deletedRecords).toEqual([{ id: dropped.body.id, deletedDate: expect.any(String) }]);
    expect((await org.api('/sobjects/Lead/updated/')).status).toBe(400);
  });

  it('sets lookups through a parent external id in the body', async () => {
    const company = world.companies.find((c) => c.inCrm && c.erpNumber && !c.conflictingCrmAccountId)!;
    const res = await org.api('/sobjects/Contact', { method: 'POST', ...json({ LastName: 'Ref', Account: { ERP_Customer_Number__c: company.erpNumber } }) });
    expect((await org.api(`/sobjects/Contact/${res.body.id}?fields=AccountId`)).body.AccountId).toBe(company.crmAccountId);
  });
});

describe('sObject Collections writes', () => {
  it('creates records and rolls all back with allOrNone when one fails', async () => {
    const ok = await org.api('/composite/sobjects', {
      method: 'POST',
      ...json({
        allOrNone: false,
        records: [
          { attributes: { type: 'Lead' }, LastName: 'A', Company: 'X' },
          { attributes: { type: 'Lead' }, LastName: 'B' },
        ],
      }),
    });
    expect(ok.body).toEqual([
      { id: expect.stringMatching(/^00Q/), success: true, errors: [] },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Company]', fields: ['Company'] }] },
    ]);
    const before = one<number>('SELECT COUNT(*) FROM Lead');
    const rolledBack = await org.api('/composite/sobjects', {
      method: 'POST',
      ...json({
        allOrNone: true,
        records: [
          { attributes: { type: 'Lead' }, LastName: 'C', Company: 'X' },
          { attributes: { type: 'Lead' }, LastName: 'D' },
        ],
      }),
    });
    expect(rolledBack.body[0].errors[0].statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(one<number>('SELECT COUNT(*) FROM Lead')).toBe(before);
  });
});

describe('describe', () => {
  it('describes objects from the metadata registry', async () => {
    const { body } = await org.api('/sobjects/Account/describe');
    expect(body).toMatchObject({ name: 'Account', keyPrefix: '001', custom: false });
    const field = (name: string) => body.fields.find((f: { name: string }) => f.name === name);
    expect(field('ERP_Customer_Number__c')).toMatchObject({ type: 'string', externalId: true, unique: false, custom: true });
    expect(field('OwnerId')).toMatchObject({ type: 'reference', referenceTo: ['User'], relationshipName: 'Owner' });
    expect(field('Segment__c').picklistValues.map((p: { value: string }) => p.value)).toEqual(['Enterprise', 'Mid-Market', 'SMB']);
    expect(body.childRelationships).toContainEqual(expect.objectContaining({ childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' }));
    const global = await org.api('/sobjects');
    expect(global.body.sobjects.map((s: { name: string }) => s.name)).toContain('QuoteLineItem');
    const versions = await fetch(`${org.emulator.url}/services/data`).then((r) => r.json());
    expect(versions).toContainEqual({ label: "Spring '24", url: '/services/data/v60.0', version: '60.0' });
  });
});

describe('limits, call counting and latency', () => {
  it('reports API usage on every response and refuses calls beyond the daily allocation', async () => {
    const small = await startTestOrg({ dailyApiLimit: 3 });
    try {
      const first = await small.api('/limits');
      expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/3');
      expect(first.body.DailyApiRequests).toEqual({ Max: 3, Remaining: 2 });
      await small.query('SELECT Id FROM Account LIMIT 1');
      expect((await small.api('/sobjects')).headers.get('sforce-limit-info')).toBe('api-usage=3/3');
      const refused = await small.query('SELECT Id FROM Account LIMIT 1');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
      expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    } finally {
      await small.stop();
    }
  });

  it('counts native calls per sObject and operation, exposed under /__emulator/calls', async () => {
    await org.api('/__emulator/calls', { method: 'DELETE' });
    const id = world.opportunities[1]!.id;
    await org.query('SELECT Id FROM Opportunity LIMIT 1');
    await org.api(`/sobjects/Opportunity/${id}`);
    await org.api('/composite/sobjects/Opportunity', { method: 'POST', ...json({ ids: [id], fields: ['Name'] }) });
    await org.api(`/sobjects/Opportunity/${id}`, { method: 'PATCH', ...json({ NextStep: 'Call' }) });
    await org.api('/sobjects/Opportunity/describe');
    await org.api('/sobjects/Account/ERP_Customer_Number__c/C88888', { method: 'PATCH', ...json({ Name: 'Counted' }) });
    await requestToken(org.emulator.url);
    const { body } = await org.api('/__emulator/calls');
    expect(body).toEqual({
      total: 7,
      calls: {
        'Account.upsert': 1,
        'Opportunity.composite_read': 1,
        'Opportunity.describe': 1,
        'Opportunity.query': 1,
        'Opportunity.retrieve': 1,
        'Opportunity.update': 1,
        'oauth.token': 1,
      },
    });
  });

  it('delays each call by the latency set through /__emulator/latency', async () => {
    expect((await org.api('/__emulator/latency', { method: 'PUT', ...json({ ms: 60 }) })).body).toEqual({ ms: 60 });
    const started = Date.now();
    await org.query('SELECT Id FROM Account LIMIT 1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    await org.api('/__emulator/latency', { method: 'PUT', ...json({ ms: 0 }) });
    expect(org.emulator.latency.ms).toBe(0);
  });
});
