/** Area 4, staff: the reporting line and sales teams (`crm.team`) of HR's employees. */
import type { SalesTeamRecord } from '../connectors/erpAreas.js';
import type { EmployeeRecord } from '../connectors/erpConnector.js';
import type { ErpContext } from '../context.js';
import { loadOrNull } from '../loaders.js';
import { hasWorkEmail, type EmployeeParent } from '../mappers.js';
import type { EmployeeResolvers, QueryResolvers, SalesTeamResolvers } from '../__generated__/resolvers-types.js';
import { money } from './values.js';

export const EmployeeAreas: EmployeeResolvers = {
  directReports: async (e, _, { areas }) => (await areas.employeesByManagerId.load(e.id)).filter(hasWorkEmail),
  salesTeam: async (e, _, { areas }) => (e.userId === null ? null : teamOfUser(await areas.salesTeams(), e.userId)),
};

export const teamsQuery: QueryResolvers = {
  salesTeams: async (_, __, { areas }) => [...(await areas.salesTeams())],
};

export const SalesTeam: SalesTeamResolvers = {
  __resolveReference: async ({ name }, { areas }) => (await areas.salesTeams()).find((t) => t.name === name) ?? null,
  name: (t) => t.name,
  leader: (t, _, context) => (t.leaderUserId === null ? null : employeeOfUser(context, t.leaderUserId)),
  async members(t, _, context) {
    const members = await Promise.all(t.memberUserIds.map((id) => employeeOfUser(context, id)));
    return members.filter((m): m is EmployeeParent => m !== null).sort((a, b) => a.name.localeCompare(b.name));
  },
  monthlyInvoicedTarget: (t) => money(t.monthlyInvoicedTarget, t.currencyCode),
};

/** The team a user belongs to: Odoo's `sale_team_id` is the first team (by id) listing the user as a member. */
export function teamOfUser(teams: readonly SalesTeamRecord[], userId: number): SalesTeamRecord | null {
  return [...teams].sort((a, b) => a.id - b.id).find((t) => t.memberUserIds.includes(userId)) ?? null;
}

export async function employeeOfUser({ loaders }: ErpContext, userId: number): Promise<EmployeeParent | null> {
  const employee: EmployeeRecord | null = await loadOrNull(loaders.employeesByUserId, userId);
  return employee && hasWorkEmail(employee) ? employee : null;
}
