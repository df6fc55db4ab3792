/**
 * Approval processes, as the REST resource `/process/approvals/` exposes them
 * (REST API Developer Guide, "Process Approvals"), over the ProcessInstance,
 * ProcessInstanceWorkitem and ProcessInstanceStep objects.
 *
 * The org has one approval process, `Quote_Discount_Approval`: a quote enters
 * it when any of its lines carries a discount above 15 %. Submitting creates a
 * Pending ProcessInstance, a "Started" step and one work item for the approver
 * (the one named in `nextApproverIds`, else the submitter's manager) and sets
 * the quote to In Review. Approving or rejecting a work item (contextId = its
 * 04i id) completes the instance, records the step with the comments, deletes
 * the work item — it is gone from queries afterwards, as on the platform — and
 * sets the quote to Approved or Rejected.
 *
 * As the REST resource does, each request of a bulk POST succeeds or fails on
 * its own; failures come back as `{success: false, errors: [...]}` entries.
 */
import { normalizeSalesforceId } from '../seed/salesforceId.js';
import { quoteIdent } from './db.js';
import { SalesforceError } from './errors.js';
import type { RecordStore, Row, WriteContext } from './records.js';
import { formatDateTime } from './values.js';

export const QUOTE_DISCOUNT_APPROVAL = {
  name: 'Quote_Discount_Approval',
  object: 'Quote',
  description: 'Quotes with a line discounted by more than 15 % need the sales manager’s approval.',
  /** Lines above this discount (percent) put a quote into the process. */
  discountThreshold: 15,
} as const;

export interface ApprovalRequest {
  actionType?: unknown;
  contextId?: unknown;
  contextActorId?: unknown;
  comments?: unknown;
  nextApproverIds?: unknown;
  processDefinitionNameOrId?: unknown;
  skipEntryCriteria?: unknown;
}

export interface ApprovalResult {
  actorIds: string[] | null;
  entityId: string | null;
  errors: { message: string; statusCode: string; fields: string[] }[] | null;
  instanceId: string | null;
  instanceStatus: string | null;
  newWorkitemIds: string[];
  success: boolean;
}

/** `GET /process/approvals/`: the approval processes, by object. */
export function listApprovalProcesses(): unknown {
  return {
    approvals: {
      Quote: [
        {
          description: QUOTE_DISCOUNT_APPROVAL.description,
          id: '04a5g0000000001AAA',
          name: QUOTE_DISCOUNT_APPROVAL.name,
          object: 'Quote',
          sortOrder: 1,
        },
      ],
    },
  };
}

export class Approvals {
  constructor(private readonly store: RecordStore) {}

  /** Runs each request in its own transaction: one failure does not undo the others. */
  process(requests: ApprovalRequest[], ctx: WriteContext): ApprovalResult[] {
    return requests.map((request) => {
      try {
        return this.store.db.transaction(() => this.one(request, ctx))();
      } catch (e) {
        if (!(e instanceof SalesforceError)) throw e;
        return {
          actorIds: null,
          entityId: null,
          errors: [{ message: e.message, statusCode: e.errorCode, fields: e.fields ?? [] }],
          instanceId: null,
          instanceStatus: null,
          newWorkitemIds: [],
          success: false,
        };
      }
    });
  }

  /**
   * Seeds a process in a given state: Pending (with a work item for `approverId`)
   * or already Approved/Rejected by that approver.
   */
  seed(
    quoteId: string,
    submitterId: string,
    approverId: string,
    status: 'Pending' | 'Approved' | 'Rejected',
    submitted: WriteContext,
    decided?: WriteContext,
    comments?: string,
  ): void {
    const instanceId = this.newInstance(quoteId, submitterId, submitted);
    if (status === 'Pending') {
      this.insert('ProcessInstanceWorkitem', { ProcessInstanceId: instanceId, ActorId: approverId, OriginalActorId: approverId }, submitted);
      return;
    }
    this.complete(instanceId, status, approverId, comments ?? null, decided ?? submitted);
  }

  // --- Private ----------------------------------------------------------------------

  private one(request: ApprovalRequest, ctx: WriteContext): ApprovalResult {
    const action = request.actionType;
    if (action !== 'Submit' && action !== 'Approve' && action !== 'Reject') {
      throw new SalesforceError(400, 'INVALID_OPERATION', `actionType must be Submit, Approve or Reject, but got ${JSON.stringify(action ?? null)}.`, [
        'actionType',
      ]);
    }
    const contextId = typeof request.contextId === 'string' ? normalizeSalesforceId(request.contextId) : null;
    if (!contextId) {
      throw new SalesforceError(400, 'INVALID_CROSS_REFERENCE_KEY', `contextId must be a record id, but got ${JSON.stringify(request.contextId ?? null)}.`, [
        'contextId',
      ]);
    }
    const comments = typeof request.comments === 'string' && request.comments !== '' ? request.comments : null;
    const actor = typeof request.contextActorId === 'string' ? (normalizeSalesforceId(request.contextActorId) ?? ctx.userId) : ctx.userId;
    return action === 'Submit' ? this.submit(contextId, actor, request, comments, ctx) : this.decide(contextId, action, actor, comments, ctx);
  }

  private submit(quoteId: string, submitterId: string, request: ApprovalRequest, comments: string | null, ctx: WriteContext): ApprovalResult {
    const quote = this.store.find(this.store.object('Quote'), quoteId);
    if (!quote) {
      throw new SalesforceError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${quoteId} is not a Quote with an approval process.`, [
        'contextId',
      ]);
    }
    const definition = request.processDefinitionNameOrId;
    if (definition !== undefined && definition !== null && definition !== QUOTE_DISCOUNT_APPROVAL.name) {
      throw new SalesforceError(400, 'NO_APPLICABLE_PROCESS', `No approval process named ${JSON.stringify(definition)} exists for Quote.`, [
        'processDefinitionNameOrId',
      ]);
    }
    const pending = this.store.statement(`SELECT Id FROM "ProcessInstance" WHERE TargetObjectId = ? AND Status = 'Pending' AND IsDeleted = 0`).get(quoteId);
    if (pending)
      throw new SalesforceError(
        400,
        'ALREADY_IN_PROCESS',
        'This record is currently in an approval process. A record can be in only one approval process at a time.',
      );
    if (request.skipEntryCriteria !== true) {
      const maxDiscount = this.store.statement(`SELECT MAX(Discount) FROM "QuoteLineItem" WHERE QuoteId = ? AND IsDeleted = 0`).pluck().get(quoteId) as
        number | null;
      if ((maxDiscount ?? 0) <= QUOTE_DISCOUNT_APPROVAL.discountThreshold) {
        throw new SalesforceError(
          400,
          'NO_APPLICABLE_PROCESS',
          `No applicable approval process was found: the quote's largest line discount is ${maxDiscount ?? 0} %, and ${QUOTE_DISCOUNT_APPROVAL.name} needs more than ${QUOTE_DISCOUNT_APPROVAL.discountThreshold} %.`,
        );
      }
    }
    const next =
      Array.isArray(request.nextApproverIds) && typeof request.nextApproverIds[0] === 'string' ? normalizeSalesforceId(request.nextApproverIds[0]) : null;
    const submitter = this.store.find(this.store.object('User'), submitterId);
    const approverId = next ?? ((submitter?.ManagerId as string | null | undefined) || null);
    if (!approverId || !this.store.find(this.store.object('User'), approverId)) {
      throw new SalesforceError(
        400,
        'MANAGER_NOT_DEFINED',
        'Manager undefined: the submitter has no manager to approve the request; name one in nextApproverIds.',
        ['nextApproverIds'],
      );
    }
    const instanceId = this.newInstance(quoteId, submitterId, ctx, comments);
    const workitemId = this.insert('ProcessInstanceWorkitem', { ProcessInstanceId: instanceId, ActorId: approverId, OriginalActorId: approverId }, ctx);
    this.store.update(this.store.object('Quote'), quoteId, { Status: 'In Review' }, ctx);
    return { actorIds: [approverId], entityId: quoteId, errors: null, instanceId, instanceStatus: 'Pending', newWorkitemIds: [workitemId], success: true };
  }

  private decide(workitemId: string, action: 'Approve' | 'Reject', actorId: string, comments: string | null, ctx: WriteContext): ApprovalResult {
    const item = this.store.find(this.store.object('ProcessInstanceWorkitem'), workitemId);
    if (!item) {
      throw new SalesforceError(
        400,
        'INVALID_CROSS_REFERENCE_KEY',
        `invalid cross reference id: ${workitemId} is not a pending approval request (ProcessInstanceWorkitem); it may have been approved or rejected already.`,
        ['contextId'],
      );
    }
    const instanceId = item.ProcessInstanceId as string;
    const status = action === 'Approve' ? 'Approved' : 'Rejected';
    this.store.statement('DELETE FROM "ProcessInstanceWorkitem" WHERE Id = ?').run(workitemId);
    this.complete(instanceId, status, actorId, comments, ctx, item.OriginalActorId as string | null);
    const instance = this.store.find(this.store.object('ProcessInstance'), instanceId)!;
    const quoteObject = this.store.object('Quote');
    const target = instance.TargetObjectId as string;
    if (this.store.find(quoteObject, target)) this.store.update(quoteObject, target, { Status: status }, ctx);
    return { actorIds: null, entityId: target, errors: null, instanceId, instanceStatus: status, newWorkitemIds: [], success: true };
  }

  private newInstance(targetId: string, submitterId: string, ctx: WriteContext, comments: string | null = null): string {
    const instanceId = this.insert(
      'ProcessInstance',
      { TargetObjectId: targetId, Status: 'Pending', SubmittedById: submitterId, CreatedById: submitterId },
      ctx,
    );
    this.insert(
      'ProcessInstanceStep',
      { ProcessInstanceId: instanceId, StepStatus: 'Started', ActorId: submitterId, OriginalActorId: submitterId, Comments: comments },
      ctx,
    );
    return instanceId;
  }

  private complete(
    instanceId: string,
    status: 'Approved' | 'Rejected',
    actorId: string,
    comments: string | null,
    ctx: WriteContext,
    originalActorId?: string | null,
  ): void {
    const now = formatDateTime(ctx.now);
    this.insert(
      'ProcessInstanceStep',
      { ProcessInstanceId: instanceId, StepStatus: status, ActorId: actorId, OriginalActorId: originalActorId ?? actorId, Comments: comments },
      ctx,
    );
    this.store
      .statement(
        `UPDATE ${quoteIdent('ProcessInstance')} SET Status = ?, CompletedDate = ?, LastActorId = ?, LastModifiedDate = ?, SystemModstamp = ?, LastModifiedById = ? WHERE Id = ?`,
      )
      .run(status, now, actorId, now, now, ctx.userId, instanceId);
  }

  private insert(object: string, values: Row, ctx: WriteContext): string {
    const o = this.store.object(object);
    const id = this.store.mintId(o);
    this.store.insertSeed(o, { ...values, Id: id }, ctx);
    return id;
  }
}
