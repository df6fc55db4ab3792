import type {
  CaseResolvers,
  OpportunityResolvers,
  PriceBookEntryResolvers,
  ProductResolvers,
  QuoteLineResolvers,
  QuoteResolvers,
} from '../__generated__/resolvers-types.js';
import { money, orNull, ownerOf } from './shared.js';

export const Opportunity: OpportunityResolvers = {
  __resolveReference: (ref, context) => orNull(context.loaders.opportunityById.load(ref.id)),
  stage: (opportunity) => opportunity.stageName,
  amount: (opportunity, _args, context) => money(opportunity.amount, context),
  account: (opportunity, _args, context) => (opportunity.accountId ? orNull(context.loaders.accountById.load(opportunity.accountId)) : null),
  owner: (opportunity, _args, context) => ownerOf(opportunity, context),
};

export const Case: CaseResolvers = {
  product: (supportCase) => (supportCase.productSku ? { sku: supportCase.productSku } : null),
};

export const Product: ProductResolvers = {
  __resolveReference: (ref) => ({ sku: ref.sku }),
  priceBookEntries: (product, _args, context) => context.loaders.priceBookEntriesBySku.load(product.sku),
  openQuoteLines: (product, _args, context) => context.loaders.openQuoteLinesBySku.load(product.sku),
};

export const PriceBookEntry: PriceBookEntryResolvers = {
  unitPrice: (entry, _args, context) => money(entry.unitPrice, context)!,
};

export const Quote: QuoteResolvers = {
  totalPrice: (quote, _args, context) => money(quote.totalPrice, context),
  opportunity: (quote, _args, context) => (quote.opportunityId ? orNull(context.loaders.opportunityById.load(quote.opportunityId)) : null),
  account: (quote, _args, context) => (quote.accountId ? orNull(context.loaders.accountById.load(quote.accountId)) : null),
};

export const QuoteLine: QuoteLineResolvers = {
  unitPrice: (line, _args, context) => money(line.unitPrice, context)!,
  totalPrice: (line, _args, context) => money(line.totalPrice, context)!,
};
