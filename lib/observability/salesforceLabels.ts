/**
 * The sObject of a Salesforce REST call, read from its path, for metric and log
 * labels: calls are named as the emulator counts them (`Account.query`,
 * `Contact.composite_read`, …). The Salesforce client (lib/native/salesforceClient.ts)
 * names the operation itself and takes the sObject from here.
 */

/**
 * The sObject a REST path is about: the top-level FROM of a SOQL `?q=`, or
 * the name after `/sobjects/` or `/composite/sobjects/`; `unknown` otherwise
 * (a `queryMore` locator names no object: its caller passes the query's).
 */
export function salesforceObjectOf(pathAndQuery: string): string {
  const url = new URL(pathAndQuery, 'http://salesforce');
  const soql = url.searchParams.get('q');
  if (soql !== null) return queriedObject(soql) ?? 'unknown';
  return /\/sobjects\/([A-Za-z][A-Za-z0-9_]*)/.exec(url.pathname)?.[1] ?? 'unknown';
}

/** The sObject named by a SOQL query's top-level FROM, as written; undefined when there is none. */
export function queriedObject(soql: string): string | undefined {
  // Subqueries (`(SELECT Id FROM Contacts)`) have FROMs of their own, and IN lists are parenthesized too: drop them, innermost first.
  let flat = soql;
  let previous: string;
  do {
    previous = flat;
    flat = flat.replace(/\([^()]*\)/g, ' ');
  } while (flat !== previous);
  return /\bFROM\s+([A-Za-z][A-Za-z0-9_]*)/i.exec(flat)?.[1];
}
