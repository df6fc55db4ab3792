/** Employees (`hr.employee`), keyed by work e-mail, and CRM opportunities seen from the ERP. */
import { loadOrNull } from '../loaders.js';
import { hasWorkEmail } from '../mappers.js';
import type { EmployeeResolvers, OpportunityResolvers } from '../__generated__/resolvers-types.js';

export const Employee: EmployeeResolvers = {
  async __resolveReference({ workEmail }, { loaders }) {
    const employee = await loadOrNull(loaders.employeesByWorkEmail, workEmail);
    return employee && hasWorkEmail(employee) ? employee : null;
  },
  workEmail: (e) => e.workEmail,
  name: (e) => e.name,
  jobTitle: (e) => e.jobTitle,
  department: (e) => e.department,
  async manager(e, _, { loaders }) {
    if (e.managerId === null) return null;
    const manager = await loadOrNull(loaders.employeesById, e.managerId);
    return manager && hasWorkEmail(manager) ? manager : null;
  },
};

export const Opportunity: OpportunityResolvers = {
  // The opportunity lives in the CRM; any id is a valid reference, with no orders when none came from it.
  __resolveReference: ({ id }) => ({ id }),
  id: (o) => o.id,
  salesOrders: (o, _, { loaders }) => loaders.ordersByClientOrderRef.load(o.id),
};
