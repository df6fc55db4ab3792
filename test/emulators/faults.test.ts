/** The fault rules shared by both emulators: validation, matching, limits, and settings from the environment. */
import { describe, expect, it } from 'vitest';
import { FaultInjector, InjectedFault, parseFaultRules } from '../../emulators/common/faults.js';
import { loadOdooEmulatorConfig } from '../../emulators/odoo/config.js';
import { loadConfig as loadSalesforceEmulatorConfig } from '../../emulators/salesforce/config.js';
import { salesforceFaultTarget } from '../../emulators/salesforce/faultTarget.js';
import { startTestOdoo } from './odoo/helpers.js';

describe('FaultInjector', () => {
  it('matches by model or object and method, case-insensitively, first rule first', async () => {
    const faults = new FaultInjector([
      { match: { object: 'account', method: 'query' }, fault: 'http5xx' },
      { match: { model: 'res.partner' }, fault: 'hang' },
    ]);
    expect(faults.pick({ model: 'Account', method: 'query' })?.fault).toBe('http5xx');
    expect(faults.pick({ model: 'Account', method: 'update' })).toBeUndefined();
    expect(faults.pick({ model: 'res.partner', method: 'write' })?.fault).toBe('hang');
    await expect(faults.before({ model: 'res.partner', method: 'read' })).rejects.toBeInstanceOf(InjectedFault);
  });

  it('stops after `times` hits and counts them; a latency fault delays and lets the call through', async () => {
    const faults = new FaultInjector([{ fault: 'latency', ms: 30, times: 1 }]);
    const started = Date.now();
    await faults.before({ model: 'x', method: 'y' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(faults.pick({ model: 'x', method: 'y' })).toBeUndefined();
    expect(faults.list()[0]!.hits).toBe(1);
  });

  it('counts a replacing fault through the callback it is given', async () => {
    const faults = new FaultInjector([{ fault: 'requestLimitExceeded' }]);
    let counted = 0;
    await expect(faults.before({ model: 'Account', method: 'query' }, () => counted++)).rejects.toBeInstanceOf(InjectedFault);
    expect(counted).toBe(1);
  });

  it("matches an object a call reads beside its own (a query's relationship subqueries)", () => {
    const faults = new FaultInjector([{ match: { object: 'Case' }, fault: 'accessDenied' }]);
    expect(faults.pick({ model: 'Account', method: 'query' })).toBeUndefined();
    expect(faults.pick({ model: 'Account', method: 'query', reads: ['Contact', 'Case'] })?.fault).toBe('accessDenied');
  });

  it('names the objects a Salesforce query reads through subqueries, whatever their select lists hold', () => {
    const target = (soql: string) => salesforceFaultTarget('GET', ['query'], new URL(`http://sf/query?q=${encodeURIComponent(soql)}`));
    expect(
      target(`SELECT Id, (SELECT Id, toLabel(Status) FROM Cases WHERE IsClosed = false), (SELECT Id FROM Contacts) FROM Account WHERE Name = 'a (b) FROM c'`),
    ).toEqual({ model: 'Account', reads: ['Case', 'Contact'], method: 'query' });
    expect(target('SELECT Id FROM Account')).toEqual({ model: 'Account', method: 'query' });
    // A query the emulator answers MALFORMED_QUERY can still be faulted by the object its FROM names.
    expect(target('SELECT Id FROM Account WHERE')).toEqual({ model: 'Account', method: 'query' });
  });

  it('answers accessDenied in Odoo as the AccessError envelope a real Odoo sends', async () => {
    const odoo = await startTestOdoo({ faults: [{ match: { model: 'res.partner' }, fault: 'accessDenied' }] });
    try {
      const error = await odoo.fail('res.partner', 'search_read', [[]], { fields: ['name'], limit: 1 });
      expect(error).toMatchObject({ code: 200, message: 'Odoo Server Error', data: { name: 'odoo.exceptions.AccessError' } });
      expect(error.data.message).toMatch(/You are not allowed to access 'res.partner'/);
      expect(await odoo.call('product.product', 'search_count', [[]])).toBeGreaterThan(0);
    } finally {
      await odoo.stop();
    }
  });

  it('never faults with probability 0', () => {
    const faults = new FaultInjector([{ fault: 'http5xx', probability: 0 }]);
    for (let i = 0; i < 20; i++) expect(faults.pick({ model: 'a', method: 'b' })).toBeUndefined();
  });
});

describe('fault rule validation', () => {
  it.each([
    ['not JSON', /is not JSON/],
    ['{"fault": "http5xx"}', /JSON list of fault rules/],
    ['[{"fault": "explode"}]', /Expected fault rule 1 to have "fault" set to one of latency, http5xx, requestLimitExceeded/],
    ['[{"fault": "http5xx", "status": 404}]', /Expected "status" in fault rule 1 to be a number from 500 to 599, but got 404/],
    ['[{"fault": "latency", "match": {"table": "x"}}]', /Expected "match" in fault rule 1 to hold only string "model", "object" or "method"/],
    ['[{"fault": "http5xx", "probability": 2}]', /"probability" in fault rule 1 to be a number from 0 to 1/],
  ])('refuses %s with a sentence saying what was expected', (json, message) => {
    expect(() => parseFaultRules(json, 'X')).toThrow(message);
  });

  it('accepts {"rules": [...]} as well as a bare list', () => {
    expect(parseFaultRules('{"rules": [{"fault": "hang"}]}')).toHaveLength(1);
  });
});

describe('fault rules from the environment', () => {
  it('are read by both emulators at start', () => {
    const rules = '[{"match": {"model": "sale.order", "method": "read"}, "fault": "http5xx", "times": 2}]';
    expect(loadOdooEmulatorConfig({ ODOO_EMULATOR_FAULTS: rules }).faults).toEqual([
      { match: { model: 'sale.order', method: 'read' }, fault: 'http5xx', times: 2 },
    ]);
    expect(loadSalesforceEmulatorConfig({ SALESFORCE_EMULATOR_FAULTS: '[{"fault": "requestLimitExceeded"}]' }).faults).toEqual([
      { match: {}, fault: 'requestLimitExceeded' },
    ]);
    expect(() => loadOdooEmulatorConfig({ ODOO_EMULATOR_FAULTS: '[{"fault": 1}]' })).toThrow(/ODOO_EMULATOR_FAULTS|fault rule 1/);
  });
});
