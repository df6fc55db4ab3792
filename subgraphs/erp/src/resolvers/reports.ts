/**
 * Area 10, decision support: the ERP halves of the cross-system reports. A row
 * is its subject and period; each figure is a per-period DataLoader over a
 * `read_group`, so a whole report costs one call per figure, not per row,
 * and the CRM joins its own figures through the row's entities.
 */
import type { Period } from '../connectors/erpAreas.js';
import type { ErpContext } from '../context.js';
import { loadOrNull } from '../loaders.js';
import { hasWorkEmail, isCustomer, type CustomerParent, type EmployeeParent, type RepPerformanceParent } from '../mappers.js';
import type {
  CampaignResolvers,
  CustomerProfitabilityResolvers,
  IdentityReportResolvers,
  Money,
  MonthlyResultResolvers,
  QueryResolvers,
  RepPerformanceResolvers,
  SalesPerformanceResolvers,
  TeamPerformanceResolvers,
} from '../__generated__/resolvers-types.js';
import { badUserInput } from '../../../../lib/errors.js';
import { monthsOf, optionalPeriod, period, wholeMonths } from './period.js';
import type { MonthAmount } from '../connectors/erpAreas.js';
import type { CampaignParent, MonthlyResultParent } from '../mappers.js';
import { employeeOfUser, teamOfUser } from './staffAreas.js';
import { money } from './values.js';

const MAX_ROWS = 500;

export const ReportQuery: QueryResolvers = {
  salesPerformance: (_, { from, to }) => ({ period: period(from, to) }),

  async customerProfitability(_, { from, to, first }, { connector, loaders, areas }) {
    const p = period(from, to);
    const size = first ?? 20;
    if (!Number.isInteger(size) || size < 0 || size > MAX_ROWS)
      throw badUserInput(`Expected \`first\` to be between 0 and ${MAX_ROWS}, but got ${size}.`, 'first');
    if (size === 0) return [];
    const top = await connector.topCustomersBySales(p, size);
    // The ranking call already summed each row's sales: later loads of the same figures cost nothing.
    for (const row of top) areas.salesByPartnerId.prime({ period: p, key: row.partnerId }, { revenue: row.revenue, margin: row.margin });
    const partners = await Promise.all(top.map((row) => loadOrNull(loaders.partnersById, row.partnerId)));
    return partners.filter((c): c is CustomerParent => c !== null && isCustomer(c)).map((c) => ({ customerNumber: c.number, period: p }));
  },
};

export const SalesPerformance: SalesPerformanceResolvers = {
  from: (r) => r.period.from,
  to: (r) => r.period.to,
  async reps(r, _, context) {
    const teams = [...(await context.areas.salesTeams())].sort((a, b) => a.id - b.id);
    // Every team's members in one batch: one read of hr.employee for the whole report.
    const membersByTeam = await Promise.all(
      teams.map(async (team) =>
        (await Promise.all(team.memberUserIds.map((id) => employeeOfUser(context, id)))).filter((e): e is EmployeeParent => e !== null),
      ),
    );
    const rows: RepPerformanceParent[] = [];
    const seen = new Set<string>();
    for (const members of membersByTeam) {
      for (const member of members.sort((a, b) => a.name.localeCompare(b.name))) {
        // A rep in several teams counts once, with the team Odoo would pick (the first).
        if (seen.has(member.workEmail)) continue;
        seen.add(member.workEmail);
        rows.push({ workEmail: member.workEmail, period: r.period });
      }
    }
    return rows;
  },
  async teams(r, _, { areas }) {
    return [...(await areas.salesTeams())].sort((a, b) => a.id - b.id).map((t) => ({ teamName: t.name, period: r.period }));
  },
};

export const RepPerformance: RepPerformanceResolvers = {
  __resolveReference: ({ workEmail, from, to }) => ({ workEmail, period: period(from, to) }),
  workEmail: (r) => r.workEmail,
  from: (r) => r.period.from,
  to: (r) => r.period.to,
  employee: (r, _, { loaders }) => employeeByEmail(loaders, r.workEmail),
  teamName: async (r, _, context) => (await repTeam(r, context))?.name ?? null,
  target: async (r, _, context) => money(await repTarget(r, context), await repCurrency(r, context)),
  invoiced: async (r, _, context) => money(await repInvoiced(r, context), await repCurrency(r, context)),
  async attainmentPercent(r, _, context) {
    const [target, invoiced] = await Promise.all([repTarget(r, context), repInvoiced(r, context)]);
    return percent(invoiced, target);
  },
  async months(r, _, context) {
    const months = monthsOf(r.period);
    const employee = await employeeByEmail(context.loaders, r.workEmail);
    const currencyCode = await repCurrency(r, context);
    if (!employee || employee.userId === null) return months.map((month) => ({ month, target: 0, invoiced: 0, currencyCode }));
    const key = { period: r.period, key: employee.userId };
    const [targets, invoiced] = await Promise.all([context.areas.monthlyTargetByUserId.load(key), context.areas.monthlyInvoicedByUserId.load(key)]);
    return byMonth(months, targets, invoiced, currencyCode);
  },
};

export const MonthlyResult: MonthlyResultResolvers = {
  month: (m) => m.month,
  target: (m) => money(round2(m.target), m.currencyCode),
  invoiced: (m) => money(round2(m.invoiced), m.currencyCode),
  attainmentPercent: (m) => percent(m.invoiced, m.target),
};

export const TeamPerformance: TeamPerformanceResolvers = {
  __resolveReference: ({ teamName, from, to }) => ({ teamName, period: period(from, to) }),
  teamName: (r) => r.teamName,
  from: (r) => r.period.from,
  to: (r) => r.period.to,
  team: async (r, _, { areas }) => (await areas.salesTeams()).find((t) => t.name === r.teamName) ?? null,
  async target(r, _, context) {
    const team = await teamNamed(r.teamName, context);
    return money(teamTarget(team, r.period), team?.currencyCode ?? (await context.areas.companyCurrency()));
  },
  async invoiced(r, _, context) {
    const team = await teamNamed(r.teamName, context);
    const invoiced = team ? await context.areas.invoicedByTeamId.load({ period: r.period, key: team.id }) : 0;
    return money(invoiced, team?.currencyCode ?? (await context.areas.companyCurrency()));
  },
  async attainmentPercent(r, _, context) {
    const team = await teamNamed(r.teamName, context);
    if (!team) return null;
    return percent(await context.areas.invoicedByTeamId.load({ period: r.period, key: team.id }), teamTarget(team, r.period));
  },
  async months(r, _, context) {
    const months = monthsOf(r.period);
    const team = await teamNamed(r.teamName, context);
    if (!team) return [];
    const invoiced = await context.areas.monthlyInvoicedByTeamId.load({ period: r.period, key: team.id });
    return byMonth(
      months,
      months.map((month) => ({ month, amount: team.monthlyInvoicedTarget })),
      invoiced,
      team.currencyCode,
    );
  },
};

export const CustomerProfitability: CustomerProfitabilityResolvers = {
  __resolveReference: ({ customerNumber, from, to }) => ({ customerNumber, period: period(from, to) }),
  customerNumber: (r) => r.customerNumber,
  from: (r) => r.period.from,
  to: (r) => r.period.to,
  customer: (r, _, { loaders }) => customerByNumber(loaders, r.customerNumber),
  revenue: async (r, _, context) => figure(r, context, async (c) => (await sales(c, r.period, context)).revenue),
  cost: async (r, _, context) =>
    figure(r, context, async (c) => {
      const s = await sales(c, r.period, context);
      return s.revenue - s.margin;
    }),
  margin: async (r, _, context) => figure(r, context, async (c) => (await sales(c, r.period, context)).margin),
  async marginPercent(r, _, context) {
    const customer = await customerByNumber(context.loaders, r.customerNumber);
    if (!customer) return null;
    const s = await sales(customer, r.period, context);
    return percent(s.margin, s.revenue);
  },
  invoiced: async (r, _, context) => figure(r, context, (c) => context.areas.invoicedByPartnerId.load({ period: r.period, key: c.id })),
  openBalance: async (r, _, context) => figure(r, context, (c) => context.loaders.balanceDueByPartnerId.load(c.id)),
};

export const Campaign: CampaignResolvers = {
  // The campaign lives in the CRM; the ERP only adds figures for the customers it names.
  __resolveReference: (reference) => reference,
  id: (c) => c.id,
  touchedRevenue: (c, { from, to }, context) => touchedRevenue(c, optionalPeriod(from, to), context),
  async roi(c, { from, to }, context) {
    const cost = c.actualCost;
    if (!cost || cost.amount === 0) return null;
    const revenue = await touchedRevenue(c, optionalPeriod(from, to), context);
    // Amounts in two currencies cannot be compared without a rate the graph does not have.
    if (revenue.currencyCode !== cost.currencyCode) {
      throw new Error(
        `Expected the campaign's actual cost (${cost.currencyCode}) and the ERP revenue (${revenue.currencyCode}) in one currency, but they differ.`,
      );
    }
    return Math.round(((revenue.amount - cost.amount) / cost.amount) * 10000) / 10000;
  },
};

/** All campaigns of a request share one read of their customers and one read_group per period. */
async function touchedRevenue(c: CampaignParent, p: Period, { loaders, areas }: ErpContext): Promise<Money> {
  const numbers = [...new Set(c.touchedCustomerNumbers ?? [])];
  const customers = (await Promise.all(numbers.map((n) => customerByNumber(loaders, n)))).filter((x): x is CustomerParent => x !== null);
  const amounts = await Promise.all(customers.map((customer) => areas.invoicedByPartnerId.load({ period: p, key: customer.id })));
  const currency = customers[0]?.currencyCode ?? (await areas.companyCurrency());
  return money(round2(amounts.reduce((sum, a) => sum + a, 0)), currency);
}

export const IdentityReport: IdentityReportResolvers = {
  __resolveReference: ({ id }) => ({ id }),
  id: (r) => r.id,
  erpCustomerNumbers: (_, __, { connector }) => connector.customerNumbers(),
};

// --- helpers -------------------------------------------------------------------------

async function employeeByEmail(loaders: ErpContext['loaders'], workEmail: string): Promise<EmployeeParent | null> {
  const employee = await loadOrNull(loaders.employeesByWorkEmail, workEmail);
  return employee && hasWorkEmail(employee) ? employee : null;
}

async function customerByNumber(loaders: ErpContext['loaders'], number: string): Promise<CustomerParent | null> {
  const partner = await loadOrNull(loaders.customersByNumber, number);
  return partner && isCustomer(partner) ? partner : null;
}

async function repTeam(r: RepPerformanceParent, context: ErpContext) {
  const employee = await employeeByEmail(context.loaders, r.workEmail);
  if (!employee || employee.userId === null) return null;
  return teamOfUser(await context.areas.salesTeams(), employee.userId);
}

async function repCurrency(r: RepPerformanceParent, context: ErpContext): Promise<string> {
  return (await repTeam(r, context))?.currencyCode ?? context.areas.companyCurrency();
}

async function repTarget(r: RepPerformanceParent, context: ErpContext): Promise<number> {
  const employee = await employeeByEmail(context.loaders, r.workEmail);
  if (!employee || employee.userId === null) return 0;
  return context.areas.invoicedTargetByUserId.load({ period: r.period, key: employee.userId });
}

async function repInvoiced(r: RepPerformanceParent, context: ErpContext): Promise<number> {
  const employee = await employeeByEmail(context.loaders, r.workEmail);
  if (!employee || employee.userId === null) return 0;
  return context.areas.invoicedByUserId.load({ period: r.period, key: employee.userId });
}

async function teamNamed(name: string, context: ErpContext) {
  return (await context.areas.salesTeams()).find((t) => t.name === name) ?? null;
}

function teamTarget(team: { monthlyInvoicedTarget: number } | null, p: Period): number {
  return team ? round2(team.monthlyInvoicedTarget * wholeMonths(p)) : 0;
}

function sales(customer: CustomerParent, p: Period, context: ErpContext) {
  return context.areas.salesByPartnerId.load({ period: p, key: customer.id });
}

/** A money figure of the row's customer; zero in the company currency when the number is unknown to the ERP. */
async function figure(r: { customerNumber: string }, context: ErpContext, read: (customer: CustomerParent) => Promise<number>): Promise<Money> {
  const customer = await customerByNumber(context.loaders, r.customerNumber);
  if (!customer) return money(0, await context.areas.companyCurrency());
  return money(round2(await read(customer)), customer.currencyCode);
}

function byMonth(months: string[], targets: MonthAmount[], invoiced: MonthAmount[], currencyCode: string): MonthlyResultParent[] {
  const target = new Map(targets.map((t) => [t.month, t.amount]));
  const done = new Map(invoiced.map((i) => [i.month, i.amount]));
  return months.map((month) => ({ month, target: target.get(month) ?? 0, invoiced: done.get(month) ?? 0, currencyCode }));
}

function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10000) / 100;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
