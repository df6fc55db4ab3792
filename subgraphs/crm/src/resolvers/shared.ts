import type { Money } from '../__generated__/resolvers-types.js';
import type { AccountRecord, UserRecord } from '../connectors/crmConnector.js';
import { isCrmNotFound } from '../connectors/crmConnector.js';
import { normalizeSalesforceId, type KnownSObject, KEY_PREFIX } from '../../../../lib/native/salesforceId.js';
import type { CrmContext } from '../context.js';
import { badUserInput } from '../../../../lib/errors.js';

/** A record that is not there is null in the graph, never an error; CRM failures still propagate. */
export async function orNull<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (error) {
    if (isCrmNotFound(error)) return null;
    throw error;
  }
}

export function money(amount: number | null, context: CrmContext): Money | null {
  return amount === null ? null : { amount, currencyCode: context.currencyCode };
}

/** The owner read with the record when the query took it through the relationship, else one batched lookup. */
export function ownerOf(record: { ownerId: string | null; owner?: UserRecord | null }, context: CrmContext): Promise<UserRecord | null> | UserRecord | null {
  if (record.owner !== undefined) return record.owner;
  return record.ownerId ? orNull(context.loaders.userById.load(record.ownerId)) : null;
}

/** The one account that carries the ERP number; null when none or several do (MISSING / CONFLICT). */
export async function matchedAccount(erpNumber: string | null | undefined, context: CrmContext): Promise<AccountRecord | null> {
  if (!erpNumber) return null;
  return matchedOf(await context.loaders.accountsByErpNumber.load(erpNumber));
}

/** The one of the accounts claiming an ERP number that is matched to it: null when none or several claim it. */
export function matchedOf(accounts: readonly AccountRecord[]): AccountRecord | null {
  return accounts.length === 1 ? accounts[0]! : null;
}

/** The records, read by ERP number, that belong to the matched account: none without one. */
export function keptFor<T extends { accountId?: string | null }>(account: AccountRecord | null, records: T[]): T[] {
  return account ? records.filter((r) => r.accountId === account.id) : [];
}

/**
 * The records of the customer's one matched account. `byErpNumber` reads them through the ERP number
 * on the account, alongside the account lookup: reading them by the account's id would wait for that
 * lookup, a whole round trip more. The account still decides: with none or several on the number
 * (MISSING, CONFLICT) the list is empty, and only the matched account's records are kept.
 */
export async function ofMatchedAccount<T extends { accountId?: string | null }>(
  erpNumber: string | null | undefined,
  context: CrmContext,
  byErpNumber: (erpNumber: string) => Promise<T[]>,
): Promise<T[]> {
  if (!erpNumber) return [];
  const [account, records] = await Promise.all([matchedAccount(erpNumber, context), byErpNumber(erpNumber)]);
  return keptFor(account, records);
}

/**
 * Root-field ids: a value that cannot be a Salesforce id is the caller's
 * mistake (BAD_USER_INPUT naming the argument); a well-formed id of another
 * object or of a record that does not exist is simply null.
 */
export function rootId(object: KnownSObject, value: string, argumentName: string): string | null {
  const id = normalizeSalesforceId(value);
  if (id === null) {
    throw badUserInput(
      `Expected argument "${argumentName}" to be a 15- or 18-character Salesforce ${object} id (prefix ${KEY_PREFIX[object]}), but got ${JSON.stringify(value)}.`,
      argumentName,
    );
  }
  return id.startsWith(KEY_PREFIX[object]) ? id : null;
}
