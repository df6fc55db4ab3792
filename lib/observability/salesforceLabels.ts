/**
 * Metric and log labels for a Salesforce REST call, read from its path, so
 * both Salesforce clients (the CRM subgraph's and the workflow subgraph's)
 * name calls alike — and as the emulator counts them (`Account.query`,
 * `Contact.composite_read`, `Opportunity.update`, …).
 */
import type { NativeCallLabel } from './nativeCalls.js';

/**
 * The sObject a REST path is about: the top-level FROM of a SOQL `?q=`, or
 * the name after `/sobjects/` or `/composite/sobjects/`; `unknown` otherwise
 * (a `queryMore` locator names no object: its caller passes the query's).
 */
export function salesforceObjectOf(pathAndQuery: string): string {
  const url = new URL(pathAndQuery, 'http://salesforce');
  const soql = url.searchParams.get('q');
  if (soql !== null) {
    // Subqueries (`(SELECT Id FROM Contacts)`) have FROMs of their own: drop them, innermost first.
    let flat = soql;
    let previous: string;
    do {
      previous = flat;
      flat = flat.replace(/\([^()]*\)/g, ' ');
    } while (flat !== previous);
    return /\bFROM\s+([A-Za-z][A-Za-z0-9_]*)/i.exec(flat)?.[1] ?? 'unknown';
  }
  return /\/sobjects\/([A-Za-z][A-Za-z0-9_]*)/.exec(url.pathname)?.[1] ?? 'unknown';
}

/** The label of a REST call from its HTTP method and path, for clients that do not name their operations. */
export function salesforceRestLabel(httpMethod: string, pathAndQuery: string, objectHint?: string): NativeCallLabel {
  const path = new URL(pathAndQuery, 'http://salesforce').pathname.replace(/^\/services\/data\/v[\d.]+/, '');
  if (path.startsWith('/services/oauth2/')) return { object: 'oauth', method: path.slice('/services/oauth2/'.length) || 'unknown' };
  const object = objectHint ?? salesforceObjectOf(pathAndQuery);
  const verb = httpMethod.toUpperCase();
  if (/^\/query\/[^/]+$/.test(path)) return { object, method: 'queryMore' };
  if (/^\/query\/?$/.test(path)) return { object, method: 'query' };
  if (path.startsWith('/process/approvals')) return { object: 'process', method: verb === 'POST' ? 'approvals' : 'approvals.list' };
  if (path.startsWith('/composite/sobjects/')) return { object, method: verb === 'POST' ? 'composite_read' : verb.toLowerCase() };
  const segments = /^\/sobjects\/[^/]+((?:\/[^/]+)*)$/.exec(path)?.[1]?.split('/').filter(Boolean);
  if (segments) {
    if (segments.length === 0 && verb === 'POST') return { object, method: 'create' };
    if (segments.length === 1 && segments[0] === 'describe') return { object, method: 'describe' };
    if (segments.length === 1) return { object, method: verb === 'PATCH' ? 'update' : verb === 'DELETE' ? 'delete' : 'retrieve' };
    if (segments.length === 2 && verb === 'PATCH') return { object, method: 'upsert' };
  }
  return { object, method: verb.toLowerCase() };
}
