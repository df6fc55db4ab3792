/**
 * Record writes and reads by id, with the validation and side effects the real
 * platform applies: type coercion, required fields, restricted picklists,
 * reference checks, read-only and formula fields, roll-ups (quote totals,
 * opportunity amount from its products), cascade deletes into the recycle bin
 * (`IsDeleted = true`, still visible to queryAll) and auto-numbers.
 */
import type Database from 'better-sqlite3';
import { normalizeSalesforceId, salesforceId } from '../seed/salesforceId.js';
import { quoteIdent, Sequences } from './db.js';
import { invalidField, jsonParserError, notFound, SalesforceError } from './errors.js';
import { CASE_CLOSED_STATUSES, isTextType, OPPORTUNITY_STAGES, TASK_CLOSED_STATUSES, type FieldDef, type ObjectDef, type Registry } from './metadata.js';
import { addMinutes, formatDateTime, isValidDate, minutesBetween, parseDateTime } from './values.js';

/** A stored row: column name → SQLite value (booleans are 0/1). */
export type Row = Record<string, unknown>;

export interface WriteContext {
  /** The user the session belongs to: default owner and CreatedById/LastModifiedById. */
  userId: string;
  now: Date;
}

/** Several records share the external id value; the REST layer answers 300 with their URLs. */
export class MultipleMatchesError extends Error {
  constructor(readonly ids: string[]) {
    super(`${ids.length} records match the external id value.`);
  }
}

const AUTO_NUMBER: Record<string, { digits: number; start: number }> = {
  'Case.CaseNumber': { digits: 8, start: 1000 },
  'Quote.QuoteNumber': { digits: 8, start: 1 },
  'Order.OrderNumber': { digits: 8, start: 100 },
  'QuoteLineItem.LineNumber': { digits: 7, start: 1 },
};

export function autoNumberFormat(object: string, field: string): { digits: number; start: number } {
  return AUTO_NUMBER[`${object}.${field}`] ?? { digits: 8, start: 1 };
}

/** The JSON value of a stored column, as the REST API returns it. */
export function apiValue(f: { type: FieldDef['type'] }, v: unknown): unknown {
  if (f.type === 'boolean') return v === null || v === undefined ? false : Boolean(v);
  return v ?? null;
}

export function recordUrl(version: string, object: string, id: string): string {
  return `/services/data/v${version}/sobjects/${object}/${id}`;
}

export function noSuchColumnOnEntity(name: string, object: string): SalesforceError {
  return invalidField(
    `No such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface DeriveContext {
  store: RecordStore;
  changed: Set<string>;
  existing: Row | undefined;
  ctx: WriteContext;
}

interface Hooks {
  /** Computes formula and system-maintained fields on the merged record, before validation. */
  derive?(rec: Row, d: DeriveContext): void;
  /** Rules beyond field-level checks; throws a SalesforceError. */
  validate?(rec: Row, d: DeriveContext): void;
  /** Roll-ups onto parents after the row is written or deleted. */
  after?(rec: Row, store: RecordStore, ctx: WriteContext): void;
}

const fullName = (rec: Row) => [rec.FirstName, rec.LastName].filter((s) => typeof s === 'string' && s !== '').join(' ') || null;

/** The account an activity belongs to: its What if that is (or hangs off) an account, else its Who's account. */
function activityAccount(rec: Row, store: RecordStore): string | null {
  const what = typeof rec.WhatId === 'string' ? rec.WhatId : null;
  if (what) {
    const whatObject = store.registry.objectForId(what);
    if (whatObject?.name === 'Account') return what;
    if (whatObject?.field('AccountId')) {
      const parent = store.find(whatObject, what, true);
      if (parent?.AccountId) return parent.AccountId as string;
    }
  }
  const who = typeof rec.WhoId === 'string' ? rec.WhoId : null;
  if (who && store.registry.objectForId(who)?.name === 'Contact') {
    return (store.find(store.object('Contact'), who, true)?.AccountId as string | undefined) ?? null;
  }
  return null;
}

/** Line items take their product and list price from the price book entry. */
function lineFromEntry(rec: Row, store: RecordStore): void {
  const entry = typeof rec.PricebookEntryId === 'string' ? store.find(store.object('PricebookEntry'), rec.PricebookEntryId, true) : undefined;
  rec.Product2Id = entry?.Product2Id ?? null;
  rec.ListPrice = entry?.UnitPrice ?? null;
}

const HOOKS: Partial<Record<string, Hooks>> = {
  User: {
    derive(rec) {
      rec.Name = fullName(rec);
      if (!rec.Alias) rec.Alias = `${String(rec.FirstName ?? '').slice(0, 1)}${String(rec.LastName ?? '')}`.slice(0, 8).toLowerCase();
    },
    validate(rec, d) {
      if (!d.changed.has('Username')) return;
      const others = d.store.findIdsBy(d.store.object('User'), 'Username', rec.Username).filter((id) => id !== rec.Id);
      if (others.length > 0) {
        throw new SalesforceError(400, 'DUPLICATE_USERNAME', `Duplicate Username. The username ${String(rec.Username)} already exists in this organization.`, [
          'Username',
        ]);
      }
    },
  },
  Contact: { derive: (rec) => void (rec.Name = fullName(rec)) },
  Lead: { derive: (rec) => void (rec.Name = fullName(rec)) },
  Opportunity: {
    derive(rec, d) {
      const stage = OPPORTUNITY_STAGES.find((s) => s.value === rec.StageName);
      // As on the platform, a stage change resets the probability unless the same write sets it.
      if (stage && d.changed.has('StageName') && !d.changed.has('Probability')) rec.Probability = stage.probability;
      rec.IsClosed = stage?.closed ? 1 : 0;
      rec.IsWon = stage?.won ? 1 : 0;
      rec.ForecastCategoryName = stage?.forecastCategory ?? null;
      rec.ExpectedRevenue = typeof rec.Amount === 'number' && typeof rec.Probability === 'number' ? round2((rec.Amount * rec.Probability) / 100) : null;
    },
  },
  Case: {
    derive(rec, d) {
      const closed = CASE_CLOSED_STATUSES.includes(rec.Status as string);
      rec.IsClosed = closed ? 1 : 0;
      if (closed && rec.ClosedDate == null) rec.ClosedDate = formatDateTime(d.ctx.now);
      if (!closed) rec.ClosedDate = null;
    },
  },
  CampaignMember: {
    derive(rec, d) {
      rec.HasResponded = rec.Status === 'Responded' ? 1 : 0;
      const person = rec.ContactId
        ? d.store.find(d.store.object('Contact'), rec.ContactId as string, true)
        : rec.LeadId
          ? d.store.find(d.store.object('Lead'), rec.LeadId as string, true)
          : undefined;
      rec.Name = person?.Name ?? null;
      rec.Email = person?.Email ?? null;
    },
    validate(rec, d) {
      if (!rec.ContactId && !rec.LeadId) {
        throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [ContactId, LeadId]', ['ContactId', 'LeadId']);
      }
      if (d.existing) return;
      const byField = rec.ContactId ? 'ContactId' : 'LeadId';
      const taken = d.store.db
        .prepare(`SELECT 1 FROM "CampaignMember" WHERE CampaignId = ? AND ${byField} = ? AND IsDeleted = 0`)
        .get(rec.CampaignId, rec[byField]);
      if (taken) throw new SalesforceError(400, 'DUPLICATE_VALUE', 'Already a campaign member.');
    },
  },
  Task: {
    derive(rec, d) {
      rec.IsClosed = TASK_CLOSED_STATUSES.includes(rec.Status as string) ? 1 : 0;
      rec.AccountId = activityAccount(rec, d.store);
    },
  },
  Event: {
    derive(rec, d) {
      if (typeof rec.StartDateTime === 'string') {
        if (d.changed.has('DurationInMinutes') && typeof rec.DurationInMinutes === 'number') {
          rec.EndDateTime = addMinutes(rec.StartDateTime, rec.DurationInMinutes);
        } else if (d.changed.has('EndDateTime') && typeof rec.EndDateTime === 'string') {
          rec.DurationInMinutes = minutesBetween(rec.StartDateTime, rec.EndDateTime);
        } else if (typeof rec.DurationInMinutes === 'number') {
          rec.EndDateTime = addMinutes(rec.StartDateTime, rec.DurationInMinutes);
        }
      }
      rec.ActivityDateTime = rec.StartDateTime ?? null;
      rec.ActivityDate = typeof rec.StartDateTime === 'string' ? rec.StartDateTime.slice(0, 10) : null;
      rec.AccountId = activityAccount(rec, d.store);
    },
    validate(rec) {
      if (rec.DurationInMinutes == null && rec.EndDateTime == null) {
        throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [DurationInMinutes]', ['DurationInMinutes']);
      }
      if (typeof rec.DurationInMinutes === 'number' && rec.DurationInMinutes < 0) {
        throw new SalesforceError(400, 'FIELD_INTEGRITY_EXCEPTION', 'Event end time cannot be before the start time.', ['EndDateTime']);
      }
    },
  },
  PricebookEntry: {
    derive(rec, d) {
      const product = d.store.find(d.store.object('Product2'), rec.Product2Id as string, true);
      rec.Name = product?.Name ?? null;
      rec.ProductCode = product?.ProductCode ?? null;
      if (rec.UseStandardPrice) {
        const standard = d.store.standardEntry(rec.Product2Id as string);
        if (standard && standard.Id !== rec.Id) rec.UnitPrice = standard.UnitPrice;
      }
    },
    validate(rec, d) {
      if (d.existing) return;
      const duplicate = d.store.db
        .prepare('SELECT 1 FROM "PricebookEntry" WHERE Pricebook2Id = ? AND Product2Id = ? AND IsDeleted = 0')
        .get(rec.Pricebook2Id, rec.Product2Id);
      if (duplicate) throw new SalesforceError(400, 'DUPLICATE_VALUE', 'This price definition already exists in this price book');
      const book = d.store.find(d.store.object('Pricebook2'), rec.Pricebook2Id as string, true);
      if (!book?.IsStandard && !d.store.standardEntry(rec.Product2Id as string)) {
        throw new SalesforceError(400, 'STANDARD_PRICE_NOT_DEFINED', 'No standard price defined for this product');
      }
    },
  },
  Quote: {
    derive(rec, d) {
      const opp = d.store.find(d.store.object('Opportunity'), rec.OpportunityId as string, true);
      rec.AccountId = opp?.AccountId ?? null;
      if (!d.existing) {
        rec.Subtotal ??= 0;
        rec.TotalPrice ??= 0;
        rec.GrandTotal ??= 0;
        rec.LineItemCount ??= 0;
        if (rec.Pricebook2Id == null && opp?.Pricebook2Id) rec.Pricebook2Id = opp.Pricebook2Id;
      }
    },
  },
  QuoteLineItem: {
    derive(rec, d) {
      lineFromEntry(rec, d.store);
      const quantity = Number(rec.Quantity ?? 0);
      const price = Number(rec.UnitPrice ?? 0);
      rec.Subtotal = round2(quantity * price);
      rec.TotalPrice = round2(quantity * price * (1 - Number(rec.Discount ?? 0) / 100));
    },
    validate(rec, d) {
      const entry = d.store.find(d.store.object('PricebookEntry'), rec.PricebookEntryId as string, true)!;
      const quote = d.store.find(d.store.object('Quote'), rec.QuoteId as string, true)!;
      if (quote.Pricebook2Id == null) {
        d.store.db.prepare('UPDATE "Quote" SET Pricebook2Id = ? WHERE Id = ?').run(entry.Pricebook2Id, quote.Id);
      } else if (quote.Pricebook2Id !== entry.Pricebook2Id) {
        throw new SalesforceError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the Quote)',
          ['PricebookEntryId'],
        );
      }
    },
    after: (rec, store, ctx) => store.rollUpQuote(rec.QuoteId as string, ctx),
  },
  OpportunityLineItem: {
    derive(rec, d) {
      lineFromEntry(rec, d.store);
      const quantity = Number(rec.Quantity ?? 0);
      rec.TotalPrice = round2(quantity * Number(rec.UnitPrice ?? 0) * (1 - Number(rec.Discount ?? 0) / 100));
      const opp = d.store.find(d.store.object('Opportunity'), rec.OpportunityId as string, true);
      const entry = d.store.find(d.store.object('PricebookEntry'), rec.PricebookEntryId as string, true);
      rec.Name = [opp?.Name, entry?.Name].filter(Boolean).join(' ') || null;
      rec.ProductCode = entry?.ProductCode ?? null;
    },
    validate(rec, d) {
      const entry = d.store.find(d.store.object('PricebookEntry'), rec.PricebookEntryId as string, true)!;
      const opp = d.store.find(d.store.object('Opportunity'), rec.OpportunityId as string, true)!;
      if (opp.Pricebook2Id == null) {
        d.store.db.prepare('UPDATE "Opportunity" SET Pricebook2Id = ? WHERE Id = ?').run(entry.Pricebook2Id, opp.Id);
      } else if (opp.Pricebook2Id !== entry.Pricebook2Id) {
        throw new SalesforceError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the opportunity)',
          ['PricebookEntryId'],
        );
      }
    },
    after: (rec, store, ctx) => store.rollUpOpportunityAmount(rec.OpportunityId as string, ctx),
  },
  Order: {
    derive(rec, d) {
      if (!d.existing) rec.TotalAmount ??= 0;
    },
  },
};

/** What a REST write changed, for Change Data Capture (changeEvents.ts). */
export interface StoreChange {
  object: string;
  id: string;
  type: 'CREATE' | 'UPDATE' | 'DELETE';
  /** Every field on CREATE, the changed ones on UPDATE, none on DELETE. */
  fields: Record<string, unknown>;
  ctx: WriteContext;
}

export class RecordStore {
  readonly sequences: Sequences;
  /** Told of every API write, after the row is written (set by the server for change events). */
  onChange?: (change: StoreChange) => void;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    readonly registry: Registry,
  ) {
    this.sequences = new Sequences(db);
  }

  /** The object definition for a name known to exist (internal use). */
  object(name: string): ObjectDef {
    const o = this.registry.object(name);
    if (!o) throw new Error(`The registry has no sObject named ${name}.`);
    return o;
  }

  statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  find(o: ObjectDef, id: string, includeDeleted = false): Row | undefined {
    const row = this.statement(`SELECT * FROM ${quoteIdent(o.name)} WHERE Id = ?`).get(id) as Row | undefined;
    return row && (includeDeleted || !row.IsDeleted) ? row : undefined;
  }

  findIdsBy(o: ObjectDef, fieldName: string, value: unknown): string[] {
    return this.statement(`SELECT Id FROM ${quoteIdent(o.name)} WHERE ${quoteIdent(fieldName)} = ? AND IsDeleted = 0 ORDER BY rowid`)
      .pluck()
      .all(value) as string[];
  }

  standardEntry(product2Id: string): Row | undefined {
    return this.statement(
      'SELECT e.* FROM "PricebookEntry" e JOIN "Pricebook2" b ON b.Id = e.Pricebook2Id WHERE b.IsStandard = 1 AND e.Product2Id = ? AND e.IsDeleted = 0',
    ).get(product2Id) as Row | undefined;
  }

  /** A live record or the error the REST API gives for a missing or deleted one. */
  requireLive(o: ObjectDef, id: string): Row {
    const row = this.find(o, id, true);
    if (!row) throw notFound();
    if (row.IsDeleted) throw new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    return row;
  }

  mintId(o: ObjectDef): string {
    return salesforceId(o.name, this.sequences.next(`${o.name}.Id`));
  }

  private autoNumber(o: ObjectDef, f: FieldDef): string {
    const { digits, start } = autoNumberFormat(o.name, f.name);
    return String(this.sequences.next(`${o.name}.${f.name}`, start)).padStart(digits, '0');
  }

  // --- writes -------------------------------------------------------------------

  create(o: ObjectDef, input: unknown, ctx: WriteContext): string {
    return this.db.transaction(() => {
      const values = this.parseInput(o, input, 'create');
      const rec = this.newRow(o, values, ctx);
      this.finish(o, rec, { store: this, changed: new Set(values.keys()), existing: undefined, ctx });
      this.insertRow(o, rec);
      HOOKS[o.name]?.after?.(rec, this, ctx);
      this.onChange?.({
        object: o.name,
        id: rec.Id as string,
        type: 'CREATE',
        fields: Object.fromEntries(o.fields.filter((f) => rec[f.name] !== null && rec[f.name] !== undefined).map((f) => [f.name, rec[f.name]])),
        ctx,
      });
      return rec.Id as string;
    })();
  }

  /**
   * Inserts a seed record: trusted values (no access or reference checks), but
   * the same defaults and derived fields as an API create. `values` may set
   * read-only fields such as CreatedDate; derived fields are computed after.
   */
  insertSeed(o: ObjectDef, values: Row, ctx: WriteContext): void {
    const map = new Map(Object.entries(values));
    const rec = this.newRow(o, map, ctx);
    HOOKS[o.name]?.derive?.(rec, { store: this, changed: new Set(map.keys()), existing: undefined, ctx });
    this.insertRow(o, rec);
    HOOKS[o.name]?.after?.(rec, this, ctx);
  }

  update(o: ObjectDef, id: string, input: unknown, ctx: WriteContext): void {
    this.db.transaction(() => {
      const existing = this.requireLive(o, id);
      const values = this.parseInput(o, input, 'update', id);
      const rec: Row = { ...existing, ...Object.fromEntries(values) };
      const now = formatDateTime(ctx.now);
      rec.LastModifiedDate = now;
      rec.SystemModstamp = now;
      rec.LastModifiedById = ctx.userId;
      this.finish(o, rec, { store: this, changed: new Set(values.keys()), existing, ctx });
      const changed = o.fields.filter((f) => rec[f.name] !== existing[f.name]).map((f) => f.name);
      if (changed.length > 0) {
        const sets = changed.map((name) => `${quoteIdent(name)} = ?`).join(', ');
        this.db.prepare(`UPDATE ${quoteIdent(o.name)} SET ${sets} WHERE Id = ?`).run(...changed.map((name) => rec[name]), id);
      }
      HOOKS[o.name]?.after?.(rec, this, ctx);
      // Audit fields change on every write; CDC lists them too, as the platform does.
      if (changed.length > 0)
        this.onChange?.({ object: o.name, id, type: 'UPDATE', fields: Object.fromEntries(changed.map((name) => [name, rec[name]])), ctx });
    })();
  }

  upsert(o: ObjectDef, fieldName: string, rawValue: string, input: unknown, ctx: WriteContext): { id: string; created: boolean } {
    const f = o.field(fieldName);
    if (!f || !(f.externalId || f.type === 'id')) {
      throw new SalesforceError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`);
    }
    return this.db.transaction(() => {
      if (f.type === 'id') {
        const id = normalizeSalesforceId(rawValue);
        if (!id) throw new SalesforceError(400, 'MALFORMED_ID', `${o.label} ID: id value of incorrect type: ${rawValue}`);
        this.update(o, id, input, ctx);
        return { id, created: false };
      }
      const value = this.coerce(f, rawValue);
      const body = this.asObject(input);
      const bodyKey = Object.keys(body).find((k) => k.toLowerCase() === f.name.toLowerCase());
      if (bodyKey !== undefined && String(body[bodyKey]).toLowerCase() !== String(value).toLowerCase()) {
        throw invalidField(`The external id field ${f.name} in the request body does not match the value ${rawValue} in the URL.`, [f.name]);
      }
      const rest = Object.fromEntries(Object.entries(body).filter(([k]) => k !== bodyKey));
      const matches = this.findIdsBy(o, f.name, value);
      if (matches.length > 1) throw new MultipleMatchesError(matches);
      if (matches.length === 1) {
        this.update(o, matches[0]!, rest, ctx);
        return { id: matches[0]!, created: false };
      }
      return { id: this.create(o, { ...rest, [f.name]: value }, ctx), created: true };
    })();
  }

  remove(o: ObjectDef, id: string, ctx: WriteContext): void {
    if (!o.deletable) throw new SalesforceError(400, 'INVALID_TYPE', `Records of type ${o.name} cannot be deleted; deactivate them instead.`);
    this.db.transaction(() => {
      const existing = this.requireLive(o, id);
      this.softDelete(o, existing, ctx);
      this.onChange?.({ object: o.name, id, type: 'DELETE', fields: {}, ctx });
    })();
  }

  private softDelete(o: ObjectDef, rec: Row, ctx: WriteContext): void {
    const now = formatDateTime(ctx.now);
    const id = rec.Id as string;
    // Lookups that may not be left empty block the delete, as on the platform.
    for (const rel of o.childRelationships) {
      const child = this.object(rel.childSObject);
      const f = child.field(rel.field)!;
      if (rel.cascadeDelete || f.nillable || f.calculated || f.name === 'CreatedById' || f.name === 'LastModifiedById') continue;
      const blocking = this.statement(`SELECT 1 FROM ${quoteIdent(child.name)} WHERE ${quoteIdent(f.name)} = ? AND IsDeleted = 0 LIMIT 1`).get(id);
      if (blocking) {
        throw new SalesforceError(
          400,
          'DELETE_FAILED',
          `Your attempt to delete ${String(rec[o.nameField.name] ?? id)} could not be completed because it is associated with ${child.labelPlural}.`,
        );
      }
    }
    this.statement(`UPDATE ${quoteIdent(o.name)} SET IsDeleted = 1, LastModifiedDate = ?, LastModifiedById = ?, SystemModstamp = ? WHERE Id = ?`).run(
      now,
      ctx.userId,
      now,
      id,
    );
    for (const rel of o.childRelationships) {
      const child = this.object(rel.childSObject);
      const table = quoteIdent(child.name);
      const column = quoteIdent(rel.field);
      if (rel.cascadeDelete) {
        const rows = this.statement(`SELECT * FROM ${table} WHERE ${column} = ? AND IsDeleted = 0`).all(id) as Row[];
        for (const row of rows) this.softDelete(child, row, ctx);
      } else if (child.field(rel.field)!.nillable) {
        this.statement(`UPDATE ${table} SET ${column} = NULL, SystemModstamp = ? WHERE ${column} = ? AND IsDeleted = 0`).run(now, id);
      }
    }
    HOOKS[o.name]?.after?.(rec, this, ctx);
  }

  rollUpQuote(quoteId: string, ctx: WriteContext): void {
    const t = this.statement(
      'SELECT COUNT(*) AS n, COALESCE(SUM(Subtotal), 0) AS subtotal, COALESCE(SUM(TotalPrice), 0) AS total FROM "QuoteLineItem" WHERE QuoteId = ? AND IsDeleted = 0',
    ).get(quoteId) as { n: number; subtotal: number; total: number };
    const discount = t.subtotal > 0 ? round2((1 - t.total / t.subtotal) * 100) : null;
    const now = formatDateTime(ctx.now);
    this.statement('UPDATE "Quote" SET Subtotal = ?, TotalPrice = ?, GrandTotal = ?, Discount = ?, LineItemCount = ?, SystemModstamp = ? WHERE Id = ?').run(
      round2(t.subtotal),
      round2(t.total),
      round2(t.total),
      discount,
      t.n,
      now,
      quoteId,
    );
  }

  rollUpOpportunityAmount(opportunityId: string, ctx: WriteContext): void {
    const t = this.statement(
      'SELECT COUNT(*) AS n, COALESCE(SUM(TotalPrice), 0) AS total FROM "OpportunityLineItem" WHERE OpportunityId = ? AND IsDeleted = 0',
    ).get(opportunityId) as { n: number; total: number };
    if (t.n === 0) return;
    const opp = this.find(this.object('Opportunity'), opportunityId, true);
    if (!opp) return;
    const amount = round2(t.total);
    const expected = typeof opp.Probability === 'number' ? round2((amount * opp.Probability) / 100) : null;
    this.statement('UPDATE "Opportunity" SET Amount = ?, ExpectedRevenue = ?, SystemModstamp = ? WHERE Id = ?').run(
      amount,
      expected,
      formatDateTime(ctx.now),
      opportunityId,
    );
  }

  // --- helpers --------------------------------------------------------------------

  private newRow(o: ObjectDef, values: Map<string, unknown>, ctx: WriteContext): Row {
    const now = formatDateTime(ctx.now);
    const rec: Row = {};
    for (const f of o.fields) {
      if (values.has(f.name)) rec[f.name] = values.get(f.name);
      else if (f.defaultsToCurrentUser) rec[f.name] = ctx.userId;
      else if (f.type === 'boolean') rec[f.name] = f.defaultValue ? 1 : 0;
      else rec[f.name] = f.defaultValue;
    }
    rec.Id ??= this.mintId(o);
    rec.IsDeleted = 0;
    rec.CreatedDate ??= now;
    rec.LastModifiedDate ??= rec.CreatedDate;
    rec.SystemModstamp ??= rec.LastModifiedDate;
    rec.CreatedById ??= ctx.userId;
    rec.LastModifiedById ??= rec.CreatedById;
    for (const f of o.fields) if (f.autoNumber && rec[f.name] == null) rec[f.name] = this.autoNumber(o, f);
    return rec;
  }

  private finish(o: ObjectDef, rec: Row, d: DeriveContext): void {
    const hooks = HOOKS[o.name];
    hooks?.derive?.(rec, d);
    const missing = o.fields
      .filter((f) => f.createable && (f.required || (!f.nillable && f.type !== 'boolean')))
      .filter((f) => rec[f.name] === null || rec[f.name] === undefined)
      .map((f) => f.name);
    if (missing.length > 0) {
      throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    }
    hooks?.validate?.(rec, d);
  }

  private insertRow(o: ObjectDef, rec: Row): void {
    const cols = o.fields.map((f) => f.name);
    const sql = `INSERT INTO ${quoteIdent(o.name)} (${cols.map(quoteIdent).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
    this.statement(sql).run(...cols.map((c) => rec[c] ?? null));
  }

  private asObject(input: unknown): Record<string, unknown> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw jsonParserError('The request body must be a JSON object whose keys are field names of the record.');
    }
    return input as Record<string, unknown>;
  }

  /** Turns a JSON record body into stored values, rejecting what the platform rejects. */
  private parseInput(o: ObjectDef, input: unknown, mode: 'create' | 'update', id?: string): Map<string, unknown> {
    const body = this.asObject(input);
    const values = new Map<string, unknown>();
    const notWritable: string[] = [];
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'attributes') continue;
      let f = o.field(key);
      let value: unknown;
      if (!f) {
        const rel = o.relationship(key);
        if (!rel || typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
          throw invalidField(`No such column '${key}' on sobject of type ${o.name}`);
        }
        f = rel;
        value = this.resolveForeignKey(rel, raw as Record<string, unknown>);
      } else if (f.type === 'id') {
        if (mode === 'update' && typeof raw === 'string' && normalizeSalesforceId(raw) === id) continue;
        notWritable.push(f.name);
        continue;
      }
      if (!(mode === 'create' ? f.createable : f.updateable)) {
        notWritable.push(f.name);
        continue;
      }
      values.set(f.name, value !== undefined ? value : this.coerce(f, raw));
    }
    if (notWritable.length > 0) {
      throw new SalesforceError(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        notWritable,
      );
    }
    return values;
  }

  /** `"Account": {"ERP_Customer_Number__c": "C00042"}` in a body sets AccountId by the parent's external id. */
  private resolveForeignKey(rel: FieldDef, body: Record<string, unknown>): string {
    const typeName = (body.attributes as { type?: unknown } | undefined)?.type;
    const target = this.registry.object(typeof typeName === 'string' ? typeName : rel.referenceTo[0]!);
    const entries = Object.entries(body).filter(([k]) => k !== 'attributes');
    if (!target || entries.length !== 1) {
      throw invalidField(`The ${rel.relationshipName} reference must name exactly one external id field of the related record.`, [rel.name]);
    }
    const [key, raw] = entries[0]!;
    const extField = target.field(key);
    if (!extField || !(extField.externalId || extField.type === 'id')) {
      throw invalidField(`Field ${key} is not an external id field of ${target.name}, so it cannot be used to set ${rel.name}.`, [rel.name]);
    }
    const value = extField.type === 'id' ? normalizeSalesforceId(String(raw)) : this.coerce(extField, raw);
    const ids = this.findIdsBy(target, extField.name, value);
    if (ids.length === 0) {
      throw invalidField(`Foreign key external ID: ${String(raw)} not found for field ${extField.name} in entity ${target.name}`, [rel.name]);
    }
    if (ids.length > 1) {
      throw new SalesforceError(
        400,
        'DUPLICATE_EXTERNAL_ID',
        `Foreign key external ID: ${String(raw)} matched more than one ${target.name} record for field ${extField.name}`,
        [rel.name],
      );
    }
    return ids[0]!;
  }

  /** Converts one JSON value to the stored form of a field. */
  coerce(f: FieldDef, raw: unknown): unknown {
    if (raw === null || raw === undefined) return f.type === 'boolean' ? 0 : null;
    const cannot = (kind: string) =>
      jsonParserError(
        `Cannot deserialize instance of ${kind} from ${typeof raw === 'object' ? 'START_OBJECT' : 'VALUE_STRING'} value ${JSON.stringify(raw)} or request may be missing a required field`,
      );
    if (typeof raw === 'object') throw cannot(f.type === 'reference' || f.type === 'id' ? 'reference' : f.type);
    if (isTextType(f.type)) {
      const s = String(raw);
      // The platform stores empty text as null.
      if (s === '') return null;
      if (s.length > f.length) {
        throw new SalesforceError(400, 'STRING_TOO_LONG', `${f.label}: data value too large: ${s} (max length=${f.length})`, [f.name]);
      }
      if (f.type === 'email' && !EMAIL.test(s)) {
        throw new SalesforceError(400, 'INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [f.name]);
      }
      if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.includes(s)) {
        throw new SalesforceError(400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${f.label}: bad value for restricted picklist field: ${s}`, [f.name]);
      }
      return s;
    }
    switch (f.type) {
      case 'boolean': {
        if (typeof raw === 'boolean') return raw ? 1 : 0;
        const s = String(raw).toLowerCase();
        if (s === 'true' || s === 'false') return s === 'true' ? 1 : 0;
        throw cannot('boolean');
      }
      case 'int':
      case 'double':
      case 'currency':
      case 'percent': {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
        if (!Number.isFinite(n) || (f.type === 'int' && !Number.isInteger(n))) throw cannot(f.type === 'int' ? 'int' : 'double');
        return n;
      }
      case 'date':
        if (typeof raw === 'string' && isValidDate(raw)) return raw;
        throw cannot('date');
      case 'datetime': {
        const d = typeof raw === 'string' ? parseDateTime(raw) : null;
        if (d) return d;
        throw cannot('datetime');
      }
      case 'reference':
      case 'id': {
        const id = normalizeSalesforceId(String(raw));
        if (!id) throw new SalesforceError(400, 'MALFORMED_ID', `${f.label}: id value of incorrect type: ${String(raw)}`, [f.name]);
        const target = this.registry.objectForId(id);
        if (!target || (f.type === 'reference' && !f.referenceTo.includes(target.name))) {
          throw new SalesforceError(400, 'FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${String(raw)}`, [f.name]);
        }
        const row = this.find(target, id, true);
        if (!row) throw new SalesforceError(400, 'INVALID_CROSS_REFERENCE_KEY', `${f.label}: invalid cross reference id`, [f.name]);
        if (row.IsDeleted) throw new SalesforceError(400, 'ENTITY_IS_DELETED', `${f.label}: entity is deleted`, [f.name]);
        return id;
      }
      default:
        throw new Error(`No coercion for field type ${f.type as string}.`);
    }
  }

  // --- reads ----------------------------------------------------------------------

  /** Resolves `fields` names (case-insensitive) or throws INVALID_FIELD like the platform. */
  resolveFields(o: ObjectDef, names: readonly string[]): FieldDef[] {
    return names.map((n) => {
      const f = o.field(n.trim());
      if (!f) throw noSuchColumnOnEntity(n.trim(), o.name);
      return f;
    });
  }

  serialize(o: ObjectDef, row: Row, fields: readonly FieldDef[], version: string): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: { type: o.name, url: recordUrl(version, o.name, row.Id as string) } };
    for (const f of fields) out[f.name] = apiValue(f, row[f.name]);
    return out;
  }

  /** Batch read by id: one slot per requested id, in request order, null where nothing readable exists. */
  retrieveMany(o: ObjectDef, ids: readonly unknown[], fields: readonly FieldDef[], version: string): (Record<string, unknown> | null)[] {
    const normalized = ids.map((id) => (typeof id === 'string' ? normalizeSalesforceId(id) : null));
    const wanted = [...new Set(normalized.filter((id): id is string => id !== null && id.startsWith(o.keyPrefix)))];
    const cols = ['Id', ...fields.map((f) => f.name)].map(quoteIdent).join(', ');
    const rows = this.statement(`SELECT ${cols} FROM ${quoteIdent(o.name)} WHERE Id IN (SELECT value FROM json_each(?)) AND IsDeleted = 0`).all(
      JSON.stringify(wanted),
    ) as Row[];
    const byId = new Map(rows.map((r) => [r.Id as string, r]));
    return normalized.map((id) => {
      const row = id ? byId.get(id) : undefined;
      if (!row) return null;
      // Like the single-record GET with ?fields=, the record id always comes back so callers can match by it.
      const record = this.serialize(o, row, fields, version);
      if (!('Id' in record)) record.Id = row.Id;
      return record;
    });
  }
}
