/**
 * Area 4, staff: role, territory and workload of CRM users, and the same seen
 * from the ERP's Employee (keyed by work e-mail). Employee fields group by
 * `Owner.Email` directly, so they need no user lookup first: every count below
 * is one SOQL GROUP BY for all the users or employees in the request.
 */
import type { EmployeeResolvers, PipelineTotalResolvers, UserResolvers } from '../../__generated__/resolvers-types.js';
import type { CrmContext } from '../../context.js';
import { money, orNull } from '../shared.js';

async function crmUserOf(workEmail: string, context: CrmContext) {
  const users = await context.loaders.usersByEmail.load(workEmail);
  return users.find((u) => u.isActive) ?? users[0] ?? null;
}

export const User: UserResolvers = {
  role: (user) => user.title,
  department: (user) => user.department ?? null,
  salesTeam: (user) => user.salesTeam ?? null,
  isActive: (user) => user.isActive,
  manager: (user, _args, context) => (user.managerId ? orNull(context.loaders.userById.load(user.managerId)) : null),
  ownedAccountCount: (user, _args, context) => context.areas.accountCountByOwner.load({ by: 'OwnerId', owner: user.id }),
  ownedAccounts: (user, args, context) => context.areas.accountsByOwner.load({ by: 'OwnerId', owner: user.id, limit: args.first }),
  openOpportunityCount: (user, _args, context) => context.areas.openOpportunityCountByOwner.load({ by: 'OwnerId', owner: user.id }),
  openOpportunities: (user, args, context) => context.areas.openOpportunitiesByOwner.load({ by: 'OwnerId', owner: user.id, limit: args.first }),
  pipeline: (user, args, context) =>
    context.areas.pipelineByOwner.load({ by: 'OwnerId', owner: user.id, from: args.from, to: args.to, openOnly: args.openOnly }),
  activityLoad: (user, _args, context) => context.areas.activityLoadByOwner.load({ by: 'OwnerId', owner: user.id }),
  activities: async (user, args, context) => (await context.areas.activitiesByOwnerId.load({ key: user.id, openOnly: args.openOnly })).slice(0, args.first),
};

export const Employee: EmployeeResolvers = {
  crmRole: async (employee, _args, context) => (await crmUserOf(employee.workEmail, context))?.title ?? null,
  crmTerritory: async (employee, _args, context) => (await crmUserOf(employee.workEmail, context))?.territory ?? null,
  ownedAccountCount: (employee, _args, context) => context.areas.accountCountByOwner.load({ by: 'Owner.Email', owner: employee.workEmail }),
  openOpportunityCount: (employee, _args, context) => context.areas.openOpportunityCountByOwner.load({ by: 'Owner.Email', owner: employee.workEmail }),
  crmPipeline: (employee, args, context) =>
    context.areas.pipelineByOwner.load({ by: 'Owner.Email', owner: employee.workEmail, from: args.from, to: args.to, openOnly: args.openOnly }),
  activityLoad: (employee, _args, context) => context.areas.activityLoadByOwner.load({ by: 'Owner.Email', owner: employee.workEmail }),
};

export const PipelineTotal: PipelineTotalResolvers = {
  amount: (total, _args, context) => money(total.amount, context)!,
  expectedRevenue: (total, _args, context) => money(total.expectedRevenue, context)!,
};
