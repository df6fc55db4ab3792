/**
 * The CRM (Salesforce) reads and writes the workflows need, as plain records:
 * the quote with its lines and account, the order-number write-back, the
 * account upsert by ERP number, and approval work items.
 */
import { SalesforceError, type SalesforceClient } from '../../../../lib/native/salesforceClient.js';

type SObject = Record<string, unknown>;

export interface CrmQuoteLine {
  id: string;
  sku: string | null;
  quantity: number;
  unitPrice: number;
  discountPercent: number | null;
  description: string | null;
}

export interface CrmQuote {
  id: string;
  name: string;
  quoteNumber: string | null;
  status: string;
  erpOrderNumber: string | null;
  opportunityId: string | null;
  opportunityErpOrderNumber: string | null;
  accountId: string | null;
  /** `Account.ERP_Customer_Number__c` of the quote's account (through its opportunity). */
  erpCustomerNumber: string | null;
  lines: CrmQuoteLine[];
}

export interface CrmWorkitem {
  id: string;
  processInstanceId: string;
  /** The record under approval (`ProcessInstance.TargetObjectId`). */
  targetId: string | null;
  targetType: string | null;
  targetName: string | null;
  actorEmail: string | null;
  submitterEmail: string | null;
  status: string;
  createdDate: string | null;
}

/** Salesforce ids only ever reach SOQL after this check, so a literal cannot break out of its quotes. */
function soqlId(id: string): string {
  if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id)) throw new TypeError(`Expected a Salesforce id, but got ${JSON.stringify(id)}.`);
  return `'${id}'`;
}

type Rel = SObject | null | undefined;

/** `written` hears of each write that may have happened, so the mutation can wait for its change event (readYourWrites.ts). */
export function createCrm(sf: SalesforceClient, hooks: { written?: () => void } = {}) {
  // A write Salesforce refused changed nothing; one without an answer may have happened.
  const write = async <T>(send: () => Promise<T>): Promise<T> => {
    try {
      const result = await send();
      hooks.written?.();
      return result;
    } catch (error) {
      if (!(error instanceof SalesforceError)) hooks.written?.();
      throw error;
    }
  };
  return {
    async quote(id: string): Promise<CrmQuote | null> {
      const [row] = await sf.query(
        `SELECT Id, Name, QuoteNumber, Status, ERP_Order_Number__c, OpportunityId, Opportunity.ERP_Order_Number__c, Opportunity.AccountId, ` +
          `Opportunity.Account.ERP_Customer_Number__c, ` +
          `(SELECT Id, Quantity, UnitPrice, Discount, Description, Product2.ProductCode FROM QuoteLineItems ORDER BY LineNumber) ` +
          `FROM Quote WHERE Id = ${soqlId(id)}`,
      );
      if (!row) return null;
      const opportunity = row.Opportunity as Rel;
      const account = opportunity?.Account as Rel;
      const children = (row.QuoteLineItems as { records?: SObject[] } | null)?.records ?? [];
      return {
        id: row.Id as string,
        name: row.Name as string,
        quoteNumber: (row.QuoteNumber as string | null) ?? null,
        status: row.Status as string,
        erpOrderNumber: (row.ERP_Order_Number__c as string | null) ?? null,
        opportunityId: (row.OpportunityId as string | null) ?? null,
        opportunityErpOrderNumber: (opportunity?.ERP_Order_Number__c as string | null) ?? null,
        accountId: (opportunity?.AccountId as string | null) ?? null,
        erpCustomerNumber: (account?.ERP_Customer_Number__c as string | null) ?? null,
        lines: children.map((l) => ({
          id: l.Id as string,
          sku: ((l.Product2 as Rel)?.ProductCode as string | null) ?? null,
          quantity: l.Quantity as number,
          unitPrice: l.UnitPrice as number,
          discountPercent: (l.Discount as number | null) ?? null,
          description: (l.Description as string | null) ?? null,
        })),
      };
    },

    async setErpOrderNumber(sobject: 'Quote' | 'Opportunity', id: string, orderNumber: string): Promise<void> {
      await write(() => sf.update(sobject, id, { ERP_Order_Number__c: orderNumber }));
    },

    /** Upsert by external id: creates the account or updates the one carrying this ERP number. */
    async upsertAccountByErpNumber(erpNumber: string, fields: SObject): Promise<{ id: string; created: boolean }> {
      const saved = await write(() => sf.upsert('Account', 'ERP_Customer_Number__c', erpNumber, fields));
      return { id: saved.id, created: saved.created ?? false };
    },

    async accountsByErpNumber(erpNumber: string): Promise<string[]> {
      if (!/^[A-Za-z0-9-]+$/.test(erpNumber)) throw new TypeError(`Expected an ERP customer number such as C00042, but got ${JSON.stringify(erpNumber)}.`);
      const rows = await sf.query(`SELECT Id FROM Account WHERE ERP_Customer_Number__c = '${erpNumber}'`);
      return rows.map((r) => r.Id as string);
    },

    // --- Approvals (Approval Processes) -----------------------------------------

    /**
     * Work items waiting for an approver (`ProcessInstanceWorkitem`), oldest
     * first; `ids` narrows to those. A work item exists only while its approval
     * is pending: Salesforce deletes it on the decision.
     */
    async workitems(limit: number, ids?: string[]): Promise<CrmWorkitem[]> {
      const where = ids ? `WHERE Id IN (${ids.map(soqlId).join(', ')})` : `WHERE ProcessInstance.Status = 'Pending'`;
      const rows = await sf.query(
        `SELECT Id, ProcessInstanceId, CreatedDate, Actor.Email, ProcessInstance.Status, ProcessInstance.TargetObjectId, ` +
          `ProcessInstance.TargetObject.Name, ProcessInstance.TargetObject.Type, ProcessInstance.SubmittedBy.Email ` +
          `FROM ProcessInstanceWorkitem ${where} ORDER BY CreatedDate ASC, Id ASC LIMIT ${Math.max(1, Math.min(limit, 2000))}`,
      );
      return rows.map((r) => {
        const instance = r.ProcessInstance as Rel;
        const target = instance?.TargetObject as Rel;
        return {
          id: r.Id as string,
          processInstanceId: r.ProcessInstanceId as string,
          targetId: (instance?.TargetObjectId as string | null) ?? null,
          targetType: (target?.Type as string | null) ?? null,
          targetName: (target?.Name as string | null) ?? null,
          actorEmail: ((r.Actor as Rel)?.Email as string | null) ?? null,
          submitterEmail: ((instance?.SubmittedBy as Rel)?.Email as string | null) ?? null,
          status: (instance?.Status as string | null) ?? 'Pending',
          createdDate: (r.CreatedDate as string | null) ?? null,
        };
      });
    },

    /** Decided approvals (`ProcessInstance` with Status Approved or Rejected), the last actor standing in for the approver. */
    async decidedInstances(status: 'Approved' | 'Rejected', limit: number): Promise<CrmWorkitem[]> {
      const rows = await sf.query(
        `SELECT Id, Status, CreatedDate, CompletedDate, TargetObjectId, TargetObject.Name, TargetObject.Type, SubmittedBy.Email, LastActor.Email ` +
          `FROM ProcessInstance WHERE Status = '${status}' ORDER BY CreatedDate ASC, Id ASC LIMIT ${Math.max(1, Math.min(limit, 2000))}`,
      );
      return rows.map((r) => {
        const target = r.TargetObject as Rel;
        return {
          id: r.Id as string,
          processInstanceId: r.Id as string,
          targetId: (r.TargetObjectId as string | null) ?? null,
          targetType: (target?.Type as string | null) ?? null,
          targetName: (target?.Name as string | null) ?? null,
          actorEmail: ((r.LastActor as Rel)?.Email as string | null) ?? null,
          submitterEmail: ((r.SubmittedBy as Rel)?.Email as string | null) ?? null,
          status: r.Status as string,
          createdDate: (r.CreatedDate as string | null) ?? null,
        };
      });
    },

    /** Approves or rejects one work item through `POST /process/approvals/`. */
    async decideWorkitem(workitemId: string, action: 'Approve' | 'Reject', comment?: string): Promise<SObject> {
      const [result] = await sf.processApprovals([{ actionType: action, contextId: workitemId, ...(comment ? { comments: comment } : {}) }]);
      return result ?? {};
    },
  };
}

export type Crm = ReturnType<typeof createCrm>;
