/**
 * Area 5, marketing: campaigns, members and leads. Campaign results are three
 * aggregates for all campaigns of a request (members by response, converted
 * member leads, opportunities by won); `touchedCustomerNumbers` is what the ERP
 * @requires to add the revenue of the customers a campaign reached, read for all
 * campaigns of a request with one bulk query job.
 */
import type {
  AccountResolvers,
  CampaignMemberResolvers,
  CampaignResolvers,
  CampaignResultsResolvers,
  CustomerResolvers,
  LeadResolvers,
  OpportunityResolvers,
  QueryResolvers,
} from '../../__generated__/resolvers-types.js';
import type { CrmContext } from '../../context.js';
import { matchedAccount, money, orNull, ownerOf, rootId } from '../shared.js';

async function campaignsOfAccount(accountId: string, context: CrmContext) {
  const ids = await context.areas.campaignIdsByAccountId.load(accountId);
  const campaigns = await Promise.all(ids.map((id) => orNull(context.areas.campaignById.load(id))));
  return campaigns.filter((c) => c !== null);
}

export const Query: QueryResolvers = {
  campaign: (_root, args, context) => {
    const id = rootId('Campaign', args.id, 'id');
    return id ? orNull(context.areas.campaignById.load(id)) : null;
  },
  campaigns: (_root, args, context) => context.areas.run((c) => c.campaigns(args.status ?? null, args.first)),
  lead: (_root, args, context) => {
    const id = rootId('Lead', args.id, 'id');
    return id ? orNull(context.areas.leadById.load(id)) : null;
  },
  leads: (_root, args, context) => context.areas.run((c) => c.leads({ status: args.status, converted: args.converted }, args.first)),
  leadFunnel: async (_root, _args, context) =>
    (await context.areas.run((c) => c.leadFunnel())).map((row) => ({ status: row.key ?? '(none)', count: row.count })),
};

export const Campaign: CampaignResolvers = {
  __resolveReference: (ref, context) => orNull(context.areas.campaignById.load(ref.id)),
  budgetedCost: (campaign, _args, context) => money(campaign.budgetedCost, context),
  actualCost: (campaign, _args, context) => money(campaign.actualCost, context),
  expectedRevenue: (campaign, _args, context) => money(campaign.expectedRevenue, context),
  owner: (campaign, _args, context) => ownerOf(campaign, context),
  members: (campaign, args, context) => context.areas.membersByCampaignId.load({ key: campaign.id, limit: args.first }),
  results: (campaign, _args, context) => context.areas.campaignResults.load(campaign.id),
  touchedCustomerNumbers: (campaign, _args, context) => context.areas.touchedCustomerNumbers.load(campaign.id),
  touchedCustomers: async (campaign, _args, context) => (await context.areas.touchedCustomerNumbers.load(campaign.id)).map((number) => ({ number })),
  opportunities: async (campaign, args, context) => (await context.areas.opportunitiesByCampaignId.load(campaign.id)).slice(0, args.first),
};

export const CampaignResults: CampaignResultsResolvers = {
  responseRate: (r) => (r.memberCount === 0 ? null : Math.round((r.respondedCount / r.memberCount) * 10000) / 100),
  wonOpportunityAmount: (r, _args, context) => money(r.wonOpportunityAmount, context)!,
};

export const CampaignMember: CampaignMemberResolvers = {
  campaign: async (member, _args, context) => context.areas.campaignById.load(member.campaignId),
  contact: (member, _args, context) => (member.contactId ? orNull(context.areas.contactById.load(member.contactId)) : null),
  lead: (member, _args, context) => (member.leadId ? orNull(context.areas.leadById.load(member.leadId)) : null),
};

export const Lead: LeadResolvers = {
  __resolveReference: (ref, context) => orNull(context.areas.leadById.load(ref.id)),
  convertedAccount: (lead, _args, context) => (lead.convertedAccountId ? orNull(context.loaders.accountById.load(lead.convertedAccountId)) : null),
  convertedContact: (lead, _args, context) => (lead.convertedContactId ? orNull(context.areas.contactById.load(lead.convertedContactId)) : null),
  convertedOpportunity: (lead, _args, context) =>
    lead.convertedOpportunityId ? orNull(context.loaders.opportunityById.load(lead.convertedOpportunityId)) : null,
  owner: (lead, _args, context) => ownerOf(lead, context),
  campaignMemberships: (lead, _args, context) => context.areas.membersByLeadId.load(lead.id),
};

export const Account: AccountResolvers = {
  convertedLeads: (account, _args, context) => context.areas.leadsByConvertedAccountId.load(account.id),
  campaigns: (account, _args, context) => campaignsOfAccount(account.id, context),
};

export const Customer: CustomerResolvers = {
  campaigns: async (customer, _args, context) => {
    const account = await matchedAccount(customer.number, context);
    return account ? campaignsOfAccount(account.id, context) : [];
  },
};

export const Opportunity: OpportunityResolvers = {
  campaign: (opportunity, _args, context) => (opportunity.campaignId ? orNull(context.areas.campaignById.load(opportunity.campaignId)) : null),
};
