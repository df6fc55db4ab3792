import { GraphQLError } from 'graphql';
import { NativeSystemCircuitOpenError, NativeSystemError, NativeSystemUnavailableError } from '../../../../lib/errors.js';
import { ODOO_SYSTEM_LABEL, OdooError, OdooUnavailableError } from '../../../../lib/native/odooClient.js';
import { SalesforceError, SalesforceUnavailableError } from '../../../../lib/native/salesforceClient.js';
import { normalizeSalesforceId } from '../../../../lib/native/salesforceId.js';
import { CircuitOpenError } from '../../../../lib/resilience.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { decideApproval, listApprovals } from '../workflows/approvals.js';
import { LockUnavailableError } from '../workflows/guard.js';
import { createCustomer, validateCustomerInput } from '../workflows/createCustomer.js';
import { convertQuoteToSalesOrder } from '../workflows/quoteToOrder.js';

/** A run that could not take its cross-process lock did nothing: the client may simply retry. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LockUnavailableError) throw new GraphQLError(error.message, { extensions: { code: 'SERVICE_UNAVAILABLE' }, originalError: error });
    throw error;
  }
}

/** Native failures outside the step-by-step results (approvals) become errors naming the system. */
async function native<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    if (error instanceof CircuitOpenError) {
      throw new NativeSystemCircuitOpenError(error.systemLabel === ODOO_SYSTEM_LABEL ? 'erp' : 'crm', error.message, error.retryInSeconds, { cause: error });
    }
    if (error instanceof OdooUnavailableError) throw new NativeSystemUnavailableError('erp', error.message, { cause: error });
    if (error instanceof SalesforceUnavailableError) throw new NativeSystemUnavailableError('crm', error.message, { cause: error });
    if (error instanceof OdooError) throw new NativeSystemError('erp', error.odooName, error.message);
    if (error instanceof SalesforceError) throw new NativeSystemError('crm', error.errorCode, error.message);
    throw error;
  }
}

export const resolvers: Resolvers = {
  Query: {
    approvals: (_parent, args, ctx) =>
      native(() => listApprovals({ status: args.status ?? 'PENDING', system: args.system ?? null, first: args.first ?? 100 }, ctx)),
  },
  Mutation: {
    convertQuoteToSalesOrder: (_parent, { quoteId, onCreditLimitExceeded }, ctx) => {
      // One key per quote whatever form the id came in.
      const key = normalizeSalesforceId(quoteId);
      if (key === null || !key.startsWith('0Q0')) {
        throw new GraphQLError(`Expected quoteId to be a Salesforce Quote id (15 or 18 characters starting with 0Q0), but got ${JSON.stringify(quoteId)}.`, {
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'quoteId' },
        });
      }
      // The run includes waiting for the caches to drop what it wrote, so a request that joins it answers
      // only once its writes can be read too (the cross-process lock is held through those waits:
      // at most WORKFLOW_ERP_REFRESH_WAIT_MS and WORKFLOW_CRM_REFRESH_WAIT_MS, side by side).
      return guarded(() =>
        ctx.quoteGuard.run(
          key,
          () => ctx.writing(() => convertQuoteToSalesOrder(key, { ...ctx, onCreditLimitExceeded: onCreditLimitExceeded ?? 'REFUSE' })),
          (first) => ({ ...first, replayed: true }),
        ),
      );
    },
    createCustomer: (_parent, { input, idempotencyKey }, ctx) => {
      validateCustomerInput(input, idempotencyKey);
      return guarded(() =>
        ctx.customerGuard.run(
          idempotencyKey,
          () => ctx.writing(() => createCustomer(input, idempotencyKey, { ...ctx, exclusive: (key, work) => ctx.customerGuard.exclusive(key, work) })),
          (first) => ({ ...first, replayed: true }),
        ),
      );
    },
    approve: (_parent, { id, comment }, ctx) => ctx.writing(() => native(() => decideApproval(id, 'Approve', comment ?? null, ctx))),
    reject: (_parent, { id, comment }, ctx) => {
      if (comment.trim() === '') {
        throw new GraphQLError('Expected a comment saying why the approval is rejected, but it is empty.', {
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'comment' },
        });
      }
      return ctx.writing(() => native(() => decideApproval(id, 'Reject', comment, ctx)));
    },
  },
};
