/** Odoo values as the graph shows them: money with its currency, states as enum values. */
import type { InvoicePaymentState as OdooPaymentState, SaleOrderState } from '../connectors/erpConnector.js';
import type { InvoicePaymentState, Money, SalesOrderState } from '../__generated__/resolvers-types.js';

export function money(amount: number, currencyCode: string): Money {
  return { amount, currencyCode };
}

const ORDER_STATE: Record<SaleOrderState, SalesOrderState> = {
  draft: 'QUOTATION',
  sent: 'QUOTATION_SENT',
  sale: 'CONFIRMED',
  cancel: 'CANCELLED',
};

export function salesOrderState(state: SaleOrderState): SalesOrderState {
  return ORDER_STATE[state];
}

const PAYMENT_STATE: Record<OdooPaymentState, InvoicePaymentState> = {
  not_paid: 'NOT_PAID',
  partial: 'PARTIAL',
  paid: 'PAID',
  in_payment: 'IN_PAYMENT',
  reversed: 'REVERSED',
  // Invoices settled before Odoo's accounting was installed: Odoo treats them as paid.
  invoicing_legacy: 'PAID',
};

export function invoicePaymentState(state: OdooPaymentState): InvoicePaymentState {
  return PAYMENT_STATE[state];
}

/** Invoices on which something is still owed; `in_payment` is paid, awaiting only bank reconciliation. */
export function isOpen(state: OdooPaymentState): boolean {
  return state === 'not_paid' || state === 'partial';
}
