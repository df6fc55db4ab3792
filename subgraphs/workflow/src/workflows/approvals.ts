/**
 * One list of approvals from both systems, and decisions taken in the system
 * that owns each one.
 *
 * - ERP: Odoo's Approvals app — `approval.request` (`request_status`,
 *   `category_id`, `request_owner_id`, `approver_ids`, `reference`, `amount`)
 *   with one `approval.approver` per approver. The approver who must act is the
 *   one whose line is `pending`; deciding writes that line's `status`, as the
 *   approver's own Approve/Refuse button does, and Odoo recomputes the request.
 *   `reference` holds the sales order number for orders awaiting approval.
 * - CRM: Salesforce approval processes — a pending approval is a
 *   `ProcessInstanceWorkitem`; deciding is `POST /process/approvals/`.
 *
 * Ids say where they live: `erp:approval.request:<id>`, `crm:<04i… work item id>`
 * (or `crm:<04g… instance id>` once decided, when the work item is gone).
 */
import { GraphQLError } from 'graphql';
import type { Crm, CrmWorkitem } from '../connectors/crm.js';
import type { Erp, ErpApprovalRequest } from '../connectors/erp.js';
import type { Approval, ApprovalDecisionResult, ApprovalStatus, WorkflowSystem } from '../__generated__/resolvers-types.js';

export interface ApprovalDeps {
  erp: Erp;
  crm: Crm;
  currencyCode: string;
}

const ERP_STATUS: Record<ApprovalStatus, string[]> = { PENDING: ['pending'], APPROVED: ['approved'], REJECTED: ['refused'] };
const SALES_ORDER_NUMBER = /^S\d{5,}$/;

export type ParsedApprovalId = { system: 'ERP'; requestId: number } | { system: 'CRM'; workitemId: string };

export function parseApprovalId(id: string): ParsedApprovalId {
  const erp = /^erp:approval\.request:(\d{1,12})$/.exec(id);
  if (erp) return { system: 'ERP', requestId: Number(erp[1]) };
  const crm = /^crm:([a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?)$/.exec(id);
  if (crm) return { system: 'CRM', workitemId: crm[1]! };
  throw new GraphQLError(`Expected an approval id such as "erp:approval.request:12" or "crm:04i000000000001AAA", but got ${JSON.stringify(id)}.`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName: 'id' },
  });
}

/** Odoo datetimes are UTC without an offset (`2026-11-27 09:30:00`). */
function odooToIso(value: string | null): string | null {
  return value ? new Date(`${value.replace(' ', 'T')}Z`).toISOString() : null;
}

/** Salesforce writes `2026-11-05T09:00:00.000+0000`; the graph's DateTime is ISO 8601 with a colon in the offset. */
function isoDateTime(value: string | null): string | null {
  if (!value) return null;
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

async function erpApprovals(requests: ErpApprovalRequest[], erp: Erp, currencyCode: string): Promise<Approval[]> {
  const approvers = await erp.approvers(requests.flatMap((r) => r.approverIds));
  const users = [...new Set([...approvers.map((a) => a.userId), ...requests.flatMap((r) => (r.ownerUserId ? [r.ownerUserId] : []))])];
  const emails = await erp.workEmailsOfUsers(users);
  return requests.map((r) => {
    const mine = approvers.filter((a) => a.requestId === r.id);
    // Who must act: the approver still to decide; once decided, the one who decided.
    const acting = mine.find((a) => a.status === 'pending') ?? mine.find((a) => a.status === 'refused') ?? mine.find((a) => a.status === 'approved') ?? mine[0];
    const approverEmail = acting ? emails.get(acting.userId) : undefined;
    const ownerEmail = r.ownerUserId ? emails.get(r.ownerUserId) : undefined;
    return {
      id: `erp:approval.request:${r.id}`,
      system: 'ERP' as WorkflowSystem,
      status: r.status === 'approved' ? 'APPROVED' : r.status === 'refused' ? 'REJECTED' : 'PENDING',
      kind: r.category,
      title: r.name,
      approver: approverEmail ? { workEmail: approverEmail } : null,
      requestedBy: ownerEmail ? { workEmail: ownerEmail } : null,
      since: odooToIso(r.since),
      amount: r.amount === null ? null : { amount: r.amount, currencyCode },
      salesOrder: r.reference && SALES_ORDER_NUMBER.test(r.reference) ? { number: r.reference } : null,
      quote: null,
      recordId: r.reference,
    };
  });
}

function crmApproval(w: CrmWorkitem, decided: boolean): Approval {
  const isQuote = w.targetType === 'Quote' || (w.targetId?.startsWith('0Q0') ?? false);
  return {
    id: `crm:${w.id}`,
    system: 'CRM',
    status: w.status === 'Approved' ? 'APPROVED' : w.status === 'Rejected' ? 'REJECTED' : 'PENDING',
    kind: decided ? 'Salesforce approval process (decided)' : 'Salesforce approval process',
    title: w.targetName ?? w.targetId ?? w.id,
    approver: w.actorEmail ? { workEmail: w.actorEmail } : null,
    requestedBy: w.submitterEmail ? { workEmail: w.submitterEmail } : null,
    since: isoDateTime(w.createdDate),
    amount: null,
    salesOrder: null,
    quote: isQuote && w.targetId ? { id: w.targetId } : null,
    recordId: w.targetId,
  };
}

export async function listApprovals(args: { status: ApprovalStatus; system: WorkflowSystem | null; first: number }, deps: ApprovalDeps): Promise<Approval[]> {
  if (args.first < 1 || args.first > 1000) {
    throw new GraphQLError(`Expected first to be from 1 to 1000, but got ${args.first}.`, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' } });
  }
  const [erp, crm] = await Promise.all([
    args.system === 'CRM' ? [] : deps.erp.approvalRequests(ERP_STATUS[args.status], args.first).then((r) => erpApprovals(r, deps.erp, deps.currencyCode)),
    args.system === 'ERP'
      ? []
      : args.status === 'PENDING'
        ? deps.crm.workitems(args.first).then((items) => items.map((w) => crmApproval(w, false)))
        : deps.crm.decidedInstances(args.status === 'APPROVED' ? 'Approved' : 'Rejected', args.first).then((items) => items.map((w) => crmApproval(w, true))),
  ]);
  // Oldest first across both systems: the longest wait is the most urgent.
  return [...erp, ...crm].sort((a, b) => (a.since ?? '').localeCompare(b.since ?? '') || a.id.localeCompare(b.id)).slice(0, args.first);
}

export async function decideApproval(id: string, action: 'Approve' | 'Reject', comment: string | null, deps: ApprovalDeps): Promise<ApprovalDecisionResult> {
  const parsed = parseApprovalId(id);
  if (parsed.system === 'ERP') {
    const request = await deps.erp.approvalRequest(parsed.requestId);
    if (!request) throw notFound(`Expected an ERP approval request ${parsed.requestId}, but the ERP has none.`);
    if (request.status !== 'pending')
      throw conflict(`Expected ERP approval request ${parsed.requestId} to be pending, but it is ${request.status}; it was decided already.`);
    const pending = (await deps.erp.approvers(request.approverIds)).filter((a) => a.status === 'pending');
    if (pending.length === 0) throw conflict(`Expected ERP approval request ${parsed.requestId} to have an approver still to decide, but none is pending.`);
    await deps.erp.decideApprovers(
      pending.map((a) => a.id),
      action === 'Approve' ? 'approved' : 'refused',
    );
    if (comment) await deps.erp.postNote('approval.request', request.id, comment);
    const after = await deps.erp.approvalRequest(parsed.requestId);
    const [approval] = await erpApprovals([after ?? request], deps.erp, deps.currencyCode);
    return {
      approval: approval!,
      action,
      message: `ERP approval request ${parsed.requestId} was ${action === 'Approve' ? 'approved' : 'refused'} in the ERP; it is now ${after?.status ?? 'unknown'}.`,
    };
  }
  const [item] = await deps.crm.workitems(1, [parsed.workitemId]);
  if (!item) throw conflict(`Expected a pending CRM approval work item ${parsed.workitemId}, but the CRM has none: it does not exist or was decided already.`);
  const answer = await deps.crm.decideWorkitem(parsed.workitemId, action, comment ?? undefined);
  if (answer.success === false) {
    throw conflict(`The CRM refused to ${action.toLowerCase()} work item ${parsed.workitemId}: ${JSON.stringify(answer.errors)}.`);
  }
  const status = typeof answer.instanceStatus === 'string' ? answer.instanceStatus : action === 'Approve' ? 'Approved' : 'Rejected';
  return {
    approval: crmApproval({ ...item, status }, true),
    action,
    message: `CRM work item ${parsed.workitemId} was ${action === 'Approve' ? 'approved' : 'rejected'} in the CRM; its approval is now ${status}.`,
  };
}

function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT' } });
}
