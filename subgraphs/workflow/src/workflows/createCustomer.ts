/**
 * A new customer in both systems, ERP first (it owns customer master data and
 * hands out the number), then the CRM account.
 *
 *   1. ERP: a partner already created under this idempotency key
 *      (`res.partner.x_idempotency_key`, a custom field as Odoo Studio adds them)
 *      is reused; otherwise the next free `C`-number is taken — highest `ref`
 *      (`order: 'ref desc', limit: 1`) plus one — and the partner created with
 *      it. Numbering runs under one lock ("customer-number"), so two requests
 *      in this process (or, with Redis, in any replica) never take one number.
 *   2. CRM: upsert the account by its external id
 *      (`PATCH /sobjects/Account/ERP_Customer_Number__c/<n>`): idempotent by
 *      construction, so a retry updates the account the first run created.
 *
 * If the CRM write fails the ERP customer is kept, not deleted: the ERP is the
 * customer's system of record, a customer missing from the CRM is a state the
 * graph already reports (`Customer.crmIdentity: MISSING`), and a retry with the
 * same key completes the CRM side. The result says exactly that.
 */
import { GraphQLError } from 'graphql';
import type { Crm } from '../connectors/crm.js';
import type { Erp } from '../connectors/erp.js';
import { OdooError } from '../../../../lib/native/odooClient.js';
import type { CreateCustomerInput, CreateCustomerResult, WorkflowStep } from '../__generated__/resolvers-types.js';
import { describeFailure, type WorkflowLog } from './log.js';

export interface CreateCustomerDeps {
  erp: Erp;
  crm: Crm;
  log: WorkflowLog;
  /** Serialises customer numbering across requests (and replicas when configured). */
  exclusive: <T>(key: string, work: () => Promise<T>) => Promise<T>;
}

const NUMBER = /^C(\d+)$/;

/** The number after `highest`, keeping its width (C00042 → C00043); C00001 when there is none. */
export function nextCustomerNumber(highest: string | null): string {
  const match = highest ? NUMBER.exec(highest) : null;
  if (!match) return 'C00001';
  const digits = match[1]!;
  return `C${String(Number(digits) + 1).padStart(digits.length, '0')}`;
}

export function validateCustomerInput(input: CreateCustomerInput, idempotencyKey: string): void {
  const bad = (message: string, argumentName: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argumentName } });
  if (!/^[\x21-\x7e]{8,100}$/.test(idempotencyKey)) {
    throw bad(
      `Expected idempotencyKey to be 8 to 100 printable characters without spaces (a UUID is ideal), but got ${JSON.stringify(idempotencyKey)}.`,
      'idempotencyKey',
    );
  }
  if (input.name.trim() === '') throw bad("Expected input.name to be the customer's name, but it is empty.", 'input');
  if (input.countryCode != null && !/^[A-Za-z]{2}$/.test(input.countryCode)) {
    throw bad(`Expected input.countryCode to be an ISO 3166 two-letter code such as DE, but got ${JSON.stringify(input.countryCode)}.`, 'input');
  }
  if (input.email != null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.email)) {
    throw bad(`Expected input.email to be an e-mail address, but got ${JSON.stringify(input.email)}.`, 'input');
  }
}

export async function createCustomer(input: CreateCustomerInput, idempotencyKey: string, deps: CreateCustomerDeps): Promise<CreateCustomerResult> {
  const { erp, crm, log } = deps;
  const steps: WorkflowStep[] = [];
  const step = (system: 'ERP' | 'CRM', action: string, status: WorkflowStep['status'], reference?: string | null, detail?: string) =>
    steps.push({ system, action, status, reference: reference ?? null, detail: detail ?? null });
  let customerNumber: string | null = null;
  const finish = (outcome: CreateCustomerResult['outcome'], message: string, accountId: string | null = null): CreateCustomerResult => {
    log(outcome === 'COMPLETED' ? 'info' : 'warn', 'createCustomer', {
      idempotencyKey,
      outcome,
      message,
      customerNumber,
      accountId,
      steps: steps.map((s) => `${s.system} ${s.action}: ${s.status}${s.reference ? ` [${s.reference}]` : ''}${s.detail ? ` (${s.detail})` : ''}`),
    });
    return { outcome, message, customerNumber, accountId, steps, replayed: false };
  };

  // 1. ERP: find or create, numbering under the lock.
  try {
    customerNumber = await deps.exclusive('customer-number', async () => {
      const existing = await erp.partnerByIdempotencyKey(idempotencyKey);
      if (existing?.number) {
        step('ERP', 'res.partner.create', 'ALREADY_DONE', existing.number, 'Created by an earlier request with this idempotency key.');
        return existing.number;
      }
      let number = nextCustomerNumber(await erp.highestCustomerNumber());
      const countryId = input.countryCode ? await erp.countryId(input.countryCode) : null;
      if (input.countryCode && countryId === null) {
        throw new GraphQLError(`Expected input.countryCode to be a country the ERP knows, but ${JSON.stringify(input.countryCode)} is not one.`, {
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'input' },
        });
      }
      const vals: Record<string, unknown> = { name: input.name.trim(), ref: number, x_idempotency_key: idempotencyKey };
      if (input.email) vals.email = input.email;
      if (input.phone) vals.phone = input.phone;
      if (input.vat) vals.vat = input.vat;
      if (input.city) vals.city = input.city;
      if (countryId !== null) vals.country_id = countryId;
      let partnerId: number;
      try {
        partnerId = await erp.createCustomer(vals);
      } catch (error) {
        // No answer does not mean not created: look for it by the key before reporting.
        const found = await erp.partnerByIdempotencyKey(idempotencyKey).catch(() => null);
        if (!found?.number) throw error;
        partnerId = found.id;
      }
      // Create-then-verify, for replicas without a shared lock: the oldest holder keeps a number, a later one moves on.
      for (let attempt = 0; attempt < 5; attempt++) {
        const holders = await erp.partnerIdsWithRef(number);
        if (holders.length <= 1 || holders[0] === partnerId) break;
        const taken = number;
        number = nextCustomerNumber(await erp.highestCustomerNumber());
        await erp.setCustomerNumber(partnerId, number);
        step('ERP', 'res.partner.write ref', 'DONE', number, `${taken} was taken at the same moment by another request; renumbered.`);
      }
      step('ERP', 'res.partner.create', 'DONE', number);
      return number;
    });
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    step('ERP', 'res.partner.create', 'FAILED', null, describeFailure(error));
    step('CRM', 'Account.upsert ERP_Customer_Number__c', 'NOT_ATTEMPTED');
    return finish(
      error instanceof OdooError ? 'REFUSED' : 'FAILED',
      `The ERP did not create the customer (${describeFailure(error)}); the CRM was not touched. Retrying with the same idempotency key is safe: it reuses a customer the ERP may have created after all.`,
    );
  }

  // 2. CRM: upsert by the ERP number (creates the account, or updates the one an earlier run created).
  const fields: Record<string, unknown> = { Name: input.name.trim(), Type: 'Customer' };
  if (input.phone) fields.Phone = input.phone;
  if (input.industry) fields.Industry = input.industry;
  if (input.segment) fields.Segment__c = input.segment;
  try {
    const { id, created } = await crm.upsertAccountByErpNumber(customerNumber, fields);
    step(
      'CRM',
      'Account.upsert ERP_Customer_Number__c',
      created ? 'DONE' : 'ALREADY_DONE',
      id || customerNumber,
      created ? 'Account created.' : 'Account existed and was updated.',
    );
    return finish('COMPLETED', `Customer ${customerNumber} exists in the ERP and as CRM account ${id || '(id not returned)'}.`, id || null);
  } catch (error) {
    step('CRM', 'Account.upsert ERP_Customer_Number__c', 'FAILED', customerNumber, describeFailure(error));
    return finish(
      'INCOMPLETE',
      `Customer ${customerNumber} exists in the ERP, but the CRM account was not written (${describeFailure(error)}). It is kept in the ERP (the system of record) and shows as missing from the CRM; calling createCustomer again with the same idempotency key writes the account.`,
    );
  }
}
