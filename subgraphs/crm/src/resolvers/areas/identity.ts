/**
 * Area 1, customers: the identity report and contacts. The CRM half of the
 * report is aggregates (conflicts by GROUP BY … HAVING, prospects by COUNT) and,
 * for the ERP customers missing from the CRM, one bulk query job reading every
 * ERP number the CRM holds; the ERP half arrives as `erpCustomerNumbers` through @requires.
 */
import type { ContactResolvers, IdentityConflictResolvers, IdentityReportResolvers, QueryResolvers } from '../../__generated__/resolvers-types.js';
import type { CrmContext } from '../../context.js';
import { orNull, rootId } from '../shared.js';

/** ERP numbers no CRM account carries: the ERP's list minus the numbers present in the CRM. */
function missingFromCrm(numbers: readonly string[] | undefined, context: CrmContext): Promise<string[]> {
  if (!numbers) return Promise.resolve([]);
  return context.areas.once(`missingFromCrm:${numbers.length}:${numbers[0] ?? ''}:${numbers[numbers.length - 1] ?? ''}`, async () => {
    const present = await context.areas.run((c) => c.erpNumbersInCrm(numbers));
    return [...new Set(numbers)].filter((n) => !present.has(n)).sort();
  });
}

function conflicts(context: CrmContext) {
  return context.areas.once('conflicts', () => context.areas.run((c) => c.conflictingErpNumbers()));
}

export const Query: QueryResolvers = {
  identityReport: () => ({ id: 'current' }),
  contact: (_root, args, context) => {
    const id = rootId('Contact', args.id, 'id');
    return id ? orNull(context.areas.contactById.load(id)) : null;
  },
  contactsByEmail: (_root, args, context) => context.areas.contactsByEmail.load(args.email),
};

export const IdentityReport: IdentityReportResolvers = {
  __resolveReference: (ref) => ({ id: ref.id, ...('erpCustomerNumbers' in ref ? { erpCustomerNumbers: ref.erpCustomerNumbers as string[] } : {}) }),
  id: (report) => report.id,
  unmatchedAccounts: (_report, args, context) => context.areas.run((c) => c.unmatchedAccounts(args.first)),
  unmatchedAccountCount: (_report, _args, context) => context.areas.run((c) => c.unmatchedAccountCount()),
  conflicts: (_report, _args, context) => conflicts(context),
  conflictCount: async (_report, _args, context) => (await conflicts(context)).length,
  missingFromCrm: async (report, args, context) =>
    (await missingFromCrm(report.erpCustomerNumbers, context)).slice(0, Math.max(0, args.first)).map((number) => ({ number })),
  missingFromCrmCount: async (report, _args, context) => (await missingFromCrm(report.erpCustomerNumbers, context)).length,
};

export const IdentityConflict: IdentityConflictResolvers = {
  customer: (conflict) => ({ number: conflict.customerNumber }),
  accounts: (conflict, _args, context) => context.loaders.accountsByErpNumber.load(conflict.customerNumber),
};

export const Contact: ContactResolvers = {
  account: (contact, _args, context) => (contact.accountId ? orNull(context.loaders.accountById.load(contact.accountId)) : null),
  customer: async (contact, _args, context) => {
    const account = contact.accountId ? await orNull(context.loaders.accountById.load(contact.accountId)) : null;
    return account?.erpCustomerNumber ? { number: account.erpCustomerNumber } : null;
  },
  campaignMemberships: (contact, _args, context) => context.areas.membersByContactId.load(contact.id),
  cases: async (contact, args, context) => (await context.areas.casesByContactId.load({ key: contact.id, openOnly: false })).slice(0, args.first),
};
