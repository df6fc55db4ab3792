/**
 * Area 2, products: quotes, their lines and price books; each line checked
 * against the ERP's list price, stock and cost (received through @requires).
 * Customer-specific pricing: an account is quoted from the active price book of
 * its segment (Pricebook2.Segment__c), else from the standard book.
 * Area 3 (CRM side of workflow): the quote's approval processes.
 * Area 8 (orders): the ERP order a quote became, by ERP_Order_Number__c.
 */
import type {
  AccountResolvers,
  CustomerResolvers,
  OpportunityResolvers,
  PriceBookEntryResolvers,
  ProductResolvers,
  QueryResolvers,
  QuoteApprovalResolvers,
  QuoteLineResolvers,
  QuoteResolvers,
} from '../../__generated__/resolvers-types.js';
import type { AccountRecord, PriceBookEntryRecord, QuoteLineRecord } from '../../connectors/crmConnector.js';
import type { PriceBookRecord } from '../../connectors/areasConnector.js';
import type { CrmContext } from '../../context.js';
import { matchedAccount, money, orNull, rootId } from '../shared.js';

/** The price book the account is quoted from: its segment's active book, else the standard one. */
async function priceBookFor(account: AccountRecord | null, context: CrmContext): Promise<PriceBookRecord | null> {
  const books = await context.areas.priceBooks();
  const bySegment = account?.segment ? books.find((b) => b.segment === account.segment) : undefined;
  return bySegment ?? books.find((b) => b.isStandard) ?? null;
}

function netUnitPrice(line: QuoteLineRecord): number {
  return Math.round(line.unitPrice * (1 - (line.discountPercent ?? 0) / 100) * 100) / 100;
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const Query: QueryResolvers = {
  quote: (_root, args, context) => {
    const id = rootId('Quote', args.id, 'id');
    return id ? orNull(context.loaders.quoteById.load(id)) : null;
  },
  quotes: (_root, args, context) => {
    const accountId = args.accountId ? rootId('Account', args.accountId, 'accountId') : null;
    if (args.accountId && !accountId) return [];
    return context.areas.run((c) => c.quotes({ status: args.status, accountId }, args.first));
  },
  priceBooks: (_root, _args, context) => context.areas.priceBooks(),
};

export const Quote: QuoteResolvers = {
  // Malformed or unknown ids resolve to null: a representation is another subgraph's data, not the caller's input.
  __resolveReference: (ref, context) => orNull(context.loaders.quoteById.load(ref.id)),
  number: (quote) => quote.number ?? null,
  contact: (quote, _args, context) => (quote.contactId ? orNull(context.areas.contactById.load(quote.contactId)) : null),
  priceBook: async (quote, _args, context) => (await context.areas.priceBooks()).find((b) => b.id === quote.priceBookId) ?? null,
  lines: (quote, _args, context) => context.areas.quoteLinesByQuoteId.load(quote.id),
  maxDiscountPercent: async (quote, _args, context) => {
    const discounts = (await context.areas.quoteLinesByQuoteId.load(quote.id)).map((l) => l.discountPercent ?? 0);
    return discounts.length === 0 ? null : Math.max(...discounts);
  },
  erpOrderNumber: (quote) => quote.erpOrderNumber ?? null,
  salesOrder: (quote) => (quote.erpOrderNumber ? { number: quote.erpOrderNumber } : null),
  approvals: (quote, _args, context) => context.areas.approvalsByQuoteId.load(quote.id),
  pendingApproval: async (quote, _args, context) => (await context.areas.approvalsByQuoteId.load(quote.id)).find((a) => a.status === 'Pending') ?? null,
};

export const QuoteApproval: QuoteApprovalResolvers = {
  submittedBy: (approval, _args, context) => (approval.submittedById ? orNull(context.loaders.userById.load(approval.submittedById)) : null),
  approver: (approval, _args, context) => (approval.approverId ? orNull(context.loaders.userById.load(approval.approverId)) : null),
};

export const PriceBookEntry: PriceBookEntryResolvers = {
  sku: (entry) => entry.sku,
  priceBook: async (entry, _args, context) => {
    const book = (await context.areas.priceBooks()).find((b) => b.id === entry.priceBookId);
    // Inactive books are not in the list; the entry still names its book.
    return (
      book ?? {
        id: entry.priceBookId ?? entry.id,
        name: entry.priceBookName,
        isStandard: entry.isStandardPriceBook,
        isActive: false,
        segment: entry.priceBookSegment ?? null,
      }
    );
  },
};

export const QuoteLine: QuoteLineResolvers = {
  __resolveReference: async (ref, context) => {
    const line = await orNull(context.areas.quoteLineById.load(ref.id));
    // The ERP fields the checks @require come with the representation, under `product`.
    return line && 'product' in ref ? { ...line, product: ref.product as never } : line;
  },
  sku: (line) => line.sku,
  product: (line) => ({ sku: line.sku }),
  listPrice: (line, _args, context) => money(line.listPrice ?? null, context),
  priceCheck: (line, _args, context) => {
    const net = netUnitPrice(line);
    const erpList = line.product?.listPrice?.amount ?? null;
    const stock = line.product?.stockOnHand ?? null;
    const below = erpList !== null && net < erpList;
    const insufficientStock = stock !== null && stock < line.quantity;
    const warnings: string[] = [];
    if (below) warnings.push(`The net price ${net} is ${round(((erpList - net) / erpList) * 100, 1)} % below the ERP list price ${erpList}.`);
    if (insufficientStock) warnings.push(`The ERP has ${stock} on hand, less than the ${line.quantity} quoted.`);
    if (erpList === null) warnings.push(`The ERP has no list price for SKU ${line.sku}.`);
    return {
      netUnitPrice: money(net, context)!,
      erpListPrice: money(erpList, context),
      belowErpListPrice: below,
      percentBelowErpListPrice: below ? round(((erpList - net) / erpList) * 100, 2) : 0,
      stockOnHand: stock,
      insufficientStock,
      warnings,
    };
  },
  marginCheck: (line, _args, context) => {
    const net = netUnitPrice(line);
    const cost = line.product?.cost?.amount ?? null;
    return {
      netUnitPrice: money(net, context)!,
      erpCost: money(cost, context),
      unitMargin: cost === null ? null : money(round(net - cost), context),
      marginPercent: cost === null || net === 0 ? null : round(((net - cost) / net) * 100, 2),
      belowCost: cost !== null && net < cost,
    };
  },
};

export const Product: ProductResolvers = {
  priceFor: async (product, args, context) => {
    const account = await matchedAccount(args.customerNumber, context);
    const [book, entries] = await Promise.all([priceBookFor(account, context), context.loaders.priceBookEntriesBySku.load(product.sku)]);
    const active = entries.filter((e: PriceBookEntryRecord) => e.isActive);
    return active.find((e) => e.priceBookId === book?.id) ?? active.find((e) => e.isStandardPriceBook) ?? null;
  },
};

export const Account: AccountResolvers = {
  priceBook: (account, _args, context) => priceBookFor(account, context),
  quotes: async (account, args, context) => (await context.areas.quotesByAccountId.load(account.id)).slice(0, args.first),
};

export const Customer: CustomerResolvers = {
  priceBook: async (customer, _args, context) => priceBookFor(await matchedAccount(customer.number, context), context),
};

export const Opportunity: OpportunityResolvers = {
  quotes: (opportunity, _args, context) => context.areas.quotesByOpportunityId.load(opportunity.id),
};
