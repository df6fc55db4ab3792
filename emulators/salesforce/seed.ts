/**
 * Seeds an empty emulator database from the shared world (emulators/seed/world.ts),
 * so CRM ids, ERP numbers, SKUs and staff e-mails line up with the ERP emulator.
 * What the world does not describe (campaigns, leads, quotes, activities) is
 * generated here from fixed seeds, one Random per object type, so changing one
 * phase never shifts another. Timestamps derive from the world's fixed "today".
 *
 * Everything runs in one transaction: a database is either fully seeded (and
 * records its seed size in _meta) or untouched.
 */
import { Random } from '../seed/random.js';
import { salesforceId, type SObjectName } from '../seed/salesforceId.js';
import { buildWorld, SEED_TODAY, type SeedSize, type WorldCompany, type WorldOpportunity } from '../seed/world.js';
import { Approvals } from './approvals.js';
import { setMeta } from './db.js';
import type { Row, RecordStore, WriteContext } from './records.js';
import { addDays } from './values.js';

export interface SeedOptions {
  size: SeedSize;
  integrationUsername: string;
  onProgress?: (done: number, total: number, label: string) => void;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The record number n that salesforceId(object, n) encoded, so new ids continue after the seed's. */
function idNumber(id: string): number {
  let n = 0;
  for (const ch of id.slice(7, 15)) n = n * 62 + BASE62.indexOf(ch);
  return n;
}

/** The highest record number among ids (a loop, since spreading 100k arguments overflows the stack). */
function maxNumber(ids: Iterable<string>): number {
  let max = 0;
  for (const id of ids) max = Math.max(max, idNumber(id));
  return max;
}

function at(date: string, hour: number, minute: number): string {
  return `${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000+0000`;
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

const LEAD_FIRST = ['Aiko', 'Bruno', 'Carla', 'Dmitri', 'Esra', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kofi', 'Laila', 'Milan', 'Nadia', 'Oskar', 'Pia'];
const LEAD_LAST = [
  'Albers',
  'Brandt',
  'Castillo',
  'Dahl',
  'Evans',
  'Fontaine',
  'Gruber',
  'Holm',
  'Iqbal',
  'Jovanovic',
  'Keller',
  'Lindqvist',
  'Marino',
  'Nowak',
];
const LEAD_COMPANY_A = ['Apex', 'Borealis', 'Coastal', 'Delta', 'Evergreen', 'Fjord', 'Helios', 'Ironwood', 'Keystone', 'Lumen', 'Northstar', 'Orbit'];
const LEAD_COMPANY_B = ['Fabrication', 'Process Systems', 'Water Works', 'Packaging', 'Thermal', 'Hydraulics', 'Plant Services', 'Robotics'];
const CAMPAIGN_TOPICS = ['Pump Efficiency', 'Valve Retrofit', 'Smart Motors', 'Compressed Air Audit', 'Heat Recovery', 'Spare Parts Programme'];
const TASK_SUBJECTS = [
  'Call to discuss requirements',
  'Send proposal',
  'Follow up on quote',
  'Schedule site visit',
  'Confirm delivery date',
  'Check budget approval',
];
const EVENT_SUBJECTS = ['Customer meeting', 'Site visit', 'Quarterly business review', 'Product demo'];

export function seedDatabase(store: RecordStore, options: SeedOptions): { integrationUserId: string } {
  const world = buildWorld(options.size);
  const progress = options.onProgress ?? (() => {});
  const today = SEED_TODAY;
  let integrationUserId = '';

  const insert = (object: SObjectName, values: Row, ctx: WriteContext) => store.insertSeed(store.object(object), values, ctx);
  /** Runs one phase over `items`, reporting progress every 500 rows and at the end. */
  const phase = <T>(label: string, items: readonly T[], each: (item: T, i: number) => void) => {
    progress(0, items.length, label);
    items.forEach((item, i) => {
      each(item, i);
      if ((i + 1) % 500 === 0) progress(i + 1, items.length, label);
    });
    progress(items.length, items.length, label);
  };
  const ctxAt = (userId: string, stamp: string): WriteContext => ({ userId, now: new Date(stamp.replace('+0000', 'Z')) });

  store.db.transaction(() => {
    // --- users ---------------------------------------------------------------------
    const crmStaff = world.employees.filter((e) => e.crmUserId);
    integrationUserId = salesforceId('User', maxNumber(crmStaff.map((e) => e.crmUserId!)) + 1);
    const employeeByEmail = new Map(world.employees.map((e) => [e.workEmail, e]));
    const userByEmail = new Map(crmStaff.map((e) => [e.workEmail, e.crmUserId!]));
    const userId = (email: string) => userByEmail.get(email) ?? integrationUserId;
    phase('Users', [null, ...crmStaff], (e, i) => {
      const stamp = at('2024-01-02', 9, i % 60);
      if (e === null) {
        insert(
          'User',
          {
            Id: integrationUserId,
            Username: options.integrationUsername,
            Email: options.integrationUsername,
            FirstName: 'Integration',
            LastName: 'User',
            Title: 'API Integration',
            Department: 'IT',
            IsActive: 1,
          },
          ctxAt(integrationUserId, stamp),
        );
        return;
      }
      const [first, ...rest] = e.name.split(' ');
      const manager = e.managerEmail ? employeeByEmail.get(e.managerEmail) : undefined;
      insert(
        'User',
        {
          Id: e.crmUserId,
          Username: e.workEmail,
          Email: e.workEmail,
          FirstName: first,
          LastName: rest.join(' '),
          Title: e.jobTitle,
          Department: e.department,
          EmployeeNumber: `E${String(e.index).padStart(5, '0')}`,
          ManagerId: manager?.crmUserId ?? null,
          Territory__c: e.territory,
          Sales_Team__c: e.salesTeam,
          IsActive: 1,
        },
        ctxAt(integrationUserId, stamp),
      );
    });
    store.sequences.atLeast('User.Id', idNumber(integrationUserId));
    const reps = crmStaff.filter((e) => e.crmRole === 'Account Executive' || e.crmRole === 'Sales Manager').map((e) => e.crmUserId!);
    const managers = crmStaff.filter((e) => e.crmRole === 'Sales Manager' || e.crmRole === 'VP Sales').map((e) => e.crmUserId!);

    // --- accounts and contacts --------------------------------------------------------
    const crmCompanies = world.companies.filter((c) => c.inCrm);
    const accountCreated = new Map<string, string>();
    const accountOwner = new Map<string, string>();
    const accountName = new Map<string, string>();
    const contactsOf = new Map<string, string[]>();
    const rngAccounts = new Random(0x5f_0101);
    const accountRow = (c: WorldCompany, id: string, name: string, owner: string): Row => ({
      Id: id,
      Name: name,
      Type: c.erpNumber ? 'Customer' : 'Prospect',
      Industry: c.industry,
      Segment__c: c.segment,
      ERP_Customer_Number__c: c.erpNumber,
      BillingStreet: c.street,
      BillingCity: c.city,
      BillingCountry: COUNTRY_NAMES.of(c.countryCode) ?? c.countryCode,
      Phone: c.phone,
      Website: `https://www.${c.email.split('@')[1]}`,
      OwnerId: owner,
    });
    phase('Accounts', crmCompanies, (c) => {
      const created = at(addDays(today, -rngAccounts.int(200, 1500)), rngAccounts.int(8, 17), rngAccounts.int(0, 59));
      const owner = userId(c.ownerEmail);
      insert('Account', accountRow(c, c.crmAccountId!, c.name, owner), ctxAt(owner, created));
      accountCreated.set(c.crmAccountId!, created);
      accountOwner.set(c.crmAccountId!, owner);
      accountName.set(c.crmAccountId!, c.name);
    });
    // Duplicates claiming the same ERP number: same company, name without its legal form, another rep.
    const conflicts = crmCompanies.filter((c) => c.conflictingCrmAccountId);
    phase('Duplicate accounts', conflicts, (c) => {
      const created = at(addDays(today, -rngAccounts.int(10, 190)), rngAccounts.int(8, 17), rngAccounts.int(0, 59));
      const owner = rngAccounts.pick(reps);
      const name = c.name.replace(/ [^ ]+$/, '');
      insert('Account', accountRow(c, c.conflictingCrmAccountId!, name, owner), ctxAt(owner, created));
      accountCreated.set(c.conflictingCrmAccountId!, created);
      accountOwner.set(c.conflictingCrmAccountId!, owner);
      accountName.set(c.conflictingCrmAccountId!, name);
    });
    store.sequences.atLeast('Account.Id', maxNumber(accountCreated.keys()));

    let contactN = 0;
    const rngContacts = new Random(0x5f_0102);
    const contactJobs = crmCompanies.flatMap((c) => [
      ...c.contacts.map((p) => ({ c, p, accountId: c.crmAccountId! })),
      ...(c.conflictingCrmAccountId && c.contacts[0] ? [{ c, p: c.contacts[0], accountId: c.conflictingCrmAccountId }] : []),
    ]);
    phase('Contacts', contactJobs, ({ c, p, accountId }) => {
      const id = salesforceId('Contact', ++contactN);
      const created = at(addDays(accountCreated.get(accountId)!.slice(0, 10), rngContacts.int(0, 60)), rngContacts.int(8, 17), rngContacts.int(0, 59));
      const owner = accountOwner.get(accountId)!;
      insert(
        'Contact',
        {
          Id: id,
          FirstName: p.firstName,
          LastName: p.lastName,
          Email: p.email,
          Phone: p.phone,
          Title: p.title,
          MailingCity: c.city,
          MailingCountry: COUNTRY_NAMES.of(c.countryCode) ?? c.countryCode,
          AccountId: accountId,
          OwnerId: owner,
        },
        ctxAt(owner, minDate(created, at(today, 8, 0))),
      );
      contactsOf.set(accountId, [...(contactsOf.get(accountId) ?? []), id]);
    });
    store.sequences.atLeast('Contact.Id', contactN);

    // --- products and price books ------------------------------------------------------
    const rngProducts = new Random(0x5f_0103);
    const sellable = world.products.filter((p) => p.saleOk);
    const catalogStamp = at('2024-01-03', 10, 0);
    const standardBook = salesforceId('Pricebook2', 1);
    const partnerBook = salesforceId('Pricebook2', 2);
    const entries = new Map<string, { id: string; productId: string; sku: string; kind: string; price: number }[]>([
      [standardBook, []],
      [partnerBook, []],
    ]);
    let entryN = 0;
    insert('Pricebook2', { Id: standardBook, Name: 'Standard Price Book', IsStandard: 1, IsActive: 1 }, ctxAt(integrationUserId, catalogStamp));
    insert(
      'Pricebook2',
      { Id: partnerBook, Name: 'Partner Price Book', IsActive: 1, Description: 'Channel partner prices, about 10% below list.' },
      ctxAt(integrationUserId, catalogStamp),
    );
    store.sequences.atLeast('Pricebook2.Id', 2);
    phase('Products', sellable, (p) => {
      const ctx = ctxAt(integrationUserId, catalogStamp);
      insert(
        'Product2',
        { Id: p.crmProductId, Name: p.name, ProductCode: p.sku, Family: p.category, IsActive: 1, QuantityUnitOfMeasure: p.uom === 'Units' ? 'Each' : p.uom },
        ctx,
      );
      const add = (book: string, price: number) => {
        const id = salesforceId('PricebookEntry', ++entryN);
        insert('PricebookEntry', { Id: id, Pricebook2Id: book, Product2Id: p.crmProductId, UnitPrice: price, IsActive: 1 }, ctx);
        entries.get(book)!.push({ id, productId: p.crmProductId!, sku: p.sku, kind: p.kind, price });
      };
      add(standardBook, p.listPrice);
      if (rngProducts.chance(0.85)) add(partnerBook, Math.round(p.listPrice * 0.9 * 100) / 100);
    });
    store.sequences.atLeast('Product2.Id', maxNumber(sellable.map((p) => p.crmProductId!)));
    store.sequences.atLeast('PricebookEntry.Id', entryN);

    // Customer-specific configuration: enterprise accounts are quoted from their own
    // price book (Pricebook2.Segment__c), 5 % under list, for every sellable product.
    const enterpriseBook = salesforceId('Pricebook2', 3);
    insert(
      'Pricebook2',
      {
        Id: enterpriseBook,
        Name: 'Enterprise Price Book',
        IsActive: 1,
        Segment__c: 'Enterprise',
        Description: 'Framework-agreement prices for Enterprise accounts, 5% below list.',
      },
      ctxAt(integrationUserId, catalogStamp),
    );
    store.sequences.atLeast('Pricebook2.Id', 3);
    phase('Segment price book', sellable, (p) => {
      insert(
        'PricebookEntry',
        {
          Id: salesforceId('PricebookEntry', ++entryN),
          Pricebook2Id: enterpriseBook,
          Product2Id: p.crmProductId,
          UnitPrice: Math.round(p.listPrice * 0.95 * 100) / 100,
          IsActive: 1,
        },
        ctxAt(integrationUserId, catalogStamp),
      );
    });
    store.sequences.atLeast('PricebookEntry.Id', entryN);

    // --- campaigns ---------------------------------------------------------------------
    const rngCampaigns = new Random(0x5f_0104);
    const campaignCount = options.size === 'large' ? 40 : 6;
    const campaigns: { id: string; status: string; start: string }[] = [];
    phase(
      'Campaigns',
      Array.from({ length: campaignCount }, (_, i) => i),
      (i) => {
        const id = salesforceId('Campaign', i + 1);
        const type = rngCampaigns.pick(['Conference', 'Webinar', 'Trade Show', 'Email']);
        const start = addDays(today, -rngCampaigns.int(-40, 540));
        const end = addDays(start, type === 'Email' ? 1 : rngCampaigns.int(1, 30));
        const status = end < today ? 'Completed' : start > today ? 'Planned' : 'In Progress';
        const budget = rngCampaigns.int(5, 80) * 1000;
        const owner = rngCampaigns.pick(managers);
        insert(
          'Campaign',
          {
            Id: id,
            Name: `${rngCampaigns.pick(CAMPAIGN_TOPICS)} ${type} ${start.slice(0, 4)}-${String(i + 1).padStart(2, '0')}`,
            Type: type,
            Status: status,
            StartDate: start,
            EndDate: end,
            IsActive: status === 'Completed' ? 0 : 1,
            BudgetedCost: budget,
            ActualCost: status === 'Planned' ? null : Math.round(budget * rngCampaigns.float(0.6, 1.2)),
            ExpectedRevenue: budget * rngCampaigns.int(4, 12),
            OwnerId: owner,
          },
          ctxAt(owner, at(minDate(addDays(start, -30), today), 9, 0)),
        );
        campaigns.push({ id, status, start });
      },
    );
    store.sequences.atLeast('Campaign.Id', campaignCount);

    // --- opportunities, quotes, orders --------------------------------------------------------
    const rngOpps = new Random(0x5f_0105);
    const oppsOf = new Map<string, string[]>();
    const customerAccounts = new Set(crmCompanies.filter((c) => c.erpNumber).map((c) => c.crmAccountId!));
    phase('Opportunities', world.opportunities, (o) => {
      const owner = userId(o.ownerEmail);
      const created = at(minDate(addDays(o.closeDate, -rngOpps.int(20, 200)), addDays(today, -1)), rngOpps.int(8, 17), rngOpps.int(0, 59));
      const closed = o.stage === 'Closed Won' || o.stage === 'Closed Lost';
      insert(
        'Opportunity',
        {
          Id: o.id,
          Name: o.name,
          AccountId: o.accountId,
          StageName: o.stage,
          Amount: o.amount,
          Probability: o.probability,
          CloseDate: o.closeDate,
          OwnerId: owner,
          Type: customerAccounts.has(o.accountId) ? rngOpps.pick(['Existing Business', 'Renewal']) : 'New Business',
          LeadSource: rngOpps.pick(['Web', 'Phone Inquiry', 'Partner Referral', 'Trade Show', 'Other']),
          NextStep: closed ? null : rngOpps.pick(['Send revised quote', 'Technical review', 'Meet procurement', 'Site survey']),
          ERP_Order_Number__c: o.erpOrderNumber,
          CampaignId: campaigns.length > 0 && rngOpps.chance(0.15) ? rngOpps.pick(campaigns).id : null,
          LastModifiedDate: closed ? at(minDate(o.closeDate, today), 17, 0) : null,
        },
        ctxAt(owner, created),
      );
      oppsOf.set(o.accountId, [...(oppsOf.get(o.accountId) ?? []), o.id]);
    });
    store.sequences.atLeast('Opportunity.Id', maxNumber(world.opportunities.map((o) => o.id)));

    const rngQuotes = new Random(0x5f_0106);
    const quoted = world.opportunities.filter((o) => o.stage === 'Proposal/Price Quote' || o.stage === 'Negotiation/Review');
    let quoteN = 0;
    let lineN = 0;
    phase('Quotes', quoted, (o: WorldOpportunity) => {
      const owner = userId(o.ownerEmail);
      const quotes = rngQuotes.chance(0.2) ? 2 : 1;
      for (let k = 1; k <= quotes; k++) {
        const id = salesforceId('Quote', ++quoteN);
        const book = rngQuotes.chance(0.2) ? partnerBook : standardBook;
        const status =
          k === 2
            ? 'Draft'
            : o.stage === 'Proposal/Price Quote'
              ? rngQuotes.weighted([
                  ['Draft', 30],
                  ['Needs Review', 25],
                  ['Approved', 25],
                  ['Presented', 20],
                ] as const)
              : rngQuotes.weighted([
                  ['Presented', 40],
                  ['Approved', 20],
                  ['Accepted', 30],
                  ['Needs Review', 10],
                ] as const);
        const created = at(addDays(today, -rngQuotes.int(k === 2 ? 1 : 10, k === 2 ? 9 : 60)), rngQuotes.int(8, 17), rngQuotes.int(0, 59));
        const ctx = ctxAt(owner, created);
        insert(
          'Quote',
          {
            Id: id,
            Name: `${o.name} – Q${k}`,
            OpportunityId: o.id,
            ContactId: contactsOf.get(o.accountId)?.[0] ?? null,
            Status: status,
            ExpirationDate: addDays(created.slice(0, 10), rngQuotes.int(30, 60)),
            Pricebook2Id: book,
          },
          ctx,
        );
        for (const e of rngQuotes.sample(entries.get(book)!, rngQuotes.int(1, 4))) {
          insert(
            'QuoteLineItem',
            {
              Id: salesforceId('QuoteLineItem', ++lineN),
              QuoteId: id,
              PricebookEntryId: e.id,
              Quantity: rngQuotes.int(1, e.kind === 'finished' ? 6 : 20),
              UnitPrice: e.price,
              Discount:
                rngQuotes.weighted([
                  [0, 60],
                  [5, 20],
                  [10, 15],
                  [15, 5],
                ] as const) || null,
            },
            ctx,
          );
        }
      }
    });

    // Quotes with a line discounted above 15 % go through the Quote_Discount_Approval
    // process (approvals.ts): most still wait for the rep's manager, a few were decided.
    const rngApprovals = new Random(0x5f_010c);
    const approvals = new Approvals(store);
    const approvalCandidates = rngApprovals.sample(quoted, Math.min(quoted.length, options.size === 'large' ? 60 : 6));
    phase('Quote approvals', approvalCandidates, (o: WorldOpportunity, i) => {
      const owner = userId(o.ownerEmail);
      const managerEmail = employeeByEmail.get(o.ownerEmail)?.managerEmail;
      const approver = (managerEmail && userByEmail.get(managerEmail)) || rngApprovals.pick(managers);
      const decided = i % 5 === 4 ? rngApprovals.pick(['Approved', 'Rejected'] as const) : 'Pending';
      const id = salesforceId('Quote', ++quoteN);
      const created = at(addDays(today, -rngApprovals.int(2, 12)), rngApprovals.int(8, 17), rngApprovals.int(0, 59));
      const ctx = ctxAt(owner, created);
      insert(
        'Quote',
        {
          Id: id,
          Name: `${o.name} – special pricing`,
          OpportunityId: o.id,
          ContactId: contactsOf.get(o.accountId)?.[0] ?? null,
          Status: decided === 'Pending' ? 'In Review' : decided,
          ExpirationDate: addDays(created.slice(0, 10), 30),
          Pricebook2Id: standardBook,
        },
        ctx,
      );
      rngApprovals.sample(entries.get(standardBook)!, rngApprovals.int(1, 3)).forEach((e, k) => {
        insert(
          'QuoteLineItem',
          {
            Id: salesforceId('QuoteLineItem', ++lineN),
            QuoteId: id,
            PricebookEntryId: e.id,
            Quantity: rngApprovals.int(2, e.kind === 'finished' ? 10 : 40),
            UnitPrice: e.price,
            Discount: k === 0 ? rngApprovals.pick([18, 20, 22.5, 25, 30]) : rngApprovals.pick([0, 5, 10]) || null,
          },
          ctx,
        );
      });
      const submitted = ctxAt(owner, at(addDays(created.slice(0, 10), 1), 9, 0));
      const decidedCtx = ctxAt(approver, at(addDays(created.slice(0, 10), 2), 11, 0));
      approvals.seed(
        id,
        owner,
        approver,
        decided,
        submitted,
        decidedCtx,
        decided === 'Approved' ? 'Volume justifies the discount.' : decided === 'Rejected' ? 'Margin too low; offer at most 15 %.' : undefined,
      );
    });
    store.sequences.atLeast('Quote.Id', quoteN);
    store.sequences.atLeast('QuoteLineItem.Id', lineN);

    const ordered = world.opportunities.filter((o) => o.erpOrderNumber);
    let orderN = 0;
    phase('Orders', ordered, (o) => {
      const owner = userId(o.ownerEmail);
      insert(
        'Order',
        {
          Id: salesforceId('Order', ++orderN),
          AccountId: o.accountId,
          OpportunityId: o.id,
          Status: 'Activated',
          EffectiveDate: o.closeDate,
          Pricebook2Id: standardBook,
          TotalAmount: o.amount,
          ERP_Order_Number__c: o.erpOrderNumber,
          OwnerId: owner,
        },
        ctxAt(owner, at(minDate(o.closeDate, today), 16, 0)),
      );
    });
    store.sequences.atLeast('Order.Id', orderN);

    // --- cases ------------------------------------------------------------------------
    // A complaint about a product names the ERP order it came with (Case.ERP_Order_Number__c):
    // the customer's latest confirmed order of that SKU placed before the case was opened.
    const casesBySku = new Map<string, { companyIndex: number; createdDate: string }[]>();
    for (const c of world.cases) if (c.productSku && !c.erpOrderNumber) casesBySku.set(`${c.companyIndex}|${c.productSku}`, []);
    const orderOfCase = new Map<string, { number: string; date: string }[]>();
    for (const order of world.salesOrders()) {
      if (order.state !== 'sale') continue;
      for (const line of order.lines) {
        const key = `${order.companyIndex}|${line.sku}`;
        if (!casesBySku.has(key)) continue;
        const list = orderOfCase.get(key) ?? [];
        list.push({ number: order.number, date: order.dateOrder.slice(0, 10) });
        orderOfCase.set(key, list);
      }
    }
    const complaintOrder = (c: (typeof world.cases)[number]): string | null => {
      if (c.erpOrderNumber || !c.productSku) return c.erpOrderNumber;
      const before = (orderOfCase.get(`${c.companyIndex}|${c.productSku}`) ?? []).filter((o) => o.date <= c.createdDate);
      return before.reduce<{ number: string; date: string } | null>((latest, o) => (!latest || o.date > latest.date ? o : latest), null)?.number ?? null;
    };
    const rngCases = new Random(0x5f_0107);
    phase('Cases', world.cases, (c) => {
      const owner = userId(c.ownerEmail);
      const created = at(c.createdDate, rngCases.int(7, 18), rngCases.int(0, 59));
      const contacts = contactsOf.get(c.accountId) ?? [];
      const closedDate =
        c.status === 'Closed' ? at(minDate(addDays(c.createdDate, rngCases.int(0, 20)), today), rngCases.int(8, 18), rngCases.int(0, 59)) : null;
      insert(
        'Case',
        {
          Id: c.id,
          Subject: c.subject,
          Description: `Customer reports: ${c.subject.toLowerCase()}.`,
          Status: c.status,
          Priority: c.priority,
          Origin: c.origin,
          AccountId: c.accountId,
          ContactId: contacts.length > 0 ? rngCases.pick(contacts) : null,
          OwnerId: owner,
          Product_SKU__c: c.productSku,
          ERP_Order_Number__c: complaintOrder(c),
          ClosedDate: closedDate,
          LastModifiedDate: closedDate,
        },
        ctxAt(owner, created),
      );
    });
    store.sequences.atLeast('Case.Id', maxNumber(world.cases.map((c) => c.id)));

    // --- leads and campaign members ----------------------------------------------------------
    const rngLeads = new Random(0x5f_0108);
    const accountIds = [...accountCreated.keys()];
    const leadCount = Math.round(world.companies.length / 8);
    const leads: string[] = [];
    phase(
      'Leads',
      Array.from({ length: leadCount }, (_, i) => i),
      (i) => {
        const id = salesforceId('Lead', i + 1);
        const first = rngLeads.pick(LEAD_FIRST);
        const last = rngLeads.pick(LEAD_LAST);
        const owner = rngLeads.pick(reps);
        const created = addDays(today, -rngLeads.int(5, 700));
        const converted = rngLeads.chance(0.2);
        const account = converted ? rngLeads.pick(accountIds) : null;
        const company = account ? accountName.get(account)! : `${rngLeads.pick(LEAD_COMPANY_A)} ${rngLeads.pick(LEAD_COMPANY_B)}`;
        const domain = company
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '');
        insert(
          'Lead',
          {
            Id: id,
            FirstName: first,
            LastName: last,
            Company: company,
            Title: rngLeads.pick(['Engineer', 'Buyer', 'Operations Manager', 'Maintenance Planner']),
            Email: `${first}.${last}@${domain}.example.org`.toLowerCase(),
            Status: converted
              ? 'Closed - Converted'
              : rngLeads.weighted([
                  ['Open - Not Contacted', 40],
                  ['Working - Contacted', 40],
                  ['Closed - Not Converted', 20],
                ] as const),
            LeadSource: rngLeads.pick(['Web', 'Phone Inquiry', 'Partner Referral', 'Trade Show', 'Purchased List']),
            Industry: rngLeads.pick(['Manufacturing', 'Utilities', 'Food & Beverage', 'Chemicals', 'Energy']),
            IsConverted: converted ? 1 : 0,
            ConvertedDate: converted ? addDays(created, rngLeads.int(1, 30)) : null,
            ConvertedAccountId: account,
            ConvertedContactId: account ? (contactsOf.get(account)?.[0] ?? null) : null,
            ConvertedOpportunityId: account ? (oppsOf.get(account)?.[0] ?? null) : null,
            OwnerId: owner,
          },
          ctxAt(owner, at(created, rngLeads.int(8, 17), rngLeads.int(0, 59))),
        );
        if (!converted) leads.push(id);
      },
    );
    store.sequences.atLeast('Lead.Id', leadCount);

    const rngMembers = new Random(0x5f_0109);
    const allContacts = [...contactsOf.values()].flat();
    const large = options.size === 'large';
    const memberJobs = campaigns.flatMap((c) => [
      ...rngMembers.sample(allContacts, rngMembers.int(large ? 100 : 10, large ? 400 : 25)).map((contact) => ({ c, contact, lead: null as string | null })),
      ...rngMembers.sample(leads, rngMembers.int(large ? 20 : 2, large ? 100 : 8)).map((lead) => ({ c, contact: null as string | null, lead })),
    ]);
    let memberN = 0;
    phase('Campaign members', memberJobs, ({ c, contact, lead }) => {
      const status =
        c.status === 'Planned'
          ? 'Planned'
          : rngMembers.weighted([
              ['Sent', 50],
              ['Received', 20],
              ['Responded', c.status === 'Completed' ? 30 : 15],
            ] as const);
      insert(
        'CampaignMember',
        { Id: salesforceId('CampaignMember', ++memberN), CampaignId: c.id, ContactId: contact, LeadId: lead, Status: status },
        ctxAt(integrationUserId, at(minDate(c.start, today), 8, 0)),
      );
    });
    // Some converted leads had been campaign members before conversion: campaign
    // attribution then reaches the account (and ERP customer) they became.
    const rngConverted = new Random(0x5f_010d);
    const convertedLeads = store.db.prepare(`SELECT Id FROM "Lead" WHERE IsConverted = 1 ORDER BY Id`).pluck().all() as string[];
    const convertedJobs = campaigns
      .filter((c) => c.status !== 'Planned')
      .flatMap((c) =>
        rngConverted.sample(convertedLeads, Math.min(convertedLeads.length, rngConverted.int(large ? 5 : 1, large ? 25 : 3))).map((lead) => ({ c, lead })),
      );
    phase('Converted lead members', convertedJobs, ({ c, lead }) => {
      insert(
        'CampaignMember',
        { Id: salesforceId('CampaignMember', ++memberN), CampaignId: c.id, LeadId: lead, Status: 'Responded' },
        ctxAt(integrationUserId, at(minDate(c.start, today), 8, 0)),
      );
    });
    store.sequences.atLeast('CampaignMember.Id', memberN);

    // --- activities -------------------------------------------------------------------
    const rngTasks = new Random(0x5f_010a);
    let taskN = 0;
    const taskFor = (whatId: string, accountId: string, owner: string, due: string, done: boolean) => {
      const contacts = contactsOf.get(accountId) ?? [];
      insert(
        'Task',
        {
          Id: salesforceId('Task', ++taskN),
          Subject: rngTasks.pick(TASK_SUBJECTS),
          WhatId: whatId,
          WhoId: contacts.length > 0 && rngTasks.chance(0.7) ? rngTasks.pick(contacts) : null,
          OwnerId: owner,
          ActivityDate: due,
          Status: done ? 'Completed' : rngTasks.pick(['Not Started', 'In Progress']),
          Priority: rngTasks.chance(0.2) ? 'High' : 'Normal',
          TaskSubtype: rngTasks.pick(['Task', 'Call', 'Email']),
        },
        ctxAt(owner, at(minDate(addDays(due, -rngTasks.int(1, 14)), today), rngTasks.int(8, 17), rngTasks.int(0, 59))),
      );
    };
    phase('Tasks', world.opportunities, (o) => {
      const owner = userId(o.ownerEmail);
      const closed = o.stage === 'Closed Won' || o.stage === 'Closed Lost';
      if (closed) {
        if (rngTasks.chance(0.5)) taskFor(o.id, o.accountId, owner, o.closeDate, true);
        return;
      }
      for (let k = rngTasks.int(1, 3); k > 0; k--) {
        const due = addDays(today, rngTasks.int(-20, 20));
        taskFor(o.id, o.accountId, owner, due, due < today && rngTasks.chance(0.7));
      }
    });
    phase('Case tasks', world.cases, (c) => {
      if (c.status === 'Closed') return;
      taskFor(c.id, c.accountId, userId(c.ownerEmail), addDays(today, rngTasks.int(-5, 10)), false);
    });
    store.sequences.atLeast('Task.Id', taskN);

    const rngEvents = new Random(0x5f_010b);
    let eventN = 0;
    phase('Events', accountIds, (accountId) => {
      const owner = accountOwner.get(accountId)!;
      const contacts = contactsOf.get(accountId) ?? [];
      const opps = oppsOf.get(accountId) ?? [];
      for (let k = rngEvents.int(0, 2); k > 0; k--) {
        const day = addDays(today, rngEvents.int(-180, 30));
        const start = at(day, rngEvents.int(8, 16), rngEvents.pick([0, 30]));
        insert(
          'Event',
          {
            Id: salesforceId('Event', ++eventN),
            Subject: rngEvents.pick(EVENT_SUBJECTS),
            WhatId: opps.length > 0 && rngEvents.chance(0.5) ? rngEvents.pick(opps) : accountId,
            WhoId: contacts.length > 0 ? rngEvents.pick(contacts) : null,
            OwnerId: owner,
            StartDateTime: start,
            DurationInMinutes: rngEvents.pick([30, 60, 90, 120]),
            Location: rngEvents.chance(0.5) ? 'Customer site' : 'Video call',
          },
          ctxAt(owner, at(minDate(addDays(day, -rngEvents.int(1, 20)), today), 8, 0)),
        );
      }
    });
    store.sequences.atLeast('Event.Id', eventN);

    setMeta(store.db, 'integration_user_id', integrationUserId);
    setMeta(store.db, 'seed_size', options.size);
  })();
  return { integrationUserId };
}
