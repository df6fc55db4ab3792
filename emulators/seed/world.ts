/**
 * The one company both emulators describe. Each emulator seeds its own database
 * from this world, so the identities that real integrations rely on line up the
 * way they do in a real company:
 *
 * - CRM accounts carry the ERP customer number (`res.partner.ref`) in
 *   `Account.ERP_Customer_Number__c`; prospects have none; some ERP customers
 *   never made it into the CRM; a few CRM accounts claim the same ERP number
 *   (a conflict a human must resolve — never merged by name).
 * - Products share the SKU: `product.product.default_code` = `Product2.ProductCode`.
 * - Staff share the work e-mail: `hr.employee.work_email` = `User.Email`.
 * - Orders that came from a CRM opportunity carry its id in `sale.order.client_order_ref`.
 *
 * Everything is derived from fixed seeds and a fixed "today", so two machines
 * (or the two emulators) always generate the same world.
 */
import { Random } from './random.js';
import { salesforceId } from './salesforceId.js';

export type SeedSize = 'small' | 'large';

export interface SizeSpec {
  companies: number;
  finishedProducts: number;
  salesOrders: number;
  maxLinesPerOrder: number;
}

export const SIZES: Record<SeedSize, SizeSpec> = {
  small: { companies: 240, finishedProducts: 40, salesOrders: 1200, maxLinesPerOrder: 5 },
  // Tens of thousands of customers and hundreds of thousands of order lines.
  large: { companies: 30000, finishedProducts: 600, salesOrders: 120000, maxLinesPerOrder: 5 },
};

export function isSeedSize(value: string): value is SeedSize {
  return value === 'small' || value === 'large';
}

/** The seed's "today": fixed so that the data never depends on when it was generated. */
export const SEED_TODAY = '2026-11-15';

export interface WorldCompany {
  /** 1-based position; ERP partner ids and CRM account ids derive from it. */
  index: number;
  name: string;
  /** ERP customer number (`res.partner.ref`), e.g. "C00042"; null for CRM-only prospects. */
  erpNumber: string | null;
  inErp: boolean;
  inCrm: boolean;
  /** The CRM Account id when `inCrm`. */
  crmAccountId: string | null;
  /** A second CRM account claiming the same ERP number (a data-quality conflict), if any. */
  conflictingCrmAccountId: string | null;
  vat: string;
  email: string;
  phone: string;
  street: string;
  city: string;
  countryCode: string;
  industry: string;
  segment: 'Enterprise' | 'Mid-Market' | 'SMB';
  /** Work e-mail of the sales rep who owns the customer in both systems. */
  ownerEmail: string;
  creditLimit: number;
  paymentTerm: PaymentTerm;
  /** Contacts (people) at the company, kept in the CRM. */
  contacts: { firstName: string; lastName: string; email: string; title: string; phone: string }[];
}

export type PaymentTerm = 'Immediate Payment' | '15 Days' | '30 Days' | '45 Days' | 'End of Following Month';
export const PAYMENT_TERMS: readonly PaymentTerm[] = ['Immediate Payment', '15 Days', '30 Days', '45 Days', 'End of Following Month'];

export interface WorldEmployee {
  index: number;
  name: string;
  workEmail: string;
  department: string;
  jobTitle: string;
  managerEmail: string | null;
  /** Sales staff are CRM users too; their CRM user id. */
  crmUserId: string | null;
  crmRole: string | null;
  territory: string | null;
  /** The sales team (`crm.team`) the employee belongs to, if any. */
  salesTeam: string | null;
}

export type ProductKind = 'finished' | 'subassembly' | 'component';

export interface WorldProduct {
  index: number;
  sku: string;
  name: string;
  kind: ProductKind;
  category: string;
  uom: 'Units' | 'kg' | 'm';
  listPrice: number;
  cost: number;
  /** Only sellable products exist in the CRM price books. */
  saleOk: boolean;
  crmProductId: string | null;
  /** On-hand quantity per ERP stock location name. */
  stock: Record<string, number>;
  bom: { quantity: number; lines: { sku: string; quantity: number; uom: WorldProduct['uom'] }[] } | null;
}

export interface WorldOpportunity {
  id: string;
  accountId: string;
  companyIndex: number;
  name: string;
  stage: OpportunityStage;
  amount: number;
  probability: number;
  closeDate: string;
  ownerEmail: string;
  /** Set for won opportunities that became an ERP sales order. */
  erpOrderNumber: string | null;
}

export type OpportunityStage =
  'Prospecting' | 'Qualification' | 'Needs Analysis' | 'Proposal/Price Quote' | 'Negotiation/Review' | 'Closed Won' | 'Closed Lost';

export const STAGE_PROBABILITY: Record<OpportunityStage, number> = {
  Prospecting: 10,
  Qualification: 20,
  'Needs Analysis': 30,
  'Proposal/Price Quote': 60,
  'Negotiation/Review': 80,
  'Closed Won': 100,
  'Closed Lost': 0,
};

export interface WorldSalesOrder {
  /** 1-based; the ERP order id. */
  index: number;
  number: string;
  companyIndex: number;
  dateOrder: string;
  state: 'draft' | 'sent' | 'sale' | 'cancel';
  salespersonEmail: string;
  /** The CRM opportunity the order came from, if any. */
  clientOrderRef: string | null;
  lines: { sku: string; quantity: number; priceUnit: number; discount: number }[];
}

export interface WorldCase {
  id: string;
  accountId: string;
  companyIndex: number;
  subject: string;
  status: 'New' | 'Working' | 'Escalated' | 'Closed';
  priority: 'Low' | 'Medium' | 'High';
  origin: 'Phone' | 'Email' | 'Web';
  productSku: string | null;
  /** The ERP order the complaint is about, if any. */
  erpOrderNumber: string | null;
  createdDate: string;
  ownerEmail: string;
}

export interface World {
  size: SeedSize;
  today: string;
  companies: WorldCompany[];
  employees: WorldEmployee[];
  products: WorldProduct[];
  opportunities: WorldOpportunity[];
  cases: WorldCase[];
  /** Regenerated on each call so that large seeds need not hold every order in memory. */
  salesOrders(): Iterable<WorldSalesOrder>;
  stockLocations: string[];
  salesTeams: { name: string; invoicedTarget: number }[];
}

// ---------------------------------------------------------------------------

const NAME_PARTS_A = [
  'Acme',
  'Northwind',
  'Contoso',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Vandelay',
  'Hooli',
  'Soylent',
  'Tyrell',
  'Cyberdyne',
  'Wonka',
  'Gringotts',
  'Oceanic',
  'Massive',
  'Aperture',
  'Black Mesa',
  'Blue Sun',
  'Nakatomi',
  'Dunder',
  'Sterling',
  'Prestige',
  'Pied Piper',
  'Rekall',
  'Virtucon',
  'Monarch',
  'Bluth',
  'Wernham',
  'Baltic',
  'Alpine',
  'Cascade',
  'Summit',
  'Harbor',
  'Granite',
  'Meridian',
  'Pinnacle',
  'Redwood',
  'Silverline',
];
const NAME_PARTS_B = [
  'Industries',
  'Manufacturing',
  'Logistics',
  'Foods',
  'Energy',
  'Pharma',
  'Retail',
  'Systems',
  'Engineering',
  'Chemicals',
  'Utilities',
  'Water',
  'Mining',
  'Textiles',
  'Paper',
  'Brewing',
  'Marine',
  'Automotive',
  'Aerospace',
  'Agritech',
];
const NAME_SUFFIX = ['Ltd', 'GmbH', 'Inc.', 'S.A.', 'B.V.', 'AG', 'LLC', 'SRL', 'Oy', 'AB'];
const INDUSTRY_BY_B: Record<string, string> = {
  Industries: 'Manufacturing',
  Manufacturing: 'Manufacturing',
  Logistics: 'Transportation',
  Foods: 'Food & Beverage',
  Energy: 'Energy',
  Pharma: 'Healthcare',
  Retail: 'Retail',
  Systems: 'Technology',
  Engineering: 'Engineering',
  Chemicals: 'Chemicals',
  Utilities: 'Utilities',
  Water: 'Utilities',
  Mining: 'Mining',
  Textiles: 'Apparel',
  Paper: 'Manufacturing',
  Brewing: 'Food & Beverage',
  Marine: 'Transportation',
  Automotive: 'Automotive',
  Aerospace: 'Aerospace',
  Agritech: 'Agriculture',
};
const CITIES: [string, string][] = [
  ['Hamburg', 'DE'],
  ['Munich', 'DE'],
  ['Lyon', 'FR'],
  ['Paris', 'FR'],
  ['Rotterdam', 'NL'],
  ['Antwerp', 'BE'],
  ['Milan', 'IT'],
  ['Barcelona', 'ES'],
  ['Gothenburg', 'SE'],
  ['Manchester', 'GB'],
  ['Chicago', 'US'],
  ['Houston', 'US'],
  ['Toronto', 'CA'],
  ['Shanghai', 'CN'],
  ['Shenzhen', 'CN'],
  ['Osaka', 'JP'],
  ['Monterrey', 'MX'],
  ['São Paulo', 'BR'],
];
const STREETS = ['Harbour Road', 'Industriestraße', 'Rue de l’Usine', 'Canal Street', 'Mill Lane', 'Station Road', 'Dock Avenue'];
const FIRST = [
  'Anna',
  'Ben',
  'Chen',
  'Diego',
  'Elif',
  'Farah',
  'Gustav',
  'Hana',
  'Ivan',
  'Julia',
  'Kenji',
  'Lena',
  'Mateo',
  'Nora',
  'Omar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Li',
  'Marta',
];
const LAST = [
  'Andersen',
  'Baker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'García',
  'Hoffmann',
  'Ito',
  'Jansen',
  'Kowalski',
  'Larsen',
  'Müller',
  'Novak',
  'Okafor',
  'Patel',
  'Quinn',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Urbano',
  'Virtanen',
  'Wang',
  'Xu',
  'Yilmaz',
  'Zhang',
  'Moreau',
  'Silva',
];
const CONTACT_TITLES = ['Purchasing Manager', 'Plant Manager', 'CFO', 'Maintenance Lead', 'Procurement Officer', 'Operations Director'];

const COMPANY_DOMAIN = 'example.com';

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// --- staff -----------------------------------------------------------------

const TEAMS = [
  { name: 'Direct Sales EMEA', territory: 'EMEA', invoicedTarget: 900000 },
  { name: 'Direct Sales Americas', territory: 'Americas', invoicedTarget: 750000 },
  { name: 'Key Accounts APAC', territory: 'APAC', invoicedTarget: 600000 },
];

function buildEmployees(rng: Random, size: SeedSize): WorldEmployee[] {
  const repsPerTeam = size === 'large' ? 40 : 5;
  const people: WorldEmployee[] = [];
  let userN = 0;
  const used = new Set<string>();
  const person = (department: string, jobTitle: string, managerEmail: string | null, sales?: { team: string; territory: string; role: string }) => {
    let name: string;
    let email: string;
    do {
      name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
      email = `${slug(name)}@${COMPANY_DOMAIN}`;
      if (used.has(email)) email = `${slug(name)}${people.length}@${COMPANY_DOMAIN}`;
    } while (used.has(email));
    used.add(email);
    const e: WorldEmployee = {
      index: people.length + 1,
      name,
      workEmail: email,
      department,
      jobTitle,
      managerEmail,
      crmUserId: sales ? salesforceId('User', ++userN) : null,
      crmRole: sales?.role ?? null,
      territory: sales?.territory ?? null,
      salesTeam: sales?.team ?? null,
    };
    people.push(e);
    return e;
  };
  const ceo = person('Management', 'Chief Executive Officer', null);
  const cfo = person('Finance', 'Chief Financial Officer', ceo.workEmail);
  const vpSales = person('Sales', 'VP Sales', ceo.workEmail, { team: TEAMS[0]!.name, territory: 'Global', role: 'VP Sales' });
  person('Finance', 'Credit Controller', cfo.workEmail);
  person('Finance', 'Accountant', cfo.workEmail);
  const opsHead = person('Operations', 'Head of Operations', ceo.workEmail);
  for (let i = 0; i < (size === 'large' ? 30 : 4); i++)
    person('Operations', rng.pick(['Warehouse Operator', 'Production Planner', 'Buyer']), opsHead.workEmail);
  const svcHead = person('Customer Service', 'Head of Customer Service', ceo.workEmail, { team: TEAMS[0]!.name, territory: 'Global', role: 'Service Manager' });
  for (let i = 0; i < (size === 'large' ? 20 : 3); i++) {
    person('Customer Service', 'Service Agent', svcHead.workEmail, {
      team: TEAMS[i % TEAMS.length]!.name,
      territory: TEAMS[i % TEAMS.length]!.territory,
      role: 'Service Agent',
    });
  }
  for (const team of TEAMS) {
    const lead = person('Sales', `Sales Manager ${team.territory}`, vpSales.workEmail, { team: team.name, territory: team.territory, role: 'Sales Manager' });
    for (let i = 0; i < repsPerTeam; i++) {
      person('Sales', 'Account Executive', lead.workEmail, { team: team.name, territory: team.territory, role: 'Account Executive' });
    }
  }
  return people;
}

// --- products --------------------------------------------------------------

const FAMILIES = [
  { name: 'Centrifugal Pump', code: 'CP', category: 'Pumps' },
  { name: 'Diaphragm Pump', code: 'DP', category: 'Pumps' },
  { name: 'Gate Valve', code: 'GV', category: 'Valves' },
  { name: 'Ball Valve', code: 'BV', category: 'Valves' },
  { name: 'Induction Motor', code: 'IM', category: 'Motors' },
  { name: 'Gearbox', code: 'GB', category: 'Drives' },
  { name: 'Air Compressor', code: 'AC', category: 'Compressors' },
  { name: 'Heat Exchanger', code: 'HX', category: 'Thermal' },
];
const SUBASSEMBLIES = [
  { name: 'Motor Assembly', code: 'MA' },
  { name: 'Pump Head', code: 'PH' },
  { name: 'Valve Actuator', code: 'VA' },
  { name: 'Control Panel', code: 'CT' },
  { name: 'Gear Train', code: 'GT' },
  { name: 'Plate Pack', code: 'PP' },
];
const COMPONENTS: { name: string; code: string; uom: WorldProduct['uom']; cost: [number, number] }[] = [
  { name: 'Impeller', code: 'IMP', uom: 'Units', cost: [18, 120] },
  { name: 'Shaft Seal', code: 'SSL', uom: 'Units', cost: [6, 40] },
  { name: 'Ball Bearing', code: 'BRG', uom: 'Units', cost: [4, 30] },
  { name: 'Cast Iron Housing', code: 'HSG', uom: 'Units', cost: [40, 220] },
  { name: 'Copper Winding', code: 'CUW', uom: 'kg', cost: [9, 14] },
  { name: 'Stainless Steel Sheet', code: 'SSS', uom: 'kg', cost: [3, 7] },
  { name: 'Power Cable', code: 'CBL', uom: 'm', cost: [1, 4] },
  { name: 'Hex Bolt M12', code: 'BLT', uom: 'Units', cost: [0.2, 0.9] },
  { name: 'O-Ring', code: 'ORG', uom: 'Units', cost: [0.1, 0.8] },
  { name: 'PLC Module', code: 'PLC', uom: 'Units', cost: [80, 300] },
  { name: 'Gear Set', code: 'GRS', uom: 'Units', cost: [25, 160] },
  { name: 'Gasket', code: 'GSK', uom: 'Units', cost: [0.5, 5] },
];

const STOCK_LOCATIONS = ['WH/Stock', 'WH2/Stock'];

function buildProducts(rng: Random, spec: SizeSpec): WorldProduct[] {
  const products: WorldProduct[] = [];
  const add = (p: Omit<WorldProduct, 'index' | 'crmProductId'>) => {
    const product: WorldProduct = { ...p, index: products.length + 1, crmProductId: null };
    products.push(product);
    return product;
  };
  const stockFor = (max: number): Record<string, number> => {
    const stock: Record<string, number> = {};
    for (const loc of STOCK_LOCATIONS) if (rng.chance(0.8)) stock[loc] = rng.int(0, max);
    return stock;
  };
  const componentVariants = spec.finishedProducts > 100 ? 6 : 2;
  const components: WorldProduct[] = [];
  for (const c of COMPONENTS) {
    for (let v = 1; v <= componentVariants; v++) {
      components.push(
        add({
          sku: `CMP-${c.code}-${String(v).padStart(2, '0')}`,
          name: `${c.name} ${String.fromCharCode(64 + v)}`,
          kind: 'component',
          category: 'Components',
          uom: c.uom,
          listPrice: 0,
          cost: rng.float(c.cost[0], c.cost[1]),
          saleOk: false,
          stock: stockFor(2000),
          bom: null,
        }),
      );
    }
  }
  const lineFrom = (p: WorldProduct) => ({
    sku: p.sku,
    quantity: p.uom === 'Units' ? rng.int(1, 8) : rng.float(0.5, 12, 1),
    uom: p.uom,
  });
  const rolledCost = (lines: { sku: string; quantity: number }[]) =>
    lines.reduce((sum, l) => sum + products.find((p) => p.sku === l.sku)!.cost * l.quantity, 0);

  const subassemblies: WorldProduct[] = [];
  for (const s of SUBASSEMBLIES) {
    for (let v = 1; v <= componentVariants; v++) {
      const lines = rng.sample(components, rng.int(2, 4)).map(lineFrom);
      const cost = Math.round(rolledCost(lines) * 1.15 * 100) / 100;
      subassemblies.push(
        add({
          sku: `SUB-${s.code}-${String(v).padStart(2, '0')}`,
          name: `${s.name} ${String.fromCharCode(64 + v)}`,
          kind: 'subassembly',
          category: 'Subassemblies',
          uom: 'Units',
          // Spare-part sales: subassemblies are sold too, and are in the price books.
          listPrice: Math.round(cost * 1.6),
          cost,
          saleOk: true,
          stock: stockFor(60),
          bom: { quantity: 1, lines },
        }),
      );
    }
  }
  for (let i = 0; i < spec.finishedProducts; i++) {
    const family = FAMILIES[i % FAMILIES.length]!;
    const model = 100 + Math.floor(i / FAMILIES.length) * 25;
    const lines = [
      ...rng.sample(subassemblies, rng.int(1, 2)).map((p) => ({ sku: p.sku, quantity: 1, uom: p.uom })),
      ...rng.sample(components, rng.int(1, 3)).map(lineFrom),
    ];
    const cost = Math.round(rolledCost(lines) * 1.2 * 100) / 100;
    add({
      sku: `${family.code}-${model}`,
      name: `${family.name} ${family.code}-${model}`,
      kind: 'finished',
      category: family.category,
      uom: 'Units',
      listPrice: Math.round(cost * rng.float(1.35, 1.9)),
      cost,
      saleOk: true,
      stock: stockFor(40),
      bom: { quantity: 1, lines },
    });
  }
  let crmN = 0;
  for (const p of products) if (p.saleOk) p.crmProductId = salesforceId('Product2', ++crmN);
  return products;
}

// --- companies ---------------------------------------------------------------

function buildCompanies(rng: Random, spec: SizeSpec, reps: WorldEmployee[]): WorldCompany[] {
  const companies: WorldCompany[] = [];
  let erpN = 0;
  let accountN = 0;
  const names = new Set<string>();
  for (let i = 1; i <= spec.companies; i++) {
    const b = rng.pick(NAME_PARTS_B);
    let name = `${rng.pick(NAME_PARTS_A)} ${b} ${rng.pick(NAME_SUFFIX)}`;
    if (names.has(name)) name = `${name.replace(/ [^ ]+$/, '')} ${i} ${rng.pick(NAME_SUFFIX)}`;
    names.add(name);
    // 84% customers known to both systems, 9% CRM-only prospects, 7% ERP-only customers.
    const kind = rng.weighted([
      ['both', 84],
      ['prospect', 9],
      ['erpOnly', 7],
    ] as const);
    const inErp = kind !== 'prospect';
    const inCrm = kind !== 'erpOnly';
    const [city, countryCode] = rng.pick(CITIES);
    const owner = rng.pick(reps);
    const segment = rng.weighted([
      ['Enterprise', 15],
      ['Mid-Market', 35],
      ['SMB', 50],
    ] as const);
    const domain = `${slug(name).split('.').slice(0, 2).join('-')}.example.net`;
    const contacts = Array.from({ length: rng.int(1, segment === 'Enterprise' ? 5 : 3) }, () => {
      const firstName = rng.pick(FIRST);
      const lastName = rng.pick(LAST);
      return {
        firstName,
        lastName,
        email: `${slug(firstName)}.${slug(lastName)}@${domain}`,
        title: rng.pick(CONTACT_TITLES),
        phone: `+${rng.int(1, 89)} ${rng.int(100, 999)} ${rng.int(1000000, 9999999)}`,
      };
    });
    companies.push({
      index: i,
      name,
      erpNumber: inErp ? `C${String(++erpN).padStart(5, '0')}` : null,
      inErp,
      inCrm,
      crmAccountId: inCrm ? salesforceId('Account', ++accountN) : null,
      conflictingCrmAccountId: null,
      vat: `${countryCode}${rng.int(100000000, 999999999)}`,
      email: `info@${domain}`,
      phone: `+${rng.int(1, 89)} ${rng.int(10, 99)} ${rng.int(100000, 999999)}`,
      street: `${rng.int(1, 240)} ${rng.pick(STREETS)}`,
      city,
      countryCode,
      industry: INDUSTRY_BY_B[b]!,
      segment,
      ownerEmail: owner.workEmail,
      creditLimit: segment === 'Enterprise' ? rng.int(20, 60) * 10000 : segment === 'Mid-Market' ? rng.int(5, 20) * 10000 : rng.int(1, 5) * 10000,
      paymentTerm: rng.pick(PAYMENT_TERMS),
      contacts,
    });
  }
  // About one in a hundred matched customers also has a duplicate CRM account
  // claiming its ERP number (typically created by a rep who did not search first).
  for (const c of companies) {
    if (c.inErp && c.inCrm && rng.chance(0.01)) c.conflictingCrmAccountId = salesforceId('Account', ++accountN);
  }
  return companies;
}

// --- opportunities, cases, orders -------------------------------------------

const OPP_STAGES: readonly (readonly [OpportunityStage, number])[] = [
  ['Prospecting', 10],
  ['Qualification', 10],
  ['Needs Analysis', 8],
  ['Proposal/Price Quote', 8],
  ['Negotiation/Review', 6],
  ['Closed Won', 40],
  ['Closed Lost', 18],
];

const CASE_SUBJECTS = [
  'Seal leaking after installation',
  'Motor overheating',
  'Delivery arrived damaged',
  'Wrong part delivered',
  'Invoice amount disputed',
  'Request for maintenance visit',
  'Noise from gearbox',
  'Missing documentation',
];

function orderNumber(index: number): string {
  return `S${String(index).padStart(5, '0')}`;
}

export function buildWorld(size: SeedSize = 'small'): World {
  const spec = SIZES[size];
  const rng = new Random(20261115);
  const employees = buildEmployees(rng, size);
  const reps = employees.filter((e) => e.crmRole === 'Account Executive' || e.crmRole === 'Sales Manager');
  const products = buildProducts(rng, spec);
  const companies = buildCompanies(rng, spec, reps);
  const sellable = products.filter((p) => p.saleOk);
  const customers = companies.filter((c) => c.inErp);

  // Opportunities: CRM accounts only. Won ones that belong to ERP customers become orders.
  const opportunities: WorldOpportunity[] = [];
  let oppN = 0;
  const wonForOrders: WorldOpportunity[] = [];
  for (const c of companies) {
    if (!c.crmAccountId) continue;
    const count = rng.int(0, c.segment === 'Enterprise' ? 6 : 3);
    for (let k = 0; k < count; k++) {
      const stage = rng.weighted(OPP_STAGES);
      const closed = stage === 'Closed Won' || stage === 'Closed Lost';
      const opp: WorldOpportunity = {
        id: salesforceId('Opportunity', ++oppN),
        accountId: c.crmAccountId,
        companyIndex: c.index,
        name: `${c.name.split(' ').slice(0, 2).join(' ')} – ${rng.pick(FAMILIES).name} ${rng.pick(['retrofit', 'expansion', 'replacement', 'new line', 'service contract'])}`,
        stage,
        amount: rng.int(2, 120) * 1000,
        probability: STAGE_PROBABILITY[stage],
        closeDate: addDays(SEED_TODAY, closed ? -rng.int(1, 540) : rng.int(5, 180)),
        ownerEmail: c.ownerEmail,
        erpOrderNumber: null,
      };
      opportunities.push(opp);
      if (stage === 'Closed Won' && c.inErp) wonForOrders.push(opp);
    }
  }

  // Orders are generated on demand. Won opportunities are assigned to the first
  // orders of their customer, so the link is fixed before any order is drawn.
  const orderSeed = 777;
  const oppByOrder = new Map<number, WorldOpportunity>();
  {
    const plan = new Random(orderSeed);
    const firstOrderOf = new Map<number, number[]>();
    for (let i = 1; i <= spec.salesOrders; i++) {
      const company = customers[Math.floor(plan.next() * customers.length)]!;
      const list = firstOrderOf.get(company.index) ?? [];
      list.push(i);
      firstOrderOf.set(company.index, list);
    }
    for (const opp of wonForOrders) {
      const list = firstOrderOf.get(opp.companyIndex);
      const orderIndex = list?.shift();
      if (orderIndex === undefined) continue;
      oppByOrder.set(orderIndex, opp);
      opp.erpOrderNumber = orderNumber(orderIndex);
    }
  }
  const companyByIndex = new Map(companies.map((c) => [c.index, c]));

  function* salesOrders(): Iterable<WorldSalesOrder> {
    const plan = new Random(orderSeed);
    const detail = new Random(orderSeed + 1);
    for (let i = 1; i <= spec.salesOrders; i++) {
      const company = customers[Math.floor(plan.next() * customers.length)]!;
      const opp = oppByOrder.get(i) ?? null;
      // Orders spread over the last two years, newest last, like a real sequence.
      const dayOffset = -Math.floor(((spec.salesOrders - i) / spec.salesOrders) * 730) - detail.int(0, 2);
      const lines = detail.sample(sellable, detail.int(1, spec.maxLinesPerOrder)).map((p) => ({
        sku: p.sku,
        quantity: detail.int(1, p.kind === 'finished' ? 6 : 20),
        priceUnit: p.listPrice,
        discount: detail.chance(0.25) ? detail.pick([5, 10, 15]) : 0,
      }));
      const state = detail.weighted([
        ['sale', 80],
        ['draft', 8],
        ['sent', 7],
        ['cancel', 5],
      ] as const);
      yield {
        index: i,
        number: orderNumber(i),
        companyIndex: company.index,
        dateOrder: `${addDays(SEED_TODAY, dayOffset)} ${String(detail.int(7, 18)).padStart(2, '0')}:${String(detail.int(0, 59)).padStart(2, '0')}:00`,
        state: opp ? 'sale' : state,
        salespersonEmail: companyByIndex.get(company.index)!.ownerEmail,
        clientOrderRef: opp?.id ?? null,
        lines,
      };
    }
  }

  const cases: WorldCase[] = [];
  let caseN = 0;
  const agents = employees.filter((e) => e.crmRole === 'Service Agent' || e.crmRole === 'Service Manager');
  for (const c of companies) {
    if (!c.crmAccountId || !c.inErp || !rng.chance(0.35)) continue;
    for (let k = rng.int(1, 3); k > 0; k--) {
      cases.push({
        id: salesforceId('Case', ++caseN),
        accountId: c.crmAccountId,
        companyIndex: c.index,
        subject: rng.pick(CASE_SUBJECTS),
        status: rng.weighted([
          ['New', 20],
          ['Working', 25],
          ['Escalated', 5],
          ['Closed', 50],
        ] as const),
        priority: rng.weighted([
          ['Low', 30],
          ['Medium', 50],
          ['High', 20],
        ] as const),
        origin: rng.pick(['Phone', 'Email', 'Web'] as const),
        productSku: rng.chance(0.7) ? rng.pick(sellable).sku : null,
        erpOrderNumber: null,
        createdDate: addDays(SEED_TODAY, -rng.int(0, 300)),
        ownerEmail: rng.pick(agents).workEmail,
      });
    }
  }

  return {
    size,
    today: SEED_TODAY,
    companies,
    employees,
    products,
    opportunities,
    cases,
    salesOrders,
    stockLocations: STOCK_LOCATIONS,
    salesTeams: TEAMS.map(({ name, invoicedTarget }) => ({ name, invoicedTarget: size === 'large' ? invoicedTarget * 8 : invoicedTarget })),
  };
}
