/** Which cache entries each native change makes stale: ERP write_date changes and Salesforce change events. */
import { describe, expect, it } from 'vitest';
import { erpInvalidations } from '../../subgraphs/erp/src/cacheInvalidation.js';
import { crmInvalidations, mergeInvalidations } from '../../subgraphs/crm/src/cacheInvalidation.js';

const change = (model: string, id: number, keys: Record<string, string | number | null>) => ({ model, id, writeDate: '2026-11-27 10:00:00', keys });
const keysOf = (events: ReturnType<typeof erpInvalidations>, type: string) => events.find((e) => e.type === type)?.keys;

describe('erpInvalidations', () => {
  it('drops a partner under each of its keys, and every cached customer page', () => {
    const events = erpInvalidations([change('res.partner', 7, { ref: 'C00007' })]);
    expect(keysOf(events, 'erp.partner')).toEqual(['id:7', 'ref:C00007']);
    expect(keysOf(events, 'erp.pages.partner')).toBe('*');
    expect(keysOf(events, 'erp.pages.partnerWithBalance')).toBe('*');
    expect(events.every((e) => e.system === 'erp')).toBe(true);
  });

  it("drops an invoice's balances under its partner and its company, and every customer page that carries balances", () => {
    const events = erpInvalidations([change('account.move', 40, { partner_id: 31, commercial_partner_id: 7 })]);
    expect(keysOf(events, 'erp.balanceDue')).toEqual(['31', '7']);
    expect(keysOf(events, 'erp.invoicesByPartner')).toEqual(['31']);
    expect(keysOf(events, 'erp.pages.partnerWithBalance')).toBe('*');
    // Pages without balances show nothing an invoice changes.
    expect(keysOf(events, 'erp.pages.partner')).toBeUndefined();
  });

  it('drops the product a stock move touched, by id and by the SKU read for it', () => {
    const events = erpInvalidations([change('stock.quant', 3, { product_id: 12 })], new Map([[12, 'SKU-12']]));
    expect(keysOf(events, 'erp.product')).toEqual(['id:12', 'sku:SKU-12']);
  });

  it("drops an order, its customer's order list and its CRM reference list; lines by order number", () => {
    const events = erpInvalidations([
      change('sale.order', 5, { name: 'S00005', partner_id: 9, client_order_ref: '006000000000001AAA' }),
      change('sale.order.line', 50, { order_id: 5, 'order_id.display_name': 'S00005' }),
    ]);
    expect(keysOf(events, 'erp.order')).toEqual(['S00005']);
    expect(keysOf(events, 'erp.ordersByPartner')).toEqual(['9']);
    expect(keysOf(events, 'erp.ordersByRef')).toEqual(['006000000000001AAA']);
    expect(keysOf(events, 'erp.orderLines')).toEqual(['S00005']);
  });

  it('drops BOM lines by the template their BOM makes, when a line or the BOM changes', () => {
    const events = erpInvalidations([change('mrp.bom.line', 70, { parent_product_tmpl_id: 12 }), change('mrp.bom', 8, { product_tmpl_id: 13 })]);
    expect(keysOf(events, 'erp.bomLinesByTemplate')).toEqual(['12', '13']);
    expect(keysOf(events, 'erp.bomsByTemplate')).toEqual(['13']);
  });

  it('drops every product when a template changes, as variants share its price and name', () => {
    expect(keysOf(erpInvalidations([change('product.template', 1, {}), change('product.product', 2, { default_code: 'X' })]), 'erp.product')).toBe('*');
  });
});

describe('crmInvalidations', () => {
  const header = (entityName: string, changeType: string, recordIds: string[], changedFields: string[] = []) => ({
    entityName,
    changeType: changeType as 'UPDATE',
    recordIds,
    changedFields,
    changeOrigin: 'com/salesforce/api/rest/60.0',
    commitTimestamp: 0,
  });

  it('drops an updated account by id, and the by-number lists that hold whole accounts', () => {
    const events = crmInvalidations({ ChangeEventHeader: header('Account', 'UPDATE', ['001000000000001AAA'], ['Name']) });
    expect(events).toContainEqual({ system: 'crm', type: 'crm.account', keys: ['001000000000001AAA'], reason: 'AccountChangeEvent UPDATE' });
    expect(events.find((e) => e.type === 'crm.accountsByErpNumber')?.keys).toBe('*');
  });

  it('narrows a created account to its ERP number, and a created contact to its account', () => {
    const account = crmInvalidations({ ChangeEventHeader: header('Account', 'CREATE', ['001000000000002AAA']), ERP_Customer_Number__c: 'C00099' });
    expect(account.find((e) => e.type === 'crm.accountsByErpNumber')?.keys).toEqual(['C00099']);
    const contact = crmInvalidations({ ChangeEventHeader: header('Contact', 'CREATE', ['003000000000001AAA']), AccountId: '001000000000002AAA' });
    expect(keysOf(contact, 'crm.contactsByAccount')).toEqual(['001000000000002AAA']);
    // The event names the account, not the ERP number on it: every by-number list of contacts goes.
    expect(keysOf(contact, 'crm.contactsByErpNumber')).toBe('*');
    expect(contact).toHaveLength(2);
  });

  it('drops the by-number lists of contacts, opportunities and cases when an account (and so its number) changes', () => {
    const updated = crmInvalidations({ ChangeEventHeader: header('Account', 'UPDATE', ['001000000000001AAA'], ['ERP_Customer_Number__c']) });
    for (const type of ['crm.contactsByErpNumber', 'crm.openOpportunitiesByErpNumber', 'crm.openCasesByErpNumber']) expect(keysOf(updated, type)).toBe('*');
    // A new account has no children yet; only the account lists of its number are stale.
    const created = crmInvalidations({ ChangeEventHeader: header('Account', 'CREATE', ['001000000000002AAA']), ERP_Customer_Number__c: 'C00099' });
    expect(created.map((e) => e.type).sort()).toEqual(['crm.account', 'crm.accountsByErpNumber']);
  });

  it('drops the by-number lists an opportunity, its line item or a case belongs to', () => {
    const opportunity = crmInvalidations({ ChangeEventHeader: header('Opportunity', 'UPDATE', ['006000000000001AAA'], ['StageName']) });
    expect(keysOf(opportunity, 'crm.openOpportunitiesByErpNumber')).toBe('*');
    const lineItem = crmInvalidations({ ChangeEventHeader: header('OpportunityLineItem', 'CREATE', ['00k000000000001AAA']) });
    expect(keysOf(lineItem, 'crm.openOpportunitiesByErpNumber')).toBe('*');
    const supportCase = crmInvalidations({ ChangeEventHeader: header('Case', 'UPDATE', ['500000000000001AAA'], ['Status']) });
    expect(keysOf(supportCase, 'crm.openCasesByErpNumber')).toBe('*');
  });

  it('drops everything from the CRM on a gap event', () => {
    const events = crmInvalidations({ ChangeEventHeader: header('Account', 'GAP_UPDATE', []) });
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((e) => e.keys === '*')).toBe(true);
  });

  it('merges a burst into one invalidation per type', () => {
    const merged = mergeInvalidations([
      { system: 'crm', type: 'crm.account', keys: ['a'], reason: 'x' },
      { system: 'crm', type: 'crm.account', keys: ['b', 'a'], reason: 'x' },
      { system: 'crm', type: 'crm.user', keys: ['u'], reason: 'x' },
      { system: 'crm', type: 'crm.user', keys: '*', reason: 'x' },
    ]);
    expect(merged).toEqual([
      { system: 'crm', type: 'crm.account', keys: ['a', 'b'], reason: 'x' },
      { system: 'crm', type: 'crm.user', keys: '*', reason: 'x' },
    ]);
  });
});
