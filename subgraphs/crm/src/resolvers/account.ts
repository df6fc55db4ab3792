import type DataLoader from 'dataloader';
import type { AccountResolvers, CustomerResolvers, CrmIdentity } from '../__generated__/resolvers-types.js';
import type { AccountRecord } from '../connectors/crmConnector.js';
import type { CrmContext } from '../context.js';
import type { CustomerCrmRecords, CustomerParent, Settled } from '../mappers.js';
import { selectedFieldNames } from '../../../../lib/selectedFields.js';
import { keptFor, matchedOf, ofMatchedAccount, orNull, ownerOf } from './shared.js';

export const Account: AccountResolvers = {
  // Malformed or unknown ids resolve to null: a representation is another subgraph's data, not the caller's input.
  __resolveReference: (ref, context) => orNull(context.loaders.accountById.load(ref.id)),
  customer: (account) => (account.erpCustomerNumber ? { number: account.erpCustomerNumber } : null),
  owner: (account, _args, context) => ownerOf(account, context),
  contacts: (account, _args, context) => context.loaders.contactsByAccountId.load(account.id),
  openOpportunities: (account, _args, context) => context.loaders.openOpportunitiesByAccountId.load(account.id),
  openCases: (account, _args, context) => context.loaders.openCasesByAccountId.load(account.id),
};

/**
 * The CRM's side of an ERP customer. Everything here is read from the one
 * account that carries the number; with none or several (MISSING, CONFLICT)
 * the account-derived fields are null or empty, so nothing is ever merged.
 * A customer resolved as an entity carries its records (`crm`); one reached
 * through another CRM field (an account's `customer`) loads them field by field.
 */
export const Customer: CustomerResolvers = {
  __resolveReference: async (ref, context, info) => {
    const selected = selectedFieldNames(info, 'Customer');
    // The key alone (or only fields of other resolver maps) costs no native call.
    if (![...selected].some((field) => field in Customer && field !== '__resolveReference')) return { number: ref.number };
    return { number: ref.number, crm: await loadCustomerCrm(ref.number, context, selected) };
  },
  crmIdentity: (customer, _args, context) => then(accountsOf(customer, context), identity),
  crmAccounts: (customer, _args, context) => accountsOf(customer, context),
  account: (customer, _args, context) => then(accountsOf(customer, context), matchedOf),
  accountId: (customer, _args, context) => then(accountsOf(customer, context), (accounts) => matchedOf(accounts)?.id ?? null),
  segment: (customer, _args, context) => then(accountsOf(customer, context), (accounts) => matchedOf(accounts)?.segment ?? null),
  industry: (customer, _args, context) => then(accountsOf(customer, context), (accounts) => matchedOf(accounts)?.industry ?? null),
  owner: (customer, _args, context) =>
    then(accountsOf(customer, context), (accounts) => {
      const account = matchedOf(accounts);
      return account ? ownerOf(account, context) : null;
    }),
  contacts: (customer, _args, context) =>
    listOf(customer.crm?.contacts) ?? ofMatchedAccount(customer.number, context, (n) => context.loaders.contactsByErpNumber.load(n)),
  openOpportunities: (customer, _args, context) =>
    listOf(customer.crm?.openOpportunities) ?? ofMatchedAccount(customer.number, context, (n) => context.loaders.openOpportunitiesByErpNumber.load(n)),
  openCases: (customer, _args, context) =>
    listOf(customer.crm?.openCases) ?? ofMatchedAccount(customer.number, context, (n) => context.loaders.openCasesByErpNumber.load(n)),
};

function identity(accounts: AccountRecord[]): CrmIdentity {
  if (accounts.length === 0) return 'MISSING';
  return accounts.length === 1 ? 'MATCHED' : 'CONFLICT';
}

/**
 * Everything the selected fields of a customer entity read, loaded together. Field by field, a page
 * of 50 customers costs a promise chain per field per customer, nearly all waiting on the same account
 * lookup: a fifth of this subgraph's CPU for a customer-360 page. The selected lists are read by
 * ERP number beside the account lookup, as field by field, so no native call is added or delayed.
 */
async function loadCustomerCrm(number: string, context: CrmContext, selected: ReadonlySet<string>): Promise<CustomerCrmRecords> {
  const { loaders } = context;
  const read = <T>(field: string, byErpNumber: DataLoader<string, T[]>) => (selected.has(field) ? byErpNumber.load(number) : undefined);
  const [accounts, contacts, openOpportunities, openCases] = await Promise.allSettled([
    loaders.accountsByErpNumber.load(number),
    read('contacts', loaders.contactsByErpNumber),
    read('openOpportunities', loaders.openOpportunitiesByErpNumber),
    read('openCases', loaders.openCasesByErpNumber),
  ]);
  // Only the matched account's records are kept, as ofMatchedAccount does; a failed lookup fails each list.
  const account = accounts.status === 'fulfilled' ? matchedOf(accounts.value) : null;
  const ofAccount = <T extends { accountId?: string | null }>(records: Settled<T[] | undefined>): Settled<T[]> | undefined => {
    if (records.status === 'fulfilled' && records.value === undefined) return undefined;
    if (accounts.status === 'rejected') return accounts;
    if (records.status === 'rejected') return records;
    return { status: 'fulfilled', value: keptFor(account, records.value!) };
  };
  return { accounts, contacts: ofAccount(contacts), openOpportunities: ofAccount(openOpportunities), openCases: ofAccount(openCases) };
}

function unwrap<T>(settled: Settled<T>): T {
  if (settled.status === 'rejected') throw settled.reason;
  return settled.value;
}

function accountsOf(customer: CustomerParent, context: CrmContext): AccountRecord[] | Promise<AccountRecord[]> {
  return customer.crm ? unwrap(customer.crm.accounts) : context.loaders.accountsByErpNumber.load(customer.number);
}

function listOf<T>(settled: Settled<T[]> | undefined): T[] | undefined {
  return settled && unwrap(settled);
}

/** `next` applied at once to a value, or once a promise resolves: a value stays a value, with nothing for graphql-js to wait on. */
function then<T, R>(value: T | Promise<T>, next: (value: T) => R): R | Promise<Awaited<R>> {
  return value instanceof Promise ? (value.then(next) as Promise<Awaited<R>>) : next(value);
}
