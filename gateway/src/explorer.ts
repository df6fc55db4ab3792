/**
 * The schema explorer at `/`: GraphiQL from a local npm package, with every
 * script and style inlined, so it works on a machine with no internet access
 * (Apollo's default landing page loads its explorer from a CDN).
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const DEFAULT_QUERY = `# One graph over the ERP (Odoo) and the CRM (Salesforce).
# A CRM account, its ERP credit and orders, and each order's CRM opportunity:
query CustomerAcrossSystems {
  customers(first: 3) {
    nodes {
      number
      legalName
      creditLimit { amount currencyCode }
      balanceDue { amount currencyCode }
      crmIdentity
      owner { name email }
      openOpportunities { name stage amount { amount } }
      salesOrders(first: 2) {
        number
        state
        amountTotal { amount currencyCode }
        opportunity { name stage }
      }
    }
  }
}
`;

let cached: string | undefined;

export function explorerHtml(graphqlPath: string): string {
  cached ??= renderGraphiQL({ endpoint: graphqlPath, title: 'ERP + CRM graph', defaultQuery: DEFAULT_QUERY });
  return cached;
}
