/**
 * The benchmark's named scenarios: one GraphQL operation each, with the
 * variables it runs with against the seeded emulators. The integration tests
 * assert each one's native-call count exactly, so the numbers the benchmark
 * reports are the ones the tests hold.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../lib/subgraphSchemas.js';

export interface Scenario {
  name: string;
  title: string;
  query: string;
  variables: Record<string, unknown>;
  /**
   * The fewest native calls this plan can cost with batching and no cache: one per
   * fetch group of the plan (a page, then one batch per loader per level; the CRM's
   * reads of one account's lists are one query with the accounts). Checked exactly
   * in test/integration/cache.test.ts.
   */
  minimumNativeCalls: number;
  /**
   * The longest chain of native calls that must wait for one another in this plan: the
   * latency floor is planDepth × the native latency. The benchmark's latency target is
   * p50 ≤ 1.3 × that, measured one request at a time.
   */
  planDepth: number;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'customer-360',
    title: 'Customer 360, page of 50 (ERP page, CRM account, owner, contacts, opportunities, cases)',
    query: `query Customer360($first: Int!) {
      customers(first: $first) {
        nodes {
          number legalName email phone
          crmIdentity segment industry
          owner { name email }
          contacts { name email title }
          openOpportunities { name stage closeDate amount { amount currencyCode } }
          openCases { caseNumber subject status priority }
        }
      }
    }`,
    variables: { first: 50 },
    // ERP page (1) → CRM accounts by the page's ERP numbers, with their contacts, opportunities and
    // cases nested as relationship subqueries: one SOQL query (1).
    minimumNativeCalls: 2,
    // The CRM fetch needs the page's numbers; it reads the lists with the accounts, not by account id after them.
    planDepth: 2,
  },
  {
    name: 'order-detail',
    title: 'Order detail (ERP order, lines, products, customer, salesperson, CRM account and owner)',
    query: `query OrderDetail($number: ID!) {
      salesOrder(number: $number) {
        number state orderedAt clientOrderRef
        amountUntaxed { amount currencyCode } amountTotal { amount currencyCode }
        customer { number legalName paymentTerms }
        account { name segment }
        accountOwner { name email }
        salesperson { name jobTitle crmUser { email territory } }
        lines {
          description quantity discountPercent
          unitPrice { amount } subtotal { amount }
          product { sku name stockOnHand priceBookEntries { priceBookName unitPrice { amount } } }
        }
      }
    }`,
    variables: { number: 'S00001' },
    // Order and its lines (2) → partner, salesperson, products (3) → CRM account by number, price book entries, users by e-mail (3).
    minimumNativeCalls: 8,
    // Order and lines (the lines are read by the order's number, beside it) → products, customer and
    // salesperson → the CRM's price book entries, account and users, which need their SKUs, number and e-mails.
    planDepth: 3,
  },
  {
    name: 'catalog',
    title: 'Product catalog page of 50 with BOM, stock and price-book entries',
    query: `query Catalog($first: Int!) {
      products(first: $first) {
        nodes {
          sku name category listPrice { amount currencyCode } stockOnHand saleable
          billOfMaterials { quantity type components { quantity product { sku name stockOnHand } } }
          priceBookEntries { priceBookName isStandardPriceBook unitPrice { amount } isActive }
        }
      }
    }`,
    variables: { first: 50 },
    // Product page (1) → BOMs, their lines and their component products (3) → price book entries (1).
    minimumNativeCalls: 5,
    // The page, then the BOMs, lines and components side by side (all found by the page's product
    // templates); the CRM fetch of price book entries needs the SKUs, so the plan sends it after the
    // ERP's answer: a third round.
    planDepth: 3,
  },
  {
    name: 'customer-report',
    title: 'Cross-system report: customers page of 50 with balances, credit and CRM owners',
    query: `query CustomerReport($first: Int!) {
      customers(first: $first) {
        nodes {
          number legalName
          creditLimit { amount currencyCode }
          balanceDue { amount currencyCode }
          owner { name territory employee { name jobTitle department } }
        }
      }
    }`,
    variables: { first: 50 },
    // ERP page with each customer's balance (Odoo's `credit`, read in the same search_read) (1) → CRM
    // accounts with owners (1) → employees by work e-mail (1).
    minimumNativeCalls: 3,
    // ERP page, then CRM accounts with owners, which need its numbers, then ERP employees by the owners' e-mails.
    planDepth: 3,
  },
];

/** A query whose native-call count the benchmark compares between the small and the large seed. */
export interface SeedCheck {
  name: string;
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
}

/**
 * The scenarios (list pages) and the cross-system reports, for the check that
 * the large seed costs no more native calls than the small one. The reports
 * are the repo's example operations, as the README shows them.
 */
export function seedChecks(): SeedCheck[] {
  const operations = (file: string, names: string[]): SeedCheck[] => {
    const query = readFileSync(join(operationsDir, `${file}.graphql`), 'utf8');
    const variables = JSON.parse(readFileSync(join(operationsDir, `${file}.variables.json`), 'utf8')) as Record<string, unknown>;
    return names.map((operationName) => ({ name: operationName, query, operationName, variables }));
  };
  return [
    ...SCENARIOS.map(({ name, query, variables }) => ({ name, query, variables })),
    ...operations('reports', ['CustomerProfitabilityReport', 'SalesPerformanceReport', 'ServiceLoadByProduct', 'CampaignRoi']),
    ...operations('decisions-crm', ['DecisionsCrm']),
    {
      name: 'IdentityReport',
      query: `query IdentityReport {
        identityReport {
          unmatchedAccountCount unmatchedAccounts(first: 3) { id name }
          conflictCount conflicts { customerNumber accounts { id } }
          missingFromCrmCount missingFromCrm(first: 3) { number legalName }
        }
      }`,
      variables: {},
    },
  ];
}

const operationsDir = resolve(repoRoot, 'schema/operations');
