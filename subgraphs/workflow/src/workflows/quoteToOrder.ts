/**
 * Quote to order: an accepted CRM quote becomes a confirmed ERP sales order,
 * and the order number goes back to the quote and its opportunity.
 *
 * The CRM quote id (18 characters) is the idempotency key, stored on the ERP
 * order as `client_order_ref`. Every run starts from what the systems hold:
 *
 *   1. CRM: read the quote, its lines and its account's ERP number.
 *   2. ERP: search `sale.order` by `client_order_ref` (inside the guard, see
 *      guard.ts). A confirmed order is never created again; a draft left by an
 *      earlier run is checked and confirmed; a cancelled one is reported.
 *   3. Checks before any write: quote Accepted, customer in the ERP, every SKU
 *      sold in the ERP, stock (`qty_available`) for every SKU.
 *   4. ERP: create the order as a draft, re-priced at the ERP's list prices, in
 *      one `create` (order and lines together or not at all).
 *   5. Credit: the ERP's own total (taxes included) plus the customer's open
 *      balance against `credit_limit`. A refusal deletes the draft
 *      (compensation), so a refused quote leaves nothing in the ERP; if that
 *      delete fails the draft is reported, and a retry deletes it.
 *   6. ERP: `action_confirm`.
 *   7. CRM: write the order number to Quote and Opportunity (`ERP_Order_Number__c`).
 *
 * When a write gets no answer (timeout, connection lost), the run reads the ERP
 * again by `client_order_ref` to learn whether it happened, and reports what it
 * found. A retry of an INCOMPLETE result repeats nothing that is done.
 */
import type { Crm, CrmQuote } from '../connectors/crm.js';
import type { Erp, ErpCustomer, ErpOrder, ErpProduct } from '../connectors/erp.js';
import { OdooError } from '../../../../lib/native/odooClient.js';
import type {
  ConvertedQuoteLine,
  CreditLimitPolicy,
  CreditCheck,
  QuoteConversionReason,
  QuoteConversionResult,
  StockShortage,
  WorkflowOutcome,
  WorkflowStep,
} from '../__generated__/resolvers-types.js';
import { describeFailure, type WorkflowLog } from './log.js';

export interface QuoteToOrderDeps {
  /** What an order over the credit limit does. Defaults to REFUSE. */
  onCreditLimitExceeded?: CreditLimitPolicy;
  erp: Erp;
  crm: Crm;
  currencyCode: string;
  log: WorkflowLog;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

class Run {
  readonly steps: WorkflowStep[] = [];
  lines: ConvertedQuoteLine[] = [];
  shortages: StockShortage[] = [];
  credit: CreditCheck | null = null;
  order: ErpOrder | null = null;

  constructor(
    readonly quoteId: string,
    readonly deps: QuoteToOrderDeps,
  ) {}

  money(amount: number) {
    return { amount: round2(amount), currencyCode: this.deps.currencyCode };
  }

  step(system: 'ERP' | 'CRM', action: string, status: WorkflowStep['status'], reference?: string | null, detail?: string): void {
    this.steps.push({ system, action, status, reference: reference ?? null, detail: detail ?? null });
  }

  finish(outcome: WorkflowOutcome, reason: QuoteConversionReason | null, message: string): QuoteConversionResult {
    const result: QuoteConversionResult = {
      outcome,
      reason,
      message,
      quote: { id: this.quoteId },
      salesOrder: this.order ? { number: this.order.number } : null,
      steps: this.steps,
      lines: this.lines,
      shortages: this.shortages,
      credit: this.credit,
      replayed: false,
    };
    // The log line states each system's state as plainly as the result does, for whoever reads it without the response.
    this.deps.log(outcome === 'INCOMPLETE' || outcome === 'FAILED' ? 'warn' : 'info', 'quoteToOrder', {
      quoteId: this.quoteId,
      outcome,
      reason,
      message,
      erpOrder: this.order ? `${this.order.number} (${this.order.state})` : null,
      steps: this.steps.map((s) => `${s.system} ${s.action}: ${s.status}${s.reference ? ` [${s.reference}]` : ''}${s.detail ? ` (${s.detail})` : ''}`),
    });
    return result;
  }
}

export async function convertQuoteToSalesOrder(quoteId: string, deps: QuoteToOrderDeps): Promise<QuoteConversionResult> {
  const { erp, crm } = deps;
  const run = new Run(quoteId, deps);

  // 1. The quote, as the CRM holds it now.
  let quote: CrmQuote | null;
  try {
    quote = await crm.quote(quoteId);
  } catch (error) {
    run.step('CRM', 'Quote.read', 'FAILED', quoteId, describeFailure(error));
    return run.finish('FAILED', 'CRM_WRITE_BACK_FAILED', `The CRM could not be read, so nothing was written to either system: ${describeFailure(error)}`);
  }
  if (!quote) {
    run.step('CRM', 'Quote.read', 'FAILED', quoteId, 'No such quote.');
    return run.finish('REFUSED', 'QUOTE_NOT_FOUND', `Expected a CRM quote with id ${quoteId}, but the CRM has none; nothing was written.`);
  }
  run.step('CRM', 'Quote.read', 'DONE', quoteId, `${quote.quoteNumber ?? quote.name}, status ${quote.status}, ${quote.lines.length} line(s).`);

  // 2. Idempotency: an order with this quote id as client_order_ref is the one order for this quote.
  let existing: ErpOrder[];
  try {
    existing = await erp.ordersByClientRef(quoteId);
  } catch (error) {
    run.step('ERP', 'sale.order.search client_order_ref', 'FAILED', quoteId, describeFailure(error));
    return run.finish(
      'FAILED',
      'ERP_UNAVAILABLE',
      `The ERP could not be searched for an earlier order of this quote, so nothing was written: ${describeFailure(error)}`,
    );
  }
  const live = existing.filter((o) => o.state !== 'cancel');
  if (live.length === 0 && existing.length > 0) {
    run.order = existing[0]!;
    run.step('ERP', 'sale.order.search client_order_ref', 'DONE', run.order.number, 'The order for this quote was cancelled in the ERP.');
    return run.finish(
      'REFUSED',
      'ERP_ORDER_CANCELLED',
      `ERP order ${run.order.number} for this quote was cancelled in the ERP; a cancelled order is not re-created automatically, and nothing was written.`,
    );
  }
  // Should two orders ever exist (a multi-replica race without Redis), the oldest one is the order; the others are reported.
  run.order = live.find((o) => o.state === 'sale') ?? live[0] ?? null;
  if (live.length > 1) {
    run.step(
      'ERP',
      'sale.order.search client_order_ref',
      'FAILED',
      live.map((o) => o.number).join(', '),
      `Expected at most one ERP order for this quote, but found ${live.length}; ${run.order!.number} is used, the others need a person to cancel them.`,
    );
  } else {
    run.step(
      'ERP',
      'sale.order.search client_order_ref',
      'DONE',
      run.order?.number ?? null,
      run.order ? `Found from an earlier run (${run.order.state}).` : 'No earlier order.',
    );
  }

  if (run.order?.state !== 'sale') {
    // 3. Checks before any write (and before confirming a draft an earlier run left).
    if (!run.order && quote.status !== 'Accepted') {
      return run.finish('REFUSED', 'QUOTE_NOT_ACCEPTED', `Expected the quote to have status Accepted, but it is ${quote.status}; nothing was written.`);
    }
    const refused = await checkBeforeWriting(run, quote, erp);
    if ('outcome' in refused) return refused;
    const { customer, products } = refused;

    // 4. The draft, priced by the ERP.
    if (!run.order) {
      const created = await createDraft(run, quote, customer, products, erp);
      if (created) return created;
      const settled = await settleRace(run, erp);
      if (settled) return settled;
    } else {
      run.step('ERP', 'sale.order.create', 'ALREADY_DONE', run.order.number, `Draft left by an earlier run; not created again.`);
    }
    const order = run.order!;
    if (order.state === 'sale') {
      // The run that won the race confirmed it already.
      run.step('ERP', 'sale.order.action_confirm', 'ALREADY_DONE', order.number);
      return writeBack(run, quote, crm);
    }

    // 5. Credit, against the ERP's own total.
    const credit = await checkCredit(run, customer, order, erp, run.deps);
    if (credit) return credit;

    // 6. Confirm.
    try {
      await erp.confirmOrder(order.id);
      run.order = { ...order, state: 'sale' };
      run.step('ERP', 'sale.order.action_confirm', 'DONE', order.number);
    } catch (error) {
      // No answer does not mean not done: read the order to know.
      const now = await erp.order(order.id).catch(() => null);
      if (now?.state === 'sale') {
        run.order = now;
        run.step(
          'ERP',
          'sale.order.action_confirm',
          'DONE',
          order.number,
          `The call failed (${describeFailure(error)}) but the ERP shows the order confirmed.`,
        );
      } else {
        run.step('ERP', 'sale.order.action_confirm', 'FAILED', order.number, describeFailure(error));
        run.step('CRM', 'Quote.update ERP_Order_Number__c', 'NOT_ATTEMPTED', quote.id);
        run.step('CRM', 'Opportunity.update ERP_Order_Number__c', 'NOT_ATTEMPTED', quote.opportunityId);
        const state = now ? `exists as an unconfirmed ${now.state}` : 'exists as an unconfirmed draft (its state could not be read back)';
        return run.finish(
          'INCOMPLETE',
          error instanceof OdooError ? null : 'ERP_UNAVAILABLE',
          `ERP order ${order.number} ${state}; confirming it failed (${describeFailure(error)}). The CRM was not updated. Converting the quote again confirms this order; it does not create another.`,
        );
      }
    }
  } else {
    run.step('ERP', 'sale.order.create', 'ALREADY_DONE', run.order.number);
    run.step('ERP', 'sale.order.action_confirm', 'ALREADY_DONE', run.order.number);
  }

  // 7. Write-back to the CRM.
  return writeBack(run, quote, crm);
}

async function checkBeforeWriting(
  run: Run,
  quote: CrmQuote,
  erp: Erp,
): Promise<QuoteConversionResult | { customer: ErpCustomer; products: Map<string, ErpProduct> }> {
  const nothing = run.order ? `ERP draft ${run.order.number} from an earlier run was left as it is` : 'nothing was written';
  // With a draft from an earlier run in the ERP, a refusal leaves that draft: the result is then INCOMPLETE, not a clean refusal.
  const refuse = (reason: QuoteConversionReason, message: string) => run.finish(run.order ? 'INCOMPLETE' : 'REFUSED', reason, message);
  if (!quote.erpCustomerNumber) {
    return refuse(
      'CUSTOMER_NOT_IN_ERP',
      `Expected the quote's account to carry an ERP customer number (ERP_Customer_Number__c), but it carries none; ${nothing}.`,
    );
  }
  const lines = quote.lines.filter((l) => l.sku);
  if (lines.length === 0) {
    return refuse(
      'QUOTE_HAS_NO_LINES',
      `Expected the quote to have at least one line with a product SKU, but it has ${quote.lines.length} line(s) and none names a product; ${nothing}.`,
    );
  }
  let customer: ErpCustomer | null;
  let products: Map<string, ErpProduct>;
  try {
    [customer, products] = await Promise.all([erp.customerByNumber(quote.erpCustomerNumber), erp.productsBySku([...new Set(lines.map((l) => l.sku!))])]);
  } catch (error) {
    run.step('ERP', 'check customer, products and stock', 'FAILED', quote.erpCustomerNumber, describeFailure(error));
    return run.finish(
      run.order ? 'INCOMPLETE' : 'FAILED',
      'ERP_UNAVAILABLE',
      `The ERP could not be read for the checks, so ${nothing}: ${describeFailure(error)}`,
    );
  }
  run.lines = quote.lines.map((l) => ({
    sku: l.sku ?? '(no product)',
    quantity: l.quantity,
    crmUnitPrice: run.money(l.unitPrice),
    erpUnitPrice: l.sku && products.get(l.sku) ? run.money(products.get(l.sku)!.listPrice) : null,
  }));
  if (!customer) {
    run.step('ERP', 'check customer', 'FAILED', quote.erpCustomerNumber, 'No ERP customer has this number.');
    return refuse(
      'CUSTOMER_NOT_IN_ERP',
      `Expected an ERP customer numbered ${quote.erpCustomerNumber} (from the quote's account), but the ERP has none; ${nothing}.`,
    );
  }
  run.step('ERP', 'check customer', 'DONE', customer.number, customer.name);
  const unknown = [...new Set(lines.map((l) => l.sku!).filter((sku) => !products.has(sku)))];
  if (unknown.length > 0) {
    run.step('ERP', 'check products', 'FAILED', unknown.join(', '), 'Not sold in the ERP.');
    return refuse(
      'PRODUCT_NOT_IN_ERP',
      `Expected every quoted SKU to be a product sold in the ERP, but ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not; ${nothing}.`,
    );
  }
  // Stock is checked per SKU over all lines: two lines of one product draw on one stock.
  const wanted = new Map<string, number>();
  for (const l of lines) wanted.set(l.sku!, (wanted.get(l.sku!) ?? 0) + l.quantity);
  run.shortages = [...wanted]
    .filter(([sku, qty]) => products.get(sku)!.qtyAvailable < qty)
    .map(([sku, qty]) => ({ sku, requested: qty, available: products.get(sku)!.qtyAvailable }));
  if (run.shortages.length > 0) {
    const list = run.shortages.map((s) => `${s.sku} (${s.requested} requested, ${s.available} on hand)`).join(', ');
    run.step('ERP', 'check stock', 'FAILED', run.shortages.map((s) => s.sku).join(', '), list);
    return refuse('INSUFFICIENT_STOCK', `Expected the ERP to hold enough stock for every line, but it is short of ${list}; ${nothing}.`);
  }
  run.step('ERP', 'check stock', 'DONE', null, `${wanted.size} product(s) in stock.`);
  return { customer, products };
}

async function createDraft(
  run: Run,
  quote: CrmQuote,
  customer: ErpCustomer,
  products: Map<string, ErpProduct>,
  erp: Erp,
): Promise<QuoteConversionResult | null> {
  const lines = quote.lines
    .filter((l) => l.sku)
    .map((l) => ({ productId: products.get(l.sku!)!.id, quantity: l.quantity, unitPrice: products.get(l.sku!)!.listPrice }));
  try {
    const id = await erp.createDraftOrder({ partnerId: customer.id, clientOrderRef: quote.id, origin: `CRM quote ${quote.quoteNumber ?? quote.name}`, lines });
    run.order = await erp.order(id);
    if (!run.order) throw new Error(`Expected to read back sale.order ${id} just created, but the ERP returned nothing.`);
    run.step('ERP', 'sale.order.create', 'DONE', run.order.number, `Draft for customer ${customer.number}, ERP total ${run.order.amountTotal}.`);
    return null;
  } catch (error) {
    // Did the create happen? Only the ERP can say: look for the order by its key.
    const found = await erp.ordersByClientRef(quote.id).catch(() => null);
    const order = found?.find((o) => o.state !== 'cancel');
    if (order) {
      run.order = order;
      run.step('ERP', 'sale.order.create', 'DONE', order.number, `The call failed (${describeFailure(error)}) but the ERP shows the order created.`);
      return null;
    }
    run.step('ERP', 'sale.order.create', 'FAILED', null, describeFailure(error));
    if (found === null) {
      return run.finish(
        'INCOMPLETE',
        'ERP_UNAVAILABLE',
        `Creating the ERP order failed and the ERP could not be read back, so it is unknown whether a draft order exists for this quote (${describeFailure(error)}). The CRM was not updated. Converting again finds such a draft by the quote id and never creates a second order.`,
      );
    }
    return run.finish(
      error instanceof OdooError ? 'REFUSED' : 'FAILED',
      error instanceof OdooError ? null : 'ERP_UNAVAILABLE',
      `The ERP did not create the order, and holds none for this quote; nothing was written: ${describeFailure(error)}`,
    );
  }
}

/**
 * Create-then-verify, the guard that works across replicas without Redis: after
 * creating its draft, a run searches the key again. If another run's order
 * exists too, one order wins — a confirmed one, else the oldest (lowest id) —
 * and a losing run deletes its own draft and carries on with the winner. Both
 * racing runs see both orders (each searches after its own create committed),
 * so they agree on the winner. The window left is PostgreSQL committing ids out
 * of order, which Redis (REDIS_URL) closes.
 */
async function settleRace(run: Run, erp: Erp): Promise<QuoteConversionResult | null> {
  const mine = run.order!;
  let live: ErpOrder[];
  try {
    live = (await erp.ordersByClientRef(run.quoteId)).filter((o) => o.state !== 'cancel');
  } catch {
    // The confirm step reads the ERP again; an unreadable ERP fails there with the full story.
    return null;
  }
  const winner = live.find((o) => o.state === 'sale') ?? [...live].sort((a, b) => a.id - b.id)[0] ?? mine;
  if (winner.id === mine.id) return null;
  run.order = winner;
  try {
    await erp.deleteDraftOrder(mine.id);
    run.step(
      'ERP',
      'sale.order.unlink',
      'COMPENSATED',
      mine.number,
      `Another run created ${winner.number} for this quote at the same time; this run's draft was removed and ${winner.number} is the order.`,
    );
  } catch (error) {
    run.step(
      'ERP',
      'sale.order.unlink',
      'FAILED',
      mine.number,
      `Another run created ${winner.number} for this quote at the same time, and removing this run's duplicate draft failed: ${describeFailure(error)}`,
    );
    return run.finish(
      'INCOMPLETE',
      'ERP_UNAVAILABLE',
      `Two runs created an order for this quote at the same time; ${winner.number} is the order, but duplicate draft ${mine.number} could not be removed (${describeFailure(error)}). Converting again removes it.`,
    );
  }
  return null;
}

async function checkCredit(run: Run, customer: ErpCustomer, order: ErpOrder, erp: Erp, deps: QuoteToOrderDeps): Promise<QuoteConversionResult | null> {
  let openBalance: number;
  try {
    openBalance = await erp.openBalance(customer.id);
  } catch (error) {
    run.step('ERP', 'check credit', 'FAILED', customer.number, describeFailure(error));
    return run.finish(
      'INCOMPLETE',
      'ERP_UNAVAILABLE',
      `ERP order ${order.number} exists as an unconfirmed draft; the credit check could not read the ERP (${describeFailure(error)}). The CRM was not updated. Converting again re-checks and confirms this draft.`,
    );
  }
  const passed = customer.creditLimit === null || openBalance + order.amountTotal <= customer.creditLimit;
  run.credit = {
    creditLimit: customer.creditLimit === null ? null : run.money(customer.creditLimit),
    openBalance: run.money(openBalance),
    orderTotal: run.money(order.amountTotal),
    passed,
  };
  // The customer's balance and limit are finance data (finance:read): they go to the scoped `credit` field and the log, not into sentences.
  deps.log('info', 'quoteToOrder.credit', {
    quoteId: run.quoteId,
    customer: customer.number,
    creditLimit: customer.creditLimit,
    openBalance,
    orderTotal: order.amountTotal,
    passed,
  });
  if (passed) {
    run.step('ERP', 'check credit', 'DONE', customer.number, 'Open balance plus this order is within the credit limit.');
    return null;
  }
  const numbers = `open balance plus this order's ${round2(order.amountTotal)} exceeds the customer's credit limit (see credit, which needs finance:read)`;
  // An exception a person approved in the ERP lets the order through; a pending one keeps it waiting; a refusal ends it.
  const exception = await overCreditApproval(run, customer, order, erp, numbers);
  if (exception !== 'none') return exception;
  run.step('ERP', 'check credit', 'FAILED', customer.number, numbers);
  // Compensation: a refused quote must leave no order behind.
  try {
    await erp.deleteDraftOrder(order.id);
    run.step('ERP', 'sale.order.unlink', 'COMPENSATED', order.number, 'The draft was removed because the credit check refused the order.');
    const number = order.number;
    run.order = null;
    return run.finish(
      'REFUSED',
      'CREDIT_LIMIT_EXCEEDED',
      `Expected the order to fit the customer's credit limit, but the ${numbers}; draft ${number} was removed again, so the ERP holds no order for this quote and the CRM was not changed.`,
    );
  } catch (error) {
    run.step('ERP', 'sale.order.unlink', 'FAILED', order.number, describeFailure(error));
    return run.finish(
      'INCOMPLETE',
      'CREDIT_LIMIT_EXCEEDED',
      `The credit check refused the order (${numbers}), but removing draft ${order.number} failed (${describeFailure(error)}): the ERP still holds it unconfirmed. Converting again re-checks credit and removes or confirms it.`,
    );
  }
}

export const CREDIT_APPROVAL_CATEGORY = 'Sales order over credit limit';

/**
 * The ERP approval for an order over the credit limit: found by the order
 * number (`reference`) in the category above, or — with REQUEST_APPROVAL — created
 * for the salesperson's manager. Returns null to let the order through (approved),
 * a result to stop here, or 'none' when no approval applies.
 */
async function overCreditApproval(run: Run, customer: ErpCustomer, order: ErpOrder, erp: Erp, numbers: string): Promise<QuoteConversionResult | null | 'none'> {
  const policy = run.deps.onCreditLimitExceeded ?? 'REFUSE';
  let existing: { id: number; status: string }[];
  try {
    existing = await erp.approvalRequestsFor(order.number, CREDIT_APPROVAL_CATEGORY);
  } catch (error) {
    run.step('ERP', 'approval.request.search', 'FAILED', order.number, describeFailure(error));
    return run.finish(
      'INCOMPLETE',
      'ERP_UNAVAILABLE',
      `ERP order ${order.number} exists as an unconfirmed draft over the credit limit, and its approvals could not be read (${describeFailure(error)}). Converting again decides it.`,
    );
  }
  const decisive =
    existing.find((r) => r.status === 'approved') ??
    existing.find((r) => r.status === 'pending' || r.status === 'new') ??
    existing.find((r) => r.status === 'refused');
  if (decisive?.status === 'approved') {
    run.step('ERP', 'check credit', 'DONE', customer.number, `${numbers}, but ERP approval request ${decisive.id} approved this order.`);
    return null;
  }
  if (decisive && decisive.status !== 'refused') {
    run.step('ERP', 'check credit', 'FAILED', customer.number, numbers);
    run.step('ERP', 'approval.request.create', 'ALREADY_DONE', `erp:approval.request:${decisive.id}`, 'Still waiting for a decision.');
    return run.finish(
      'AWAITING_APPROVAL',
      'CREDIT_LIMIT_EXCEEDED',
      `ERP order ${order.number} is a draft waiting for approval request ${decisive.id} (over the credit limit); the CRM was not updated. Converting again after the approval confirms it.`,
    );
  }
  if (decisive || policy !== 'REQUEST_APPROVAL') return 'none';
  run.step('ERP', 'check credit', 'FAILED', customer.number, numbers);
  try {
    const categoryId = await erp.approvalCategory(CREDIT_APPROVAL_CATEGORY);
    const approver = await erp.managerUserOfSalesperson(order.id);
    const id = await erp.createApprovalRequest({
      name: `${order.number}: over the credit limit of ${customer.number}`,
      categoryId,
      reference: order.number,
      partnerId: customer.id,
      amount: order.amountTotal,
      reason: `Created by the quote-to-order workflow for CRM quote ${run.quoteId}: the customer's open balance plus this order exceeds its credit limit.`,
      approverUserId: approver,
      now: new Date().toISOString().slice(0, 19).replace('T', ' '),
    });
    run.step(
      'ERP',
      'approval.request.create',
      'DONE',
      `erp:approval.request:${id}`,
      approver
        ? `For user ${approver}, the salesperson's manager (or sales team leader).`
        : 'Neither a manager nor a sales team leader was found for the salesperson: the request has no approver yet.',
    );
    return run.finish(
      'AWAITING_APPROVAL',
      'CREDIT_LIMIT_EXCEEDED',
      `ERP order ${order.number} is kept as a draft and approval request ${id} asks to accept it over the credit limit; the CRM was not updated. Converting again after the approval confirms it.`,
    );
  } catch (error) {
    run.step('ERP', 'approval.request.create', 'FAILED', order.number, describeFailure(error));
    return run.finish(
      'INCOMPLETE',
      'CREDIT_LIMIT_EXCEEDED',
      `ERP order ${order.number} is an unconfirmed draft over the credit limit, and requesting its approval failed (${describeFailure(error)}). Converting again requests it.`,
    );
  }
}

async function writeBack(run: Run, quote: CrmQuote, crm: Crm): Promise<QuoteConversionResult> {
  const number = run.order!.number;
  const targets: ['Quote' | 'Opportunity', string | null, string | null][] = [
    ['Quote', quote.id, quote.erpOrderNumber],
    ['Opportunity', quote.opportunityId, quote.opportunityErpOrderNumber],
  ];
  const failures: string[] = [];
  for (const [sobject, id, current] of targets) {
    const action = `${sobject}.update ERP_Order_Number__c`;
    if (!id) {
      run.step('CRM', action, 'NOT_ATTEMPTED', null, `The quote has no ${sobject.toLowerCase()}.`);
      continue;
    }
    if (current === number) {
      run.step('CRM', action, 'ALREADY_DONE', id, number);
      continue;
    }
    try {
      await crm.setErpOrderNumber(sobject, id, number);
      run.step('CRM', action, 'DONE', id, current ? `${number} (replacing ${current})` : number);
    } catch (error) {
      failures.push(`${sobject} ${id}: ${describeFailure(error)}`);
      run.step('CRM', action, 'FAILED', id, describeFailure(error));
    }
  }
  if (failures.length > 0) {
    return run.finish(
      'INCOMPLETE',
      'CRM_WRITE_BACK_FAILED',
      `ERP order ${number} exists and is confirmed, but the CRM was not fully updated with its number (${failures.join('; ')}). Converting the quote again writes the number back; it does not create another order.`,
    );
  }
  return run.finish(
    'COMPLETED',
    null,
    `ERP order ${number} is confirmed for quote ${quote.quoteNumber ?? quote.id}, and the quote and its opportunity carry its number.`,
  );
}
