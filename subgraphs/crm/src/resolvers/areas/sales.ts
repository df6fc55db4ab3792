/**
 * Area 6, sales process, and the report aggregates of areas 9 and 10:
 * opportunities by stage and pipeline by owner and period are one SOQL
 * GROUP BY each; activities merge the Task and Event objects.
 */
import type {
  AccountResolvers,
  ActivityResolvers,
  CustomerResolvers,
  OpportunityResolvers,
  PipelineBucketResolvers,
  QueryResolvers,
  StageSummaryResolvers,
} from '../../__generated__/resolvers-types.js';
import { KEY_PREFIX } from '../../../../../lib/native/salesforceId.js';
import { money, ofMatchedAccount, orNull, ownerOf, rootId } from '../shared.js';

export const Query: QueryResolvers = {
  opportunities: (_root, args, context) => {
    const accountId = args.accountId ? rootId('Account', args.accountId, 'accountId') : null;
    if (args.accountId && !accountId) return [];
    return context.areas.run((c) => c.opportunities({ stage: args.stage, ownerEmail: args.ownerEmail, accountId, openOnly: args.openOnly }, args.first));
  },
  opportunitiesByStage: (_root, args, context) =>
    context.areas.run((c) =>
      c.opportunitiesByStage({ ownerEmail: args.ownerEmail, openOnly: args.openOnly, closeDateFrom: args.closeDateFrom, closeDateTo: args.closeDateTo }),
    ),
  crmPipeline: (_root, args, context) =>
    context.areas.run((c) => c.pipelineBuckets({ from: args.from, to: args.to, openOnly: args.openOnly, ownerEmail: args.ownerEmail, period: args.period })),
  activities: (_root, args, context) =>
    context.areas.run((c) => c.activities({ ownerEmail: args.ownerEmail, from: args.from, to: args.to, openOnly: args.openOnly }, args.first)),
};

export const StageSummary: StageSummaryResolvers = {
  amount: (s, _args, context) => money(s.amount, context)!,
};

export const PipelineBucket: PipelineBucketResolvers = {
  employee: (bucket) => (bucket.ownerEmail ? { workEmail: bucket.ownerEmail } : null),
  amount: (bucket, _args, context) => money(bucket.amount, context)!,
  expectedRevenue: (bucket, _args, context) => money(bucket.expectedRevenue, context)!,
};

export const Activity: ActivityResolvers = {
  owner: (activity, _args, context) => ownerOf(activity, context),
  account: (activity, _args, context) => (activity.accountId ? orNull(context.loaders.accountById.load(activity.accountId)) : null),
  relatedToId: (activity) => activity.whatId,
  contact: (activity, _args, context) => (activity.whoId?.startsWith(KEY_PREFIX.Contact) ? orNull(context.areas.contactById.load(activity.whoId)) : null),
};

export const Opportunity: OpportunityResolvers = {
  type: (o) => o.type ?? null,
  leadSource: (o) => o.leadSource ?? null,
  nextStep: (o) => o.nextStep ?? null,
  expectedRevenue: (o, _args, context) => money(o.expectedRevenue ?? null, context),
  erpOrderNumber: (o) => o.erpOrderNumber,
  erpSalesOrder: (o) => (o.erpOrderNumber ? { number: o.erpOrderNumber } : null),
  // Salesforce links contacts to opportunities through roles; without them, the account's contacts are the people involved.
  contacts: (o, _args, context) => (o.accountId ? context.loaders.contactsByAccountId.load(o.accountId) : []),
  activities: async (o, args, context) => (await context.areas.activitiesByWhatId.load({ key: o.id, openOnly: args.openOnly })).slice(0, args.first),
};

export const Account: AccountResolvers = {
  opportunities: async (account, args, context) => (await context.areas.opportunitiesByAccountId.load(account.id)).slice(0, args.first),
  opportunitiesByStage: (account, _args, context) => context.areas.stageSummaryByAccountId.load(account.id),
  activities: async (account, args, context) =>
    (await context.areas.activitiesByAccountId.load({ key: account.id, openOnly: args.openOnly })).slice(0, args.first),
};

export const Customer: CustomerResolvers = {
  opportunities: async (customer, args, context) =>
    (await ofMatchedAccount(customer.number, context, (n) => context.areas.opportunitiesByErpNumber.load(n))).slice(0, args.first),
  opportunitiesByStage: (customer, _args, context) => ofMatchedAccount(customer.number, context, (n) => context.areas.stageSummaryByErpNumber.load(n)),
  activities: async (customer, args, context) =>
    (await ofMatchedAccount(customer.number, context, (n) => context.areas.activitiesByErpNumber.load({ key: n, openOnly: args.openOnly }))).slice(
      0,
      args.first,
    ),
};
