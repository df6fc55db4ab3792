import type { EmployeeResolvers, UserResolvers } from '../__generated__/resolvers-types.js';
import { orNull } from './shared.js';

export const User: UserResolvers = {
  __resolveReference: (ref, context) => orNull(context.loaders.userById.load(ref.id)),
  employee: (user) => (user.email ? { workEmail: user.email } : null),
};

export const Employee: EmployeeResolvers = {
  __resolveReference: (ref) => ({ workEmail: ref.workEmail }),
  crmUser: async (employee, _args, context) => {
    const users = await context.loaders.usersByEmail.load(employee.workEmail);
    // E-mail is not unique in Salesforce (Username is); an active login is the member of staff, then the oldest.
    return users.find((u) => u.isActive) ?? users[0] ?? null;
  },
};
