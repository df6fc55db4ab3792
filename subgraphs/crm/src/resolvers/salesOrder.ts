import type { SalesOrderResolvers } from '../__generated__/resolvers-types.js';
import type { OpportunityRecord } from '../connectors/crmConnector.js';
import { KEY_PREFIX, normalizeSalesforceId } from '../../../../lib/native/salesforceId.js';
import type { CrmContext } from '../context.js';
import { matchedAccount, orNull, ownerOf } from './shared.js';

/**
 * The ERP stores the CRM record an order came from in `client_order_ref`:
 * an opportunity id, or the id of the accepted quote (whose opportunity is
 * the origin). Anything else (a customer's PO number, free text) has no CRM origin.
 */
async function originOpportunity(clientOrderRef: string | null | undefined, context: CrmContext): Promise<OpportunityRecord | null> {
  const id = clientOrderRef ? normalizeSalesforceId(clientOrderRef.trim()) : null;
  if (id === null) return null;
  if (id.startsWith(KEY_PREFIX.Opportunity)) return orNull(context.loaders.opportunityById.load(id));
  if (id.startsWith(KEY_PREFIX.Quote)) {
    const quote = await orNull(context.loaders.quoteById.load(id));
    return quote?.opportunityId ? orNull(context.loaders.opportunityById.load(quote.opportunityId)) : null;
  }
  return null;
}

export const SalesOrder: SalesOrderResolvers = {
  __resolveReference: (ref) => ({
    number: ref.number,
    customerNumber: 'customerNumber' in ref ? ref.customerNumber : undefined,
    clientOrderRef: 'clientOrderRef' in ref ? ref.clientOrderRef : undefined,
  }),
  account: (order, _args, context) => matchedAccount(order.customerNumber, context),
  accountOwner: async (order, _args, context) => {
    const account = await matchedAccount(order.customerNumber, context);
    return account ? ownerOf(account, context) : null;
  },
  opportunity: (order, _args, context) => originOpportunity(order.clientOrderRef, context),
};
