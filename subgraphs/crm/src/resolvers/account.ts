import type { AccountResolvers, CustomerResolvers, CrmIdentity } from '../__generated__/resolvers-types.js';
import type { AccountRecord } from '../connectors/crmConnector.js';
import { matchedAccount, ofMatchedAccount, orNull, ownerOf } from './shared.js';

export const Account: AccountResolvers = {
  // Malformed or unknown ids resolve to null: a representation is another subgraph's data, not the caller's input.
  __resolveReference: (ref, context) => orNull(context.loaders.accountById.load(ref.id)),
  customer: (account) => (account.erpCustomerNumber ? { number: account.erpCustomerNumber } : null),
  owner: (account, _args, context) => ownerOf(account, context),
  contacts: (account, _args, context) => context.loaders.contactsByAccountId.load(account.id),
  openOpportunities: (account, _args, context) => context.loaders.openOpportunitiesByAccountId.load(account.id),
  openCases: (account, _args, context) => context.loaders.openCasesByAccountId.load(account.id),
};

function identity(accounts: AccountRecord[]): CrmIdentity {
  if (accounts.length === 0) return 'MISSING';
  return accounts.length === 1 ? 'MATCHED' : 'CONFLICT';
}

/**
 * The CRM's side of an ERP customer. Everything here is read from the one
 * account that carries the number; with none or several (MISSING, CONFLICT)
 * the account-derived fields are null or empty, so nothing is ever merged.
 */
export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ number: ref.number }),
  crmIdentity: async (customer, _args, context) => identity(await context.loaders.accountsByErpNumber.load(customer.number)),
  crmAccounts: (customer, _args, context) => context.loaders.accountsByErpNumber.load(customer.number),
  account: (customer, _args, context) => matchedAccount(customer.number, context),
  accountId: async (customer, _args, context) => (await matchedAccount(customer.number, context))?.id ?? null,
  segment: async (customer, _args, context) => (await matchedAccount(customer.number, context))?.segment ?? null,
  industry: async (customer, _args, context) => (await matchedAccount(customer.number, context))?.industry ?? null,
  owner: async (customer, _args, context) => {
    const account = await matchedAccount(customer.number, context);
    return account ? ownerOf(account, context) : null;
  },
  contacts: (customer, _args, context) => ofMatchedAccount(customer.number, context, (n) => context.loaders.contactsByErpNumber.load(n)),
  openOpportunities: (customer, _args, context) => ofMatchedAccount(customer.number, context, (n) => context.loaders.openOpportunitiesByErpNumber.load(n)),
  openCases: (customer, _args, context) => ofMatchedAccount(customer.number, context, (n) => context.loaders.openCasesByErpNumber.load(n)),
};
