/**
 * Salesforce record ids: a 3-character key prefix naming the object, then a
 * case-sensitive 12-character body, then a 3-character suffix that makes the
 * 18-character form safe for case-insensitive systems. Real clients compare
 * prefixes (001 = Account, 006 = Opportunity, ...), so the emulator mints ids
 * the same way.
 */
export const KEY_PREFIX = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  Lead: '00Q',
  Task: '00T',
  Event: '00U',
  CampaignMember: '00v',
  Pricebook2: '01s',
  PricebookEntry: '01u',
  Product2: '01t',
  Quote: '0Q0',
  QuoteLineItem: '0QL',
  Case: '500',
  Campaign: '701',
  Order: '801',
  OpportunityLineItem: '00k',
  OrderItem: '802',
  // Approval processes: the instance, its pending work items and its history steps.
  ProcessInstance: '04g',
  ProcessInstanceWorkitem: '04i',
  ProcessInstanceStep: '04h',
} as const;

export type SObjectName = keyof typeof KEY_PREFIX;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/** Stands where a real org puts its pod and reserved characters. */
const POD = '5g00';

/** The 3-character case-safety suffix Salesforce appends to a 15-character id. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

/** The 18-character id of the `n`-th record (n ≥ 1) of an object. */
export function salesforceId(object: SObjectName, n: number): string {
  let body = '';
  let rest = n;
  for (let i = 0; i < 8; i++) {
    body = BASE62.charAt(rest % 62) + body;
    rest = Math.floor(rest / 62);
  }
  const id15 = KEY_PREFIX[object] + POD + body;
  return id15 + caseSafeSuffix(id15);
}

/** Accepts a 15- or 18-character id and returns the 18-character form, or null if it is not an id. */
export function normalizeSalesforceId(id: string): string | null {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) return null;
  const id15 = id.slice(0, 15);
  const full = id15 + caseSafeSuffix(id15);
  return id.length === 18 && id.slice(15).toUpperCase() !== full.slice(15) ? null : full;
}

export function objectForId(id: string): SObjectName | undefined {
  const prefix = id.slice(0, 3);
  return (Object.keys(KEY_PREFIX) as SObjectName[]).find((k) => KEY_PREFIX[k] === prefix);
}
