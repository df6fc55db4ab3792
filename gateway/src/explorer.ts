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

const rendered = new Map<string, string>();

/** The explorer page; `headers` pre-fills its Headers tab (the development token under `npm start`). */
export function explorerHtml(graphqlPath: string, headers: Record<string, string> = {}): string {
  const headersJson = JSON.stringify(headers, null, 2);
  let html = rendered.get(headersJson);
  if (!html) {
    html = renderGraphiQL({ endpoint: graphqlPath, title: 'ERP + CRM graph', defaultQuery: DEFAULT_QUERY, headers: headersJson });
    rendered.set(headersJson, html);
  }
  return html;
}
