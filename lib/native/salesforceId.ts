/**
 * Salesforce record ids, re-implemented here because product code must not
 * depend on emulator code. An id is a 3-character key prefix naming the object,
 * a case-sensitive body (15 characters in all), and optionally a 3-character
 * suffix that makes the 18-character form safe for case-insensitive systems.
 * The two forms name the same record, so every comparison happens on the
 * 18-character form.
 */

/** Key prefixes of the standard objects the subgraphs read; they are the same in every org. */
export const KEY_PREFIX = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  Quote: '0Q0',
  QuoteLineItem: '0QL',
  Case: '500',
  Product2: '01t',
  Pricebook2: '01s',
  PricebookEntry: '01u',
  Campaign: '701',
  CampaignMember: '00v',
  Lead: '00Q',
  Task: '00T',
  Event: '00U',
  ProcessInstance: '04g',
  ProcessInstanceWorkitem: '04i',
} as const;

export type KnownSObject = keyof typeof KEY_PREFIX;

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character suffix Salesforce derives from the upper-case letters of a 15-character id. */
function caseSafeSuffix(id15: string): string {
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

/**
 * The 18-character form of a 15- or 18-character id, or null when the value is
 * not an id (wrong length, a character outside [a-zA-Z0-9], or an 18-character
 * id whose suffix does not belong to its body).
 */
export function normalizeSalesforceId(value: string): string | null {
  const known = normalized.get(value);
  if (known !== undefined) return known;
  const id = normalize(value);
  // Every record's ids pass through here on every read; the same few thousand recur request after request.
  if (normalized.size >= MEMO_ENTRIES) normalized.clear();
  normalized.set(value, id);
  return id;
}

const MEMO_ENTRIES = 20_000;
const normalized = new Map<string, string | null>();

function normalize(value: string): string | null {
  if (!ID_SHAPE.test(value)) return null;
  const id15 = value.slice(0, 15);
  const full = id15 + caseSafeSuffix(id15);
  // The suffix is case-insensitive by design: that is its whole purpose.
  if (value.length === 18 && value.slice(15).toUpperCase() !== full.slice(15)) return null;
  return full;
}

export function isSalesforceId(value: string): boolean {
  return normalizeSalesforceId(value) !== null;
}

/** The 18-character id when `value` is an id of `object` (by key prefix), else null. */
export function normalizeIdOf(object: KnownSObject, value: string): string | null {
  const id = normalizeSalesforceId(value);
  return id !== null && id.startsWith(KEY_PREFIX[object]) ? id : null;
}

/** A DataLoader cache key: both forms of one id share a cache entry; anything else is kept as is. */
export function idCacheKey(value: string): string {
  return normalizeSalesforceId(value) ?? value;
}
