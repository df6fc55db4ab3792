import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Account, Customer } from './account.js';
import { Case, Opportunity, PriceBookEntry, Product, Quote, QuoteLine } from './opportunity.js';
import { Query } from './query.js';
import { SalesOrder } from './salesOrder.js';
import { Employee, User } from './user.js';
import { areaResolvers, mergeResolvers } from './areas/index.js';

export const resolvers: Resolvers = mergeResolvers([
  {
    Query,
    Account,
    Customer,
    User,
    Employee,
    Opportunity,
    Case,
    Product,
    PriceBookEntry,
    Quote,
    QuoteLine,
    SalesOrder,
  },
  areaResolvers,
]);
