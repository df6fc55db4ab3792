/**
 * The emulated org's schema: which sObjects exist, their fields, types,
 * relationships and picklists. Everything else is driven from here — the SQLite
 * tables, SOQL compilation, write validation and the describe endpoints — so a
 * field added here is immediately queryable, writable and described.
 *
 * Field and relationship names are the real Salesforce API names. Custom fields
 * end in `__c`. `ERP_Customer_Number__c` is an external id but, as in many real
 * orgs, it is not marked unique: duplicate CRM accounts claiming the same ERP
 * number exist in the seed on purpose, and upserting by it answers HTTP 300.
 */
import { KEY_PREFIX, type SObjectName } from '../seed/salesforceId.js';
import { STAGE_PROBABILITY, type OpportunityStage } from '../seed/world.js';

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'email'
  | 'phone'
  | 'url'
  | 'boolean'
  | 'double'
  | 'currency'
  | 'percent'
  | 'int'
  | 'date'
  | 'datetime'
  | 'reference';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Maximum length for text types, 0 for the others. */
  length: number;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  /** Must be supplied on create (no default is applied). */
  required: boolean;
  /** Applied on create when the field is absent. */
  defaultValue: string | number | boolean | null;
  /** OwnerId-style fields default to the calling user. */
  defaultsToCurrentUser: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  /** The name of the child relationship on each referenced object (e.g. `Contacts` for Contact.AccountId). */
  childRelationshipName: string | null;
  cascadeDelete: boolean;
  externalId: boolean;
  unique: boolean;
  idLookup: boolean;
  picklistValues: string[];
  restrictedPicklist: boolean;
  calculated: boolean;
  autoNumber: boolean;
  nameField: boolean;
  custom: boolean;
}

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
}

export interface ObjectDef {
  name: SObjectName;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  fields: FieldDef[];
  nameField: FieldDef;
  deletable: boolean;
  childRelationships: ChildRelationship[];
  /** Case-insensitive lookups, as SOQL and the REST API are case-insensitive. */
  field(name: string): FieldDef | undefined;
  relationship(name: string): FieldDef | undefined;
  childRelationship(name: string): ChildRelationship | undefined;
}

// --- field builders -----------------------------------------------------------

type Access = 'rw' | 'create' | 'read';

interface FieldOptions {
  label?: string;
  length?: number;
  access?: Access;
  required?: boolean;
  nillable?: boolean;
  defaultValue?: string | number | boolean | null;
  defaultsToCurrentUser?: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  childRelationshipName?: string;
  cascadeDelete?: boolean;
  externalId?: boolean;
  unique?: boolean;
  idLookup?: boolean;
  values?: readonly string[];
  restricted?: boolean;
  calculated?: boolean;
  autoNumber?: boolean;
  nameField?: boolean;
}

const TEXT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 32000,
  picklist: 255,
  email: 80,
  phone: 40,
  url: 255,
};

function labelFor(name: string, type: FieldType): string {
  const base = name
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/Id$/, type === 'reference' ? ' ID' : 'Id')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
  return base;
}

function field(name: string, type: FieldType, o: FieldOptions = {}): FieldDef {
  const access: Access = o.calculated || o.autoNumber ? 'read' : (o.access ?? 'rw');
  const required = o.required ?? false;
  return {
    name,
    label: o.label ?? labelFor(name, type),
    type,
    length: o.length ?? TEXT_LENGTH[type] ?? 0,
    createable: access !== 'read',
    updateable: access === 'rw',
    nillable: o.nillable ?? (!required && type !== 'boolean' && type !== 'id'),
    required,
    defaultValue: o.defaultValue ?? (type === 'boolean' ? false : null),
    defaultsToCurrentUser: o.defaultsToCurrentUser ?? false,
    referenceTo: o.referenceTo ?? [],
    relationshipName: o.relationshipName ?? null,
    childRelationshipName: o.childRelationshipName ?? null,
    cascadeDelete: o.cascadeDelete ?? false,
    externalId: o.externalId ?? false,
    unique: o.unique ?? false,
    idLookup: o.idLookup ?? (type === 'id' || o.externalId === true),
    picklistValues: [...(o.values ?? [])],
    restrictedPicklist: o.restricted ?? false,
    calculated: o.calculated ?? false,
    autoNumber: o.autoNumber ?? false,
    nameField: o.nameField ?? false,
    custom: name.endsWith('__c'),
  };
}

const text = (name: string, o: FieldOptions = {}) => field(name, 'string', o);
const pick = (name: string, values: readonly string[], o: FieldOptions = {}) => field(name, 'picklist', { ...o, values });
const ref = (name: string, to: string | string[], relationshipName: string, o: FieldOptions = {}) =>
  field(name, 'reference', { ...o, referenceTo: Array.isArray(to) ? to : [to], relationshipName });
const owner = () => ref('OwnerId', 'User', 'Owner', { label: 'Owner ID', nillable: false, defaultsToCurrentUser: true });

function systemHead(): FieldDef[] {
  return [field('Id', 'id', { access: 'read', label: 'Record ID' }), field('IsDeleted', 'boolean', { access: 'read', label: 'Deleted' })];
}

function systemTail(): FieldDef[] {
  return [
    field('CreatedDate', 'datetime', { access: 'read', label: 'Created Date', nillable: false }),
    ref('CreatedById', 'User', 'CreatedBy', { access: 'read', label: 'Created By ID', nillable: false }),
    field('LastModifiedDate', 'datetime', { access: 'read', label: 'Last Modified Date', nillable: false }),
    ref('LastModifiedById', 'User', 'LastModifiedBy', { access: 'read', label: 'Last Modified By ID', nillable: false }),
    field('SystemModstamp', 'datetime', { access: 'read', label: 'System Modstamp', nillable: false }),
  ];
}

// --- picklists ----------------------------------------------------------------

export interface StageInfo {
  value: OpportunityStage;
  probability: number;
  closed: boolean;
  won: boolean;
  forecastCategory: string;
}

/** Opportunity stages and what each implies, as the org's OpportunityStage setup would define them. */
export const OPPORTUNITY_STAGES: readonly StageInfo[] = (Object.keys(STAGE_PROBABILITY) as OpportunityStage[]).map((value) => {
  const probability = STAGE_PROBABILITY[value];
  const closed = value === 'Closed Won' || value === 'Closed Lost';
  const won = value === 'Closed Won';
  const forecastCategory = won ? 'Closed' : closed ? 'Omitted' : probability >= 80 ? 'Commit' : probability >= 60 ? 'Best Case' : 'Pipeline';
  return { value, probability, closed, won, forecastCategory };
});

export const CASE_CLOSED_STATUSES: readonly string[] = ['Closed'];
export const TASK_CLOSED_STATUSES: readonly string[] = ['Completed'];

const INDUSTRIES = [
  'Aerospace',
  'Agriculture',
  'Apparel',
  'Automotive',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Mining',
  'Not For Profit',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
];
const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Trade Show', 'Purchased List', 'Other'];
const PRODUCT_FAMILIES = ['Pumps', 'Valves', 'Motors', 'Drives', 'Compressors', 'Thermal', 'Subassemblies', 'Components'];
const WHAT_TARGETS = ['Account', 'Opportunity', 'Case', 'Campaign', 'Quote', 'Order'];
const WHO_TARGETS = ['Contact', 'Lead'];
/** Objects this org has approval processes for (approvals.ts defines the processes). */
const APPROVAL_TARGETS = ['Quote', 'Opportunity'];

// --- objects ------------------------------------------------------------------

interface ObjectSpec {
  name: SObjectName;
  label: string;
  labelPlural: string;
  fields: FieldDef[];
  hasOwner?: boolean;
  deletable?: boolean;
}

const SPECS: ObjectSpec[] = [
  {
    name: 'User',
    label: 'User',
    labelPlural: 'Users',
    deletable: false,
    fields: [
      text('Username', { length: 80, required: true, unique: true, idLookup: true }),
      text('LastName', { length: 80, required: true }),
      text('FirstName', { length: 40 }),
      text('Name', { length: 121, calculated: true, nameField: true, label: 'Full Name' }),
      text('Alias', { length: 8 }),
      field('Email', 'email', { required: true }),
      field('IsActive', 'boolean', { defaultValue: true, label: 'Active' }),
      text('Title', { length: 80 }),
      text('Department', { length: 80 }),
      text('CompanyName', { length: 80 }),
      text('EmployeeNumber', { length: 20 }),
      ref('ManagerId', 'User', 'Manager'),
      text('Territory__c', { length: 80, label: 'Territory' }),
      text('Sales_Team__c', { length: 80, label: 'Sales Team' }),
    ],
  },
  {
    name: 'Account',
    label: 'Account',
    labelPlural: 'Accounts',
    hasOwner: true,
    fields: [
      text('Name', { required: true, nameField: true, label: 'Account Name' }),
      pick('Type', ['Prospect', 'Customer', 'Partner', 'Other'], { restricted: true, label: 'Account Type' }),
      pick('Industry', INDUSTRIES),
      pick('Segment__c', ['Enterprise', 'Mid-Market', 'SMB'], { restricted: true, label: 'Segment' }),
      text('ERP_Customer_Number__c', { length: 20, externalId: true, label: 'ERP Customer Number' }),
      text('BillingStreet', { length: 255 }),
      text('BillingCity', { length: 40 }),
      text('BillingCountry', { length: 80 }),
      field('Phone', 'phone', { label: 'Account Phone' }),
      field('Website', 'url'),
      field('Description', 'textarea', { label: 'Account Description' }),
      ref('ParentId', 'Account', 'Parent', { childRelationshipName: 'ChildAccounts', label: 'Parent Account ID' }),
    ],
  },
  {
    name: 'Contact',
    label: 'Contact',
    labelPlural: 'Contacts',
    hasOwner: true,
    fields: [
      text('FirstName', { length: 40 }),
      text('LastName', { length: 80, required: true }),
      text('Name', { length: 121, calculated: true, nameField: true, label: 'Full Name' }),
      field('Email', 'email'),
      field('Phone', 'phone', { label: 'Business Phone' }),
      text('Title', { length: 128 }),
      text('Department', { length: 80 }),
      text('MailingCity', { length: 40 }),
      text('MailingCountry', { length: 80 }),
      ref('AccountId', 'Account', 'Account', { childRelationshipName: 'Contacts', cascadeDelete: true }),
    ],
  },
  {
    name: 'Campaign',
    label: 'Campaign',
    labelPlural: 'Campaigns',
    hasOwner: true,
    fields: [
      text('Name', { length: 80, required: true, nameField: true, label: 'Campaign Name' }),
      pick('Type', ['Conference', 'Webinar', 'Trade Show', 'Email', 'Advertisement', 'Other']),
      pick('Status', ['Planned', 'In Progress', 'Completed', 'Aborted'], { restricted: true }),
      field('StartDate', 'date'),
      field('EndDate', 'date'),
      field('IsActive', 'boolean', { label: 'Active' }),
      field('BudgetedCost', 'currency'),
      field('ActualCost', 'currency'),
      field('ExpectedRevenue', 'currency'),
      field('Description', 'textarea'),
    ],
  },
  {
    name: 'Lead',
    label: 'Lead',
    labelPlural: 'Leads',
    hasOwner: true,
    fields: [
      text('FirstName', { length: 40 }),
      text('LastName', { length: 80, required: true }),
      text('Name', { length: 121, calculated: true, nameField: true, label: 'Full Name' }),
      text('Company', { required: true }),
      text('Title', { length: 128 }),
      field('Email', 'email'),
      field('Phone', 'phone'),
      pick('Status', ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'], {
        restricted: true,
        nillable: false,
        defaultValue: 'Open - Not Contacted',
        label: 'Lead Status',
      }),
      pick('LeadSource', LEAD_SOURCES),
      pick('Industry', INDUSTRIES),
      text('City', { length: 40 }),
      text('Country', { length: 80 }),
      field('IsConverted', 'boolean', { access: 'create', label: 'Converted' }),
      field('ConvertedDate', 'date', { access: 'create' }),
      ref('ConvertedAccountId', 'Account', 'ConvertedAccount', { access: 'create' }),
      ref('ConvertedContactId', 'Contact', 'ConvertedContact', { access: 'create' }),
      ref('ConvertedOpportunityId', 'Opportunity', 'ConvertedOpportunity', { access: 'create' }),
    ],
  },
  {
    name: 'Opportunity',
    label: 'Opportunity',
    labelPlural: 'Opportunities',
    hasOwner: true,
    fields: [
      text('Name', { length: 120, required: true, nameField: true, label: 'Opportunity Name' }),
      ref('AccountId', 'Account', 'Account', { childRelationshipName: 'Opportunities', cascadeDelete: true }),
      pick(
        'StageName',
        OPPORTUNITY_STAGES.map((s) => s.value),
        { required: true, restricted: true, label: 'Stage' },
      ),
      field('Amount', 'currency'),
      field('Probability', 'percent', { label: 'Probability (%)' }),
      field('ExpectedRevenue', 'currency', { calculated: true }),
      field('CloseDate', 'date', { required: true }),
      field('IsClosed', 'boolean', { calculated: true, label: 'Closed' }),
      field('IsWon', 'boolean', { calculated: true, label: 'Won' }),
      pick('ForecastCategoryName', ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'], { calculated: true, label: 'Forecast Category' }),
      pick('Type', ['New Business', 'Existing Business', 'Renewal'], { label: 'Opportunity Type' }),
      pick('LeadSource', LEAD_SOURCES),
      text('NextStep'),
      field('Description', 'textarea'),
      text('ERP_Order_Number__c', { length: 20, externalId: true, label: 'ERP Order Number' }),
      ref('CampaignId', 'Campaign', 'Campaign', { childRelationshipName: 'Opportunities' }),
      ref('Pricebook2Id', 'Pricebook2', 'Pricebook2', { label: 'Price Book ID' }),
    ],
  },
  {
    name: 'Case',
    label: 'Case',
    labelPlural: 'Cases',
    hasOwner: true,
    fields: [
      text('CaseNumber', { length: 30, autoNumber: true, nameField: true, label: 'Case Number' }),
      text('Subject'),
      field('Description', 'textarea'),
      pick('Status', ['New', 'Working', 'Escalated', 'Closed'], { restricted: true, nillable: false, defaultValue: 'New' }),
      pick('Priority', ['Low', 'Medium', 'High'], { restricted: true, defaultValue: 'Medium' }),
      pick('Origin', ['Phone', 'Email', 'Web'], { restricted: true, label: 'Case Origin' }),
      field('IsClosed', 'boolean', { calculated: true, label: 'Closed' }),
      field('ClosedDate', 'datetime', { calculated: true }),
      ref('AccountId', 'Account', 'Account', { childRelationshipName: 'Cases', cascadeDelete: true }),
      ref('ContactId', 'Contact', 'Contact', { childRelationshipName: 'Cases' }),
      text('Product_SKU__c', { length: 40, label: 'Product SKU' }),
      text('ERP_Order_Number__c', { length: 20, label: 'ERP Order Number' }),
    ],
  },
  {
    name: 'CampaignMember',
    label: 'Campaign Member',
    labelPlural: 'Campaign Members',
    fields: [
      ref('CampaignId', 'Campaign', 'Campaign', { access: 'create', required: true, childRelationshipName: 'CampaignMembers', cascadeDelete: true }),
      ref('LeadId', 'Lead', 'Lead', { access: 'create', childRelationshipName: 'CampaignMembers', cascadeDelete: true }),
      ref('ContactId', 'Contact', 'Contact', { access: 'create', childRelationshipName: 'CampaignMembers', cascadeDelete: true }),
      pick('Status', ['Planned', 'Sent', 'Received', 'Responded'], { defaultValue: 'Sent' }),
      field('HasResponded', 'boolean', { calculated: true, label: 'Responded' }),
      text('Name', { length: 121, calculated: true, nameField: true }),
      field('Email', 'email', { calculated: true }),
    ],
  },
  {
    name: 'Product2',
    label: 'Product',
    labelPlural: 'Products',
    fields: [
      text('Name', { required: true, nameField: true, label: 'Product Name' }),
      text('ProductCode'),
      pick('Family', PRODUCT_FAMILIES, { label: 'Product Family' }),
      field('Description', 'textarea', { label: 'Product Description' }),
      field('IsActive', 'boolean', { label: 'Active' }),
      pick('QuantityUnitOfMeasure', ['Each', 'kg', 'm'], { label: 'Quantity Unit Of Measure' }),
    ],
  },
  {
    name: 'Pricebook2',
    label: 'Price Book',
    labelPlural: 'Price Books',
    fields: [
      text('Name', { required: true, nameField: true, label: 'Price Book Name' }),
      field('IsActive', 'boolean', { label: 'Active' }),
      field('IsStandard', 'boolean', { access: 'read', label: 'Is Standard Price Book' }),
      field('Description', 'textarea'),
      // Customer-specific pricing: the book quotes for accounts of this segment use (see seed.ts).
      pick('Segment__c', ['Enterprise', 'Mid-Market', 'SMB'], { restricted: true, label: 'Segment' }),
    ],
  },
  {
    name: 'PricebookEntry',
    label: 'Price Book Entry',
    labelPlural: 'Price Book Entries',
    fields: [
      text('Name', { calculated: true, nameField: true, label: 'Product Name' }),
      ref('Pricebook2Id', 'Pricebook2', 'Pricebook2', {
        access: 'create',
        required: true,
        childRelationshipName: 'PricebookEntries',
        cascadeDelete: true,
        label: 'Price Book ID',
      }),
      ref('Product2Id', 'Product2', 'Product2', {
        access: 'create',
        required: true,
        childRelationshipName: 'PricebookEntries',
        cascadeDelete: true,
        label: 'Product ID',
      }),
      field('UnitPrice', 'currency', { required: true, label: 'List Price' }),
      field('IsActive', 'boolean', { label: 'Active' }),
      field('UseStandardPrice', 'boolean'),
      text('ProductCode', { calculated: true }),
    ],
  },
  {
    name: 'Quote',
    label: 'Quote',
    labelPlural: 'Quotes',
    fields: [
      text('Name', { required: true, nameField: true, label: 'Quote Name' }),
      text('QuoteNumber', { length: 30, autoNumber: true }),
      ref('OpportunityId', 'Opportunity', 'Opportunity', { access: 'create', required: true, childRelationshipName: 'Quotes', cascadeDelete: true }),
      ref('AccountId', 'Account', 'Account', { calculated: true, childRelationshipName: 'Quotes' }),
      ref('ContactId', 'Contact', 'Contact'),
      pick('Status', ['Draft', 'Needs Review', 'In Review', 'Approved', 'Rejected', 'Presented', 'Accepted', 'Denied'], {
        restricted: true,
        defaultValue: 'Draft',
      }),
      field('ExpirationDate', 'date'),
      ref('Pricebook2Id', 'Pricebook2', 'Pricebook2', { label: 'Price Book ID' }),
      field('Subtotal', 'currency', { calculated: true }),
      field('TotalPrice', 'currency', { calculated: true, label: 'Total Price' }),
      field('Discount', 'percent', { calculated: true }),
      field('GrandTotal', 'currency', { calculated: true }),
      field('LineItemCount', 'int', { calculated: true }),
      field('Description', 'textarea'),
      text('ERP_Order_Number__c', { length: 20, externalId: true, label: 'ERP Order Number' }),
    ],
  },
  {
    name: 'QuoteLineItem',
    label: 'Quote Line Item',
    labelPlural: 'Quote Line Items',
    fields: [
      text('LineNumber', { length: 30, autoNumber: true, nameField: true, label: 'Line Item Number' }),
      ref('QuoteId', 'Quote', 'Quote', { access: 'create', required: true, childRelationshipName: 'QuoteLineItems', cascadeDelete: true }),
      ref('PricebookEntryId', 'PricebookEntry', 'PricebookEntry', { access: 'create', required: true, label: 'Price Book Entry ID' }),
      ref('Product2Id', 'Product2', 'Product2', { calculated: true, label: 'Product ID' }),
      field('Quantity', 'double', { required: true }),
      field('UnitPrice', 'currency', { required: true, label: 'Sales Price' }),
      field('ListPrice', 'currency', { calculated: true }),
      field('Discount', 'percent'),
      field('Subtotal', 'currency', { calculated: true }),
      field('TotalPrice', 'currency', { calculated: true, label: 'Total Price' }),
      field('Description', 'textarea', { label: 'Line Item Description' }),
    ],
  },
  {
    name: 'OpportunityLineItem',
    label: 'Opportunity Product',
    labelPlural: 'Opportunity Product',
    fields: [
      text('Name', { calculated: true, nameField: true, label: 'Opportunity Product Name' }),
      ref('OpportunityId', 'Opportunity', 'Opportunity', {
        access: 'create',
        required: true,
        childRelationshipName: 'OpportunityLineItems',
        cascadeDelete: true,
      }),
      ref('PricebookEntryId', 'PricebookEntry', 'PricebookEntry', { access: 'create', required: true, label: 'Price Book Entry ID' }),
      ref('Product2Id', 'Product2', 'Product2', { calculated: true, label: 'Product ID' }),
      text('ProductCode', { calculated: true }),
      field('Quantity', 'double', { required: true }),
      field('UnitPrice', 'currency', { required: true, label: 'Sales Price' }),
      field('ListPrice', 'currency', { calculated: true }),
      field('Discount', 'percent'),
      field('TotalPrice', 'currency', { calculated: true, label: 'Total Price' }),
    ],
  },
  {
    name: 'Order',
    label: 'Order',
    labelPlural: 'Orders',
    hasOwner: true,
    fields: [
      text('OrderNumber', { length: 30, autoNumber: true, nameField: true, label: 'Order Number' }),
      ref('AccountId', 'Account', 'Account', { required: true, childRelationshipName: 'Orders', cascadeDelete: true }),
      ref('OpportunityId', 'Opportunity', 'Opportunity', { childRelationshipName: 'Orders' }),
      ref('QuoteId', 'Quote', 'Quote', { childRelationshipName: 'Orders' }),
      pick('Status', ['Draft', 'Activated'], { restricted: true, nillable: false, defaultValue: 'Draft' }),
      field('EffectiveDate', 'date', { required: true, label: 'Order Start Date' }),
      ref('Pricebook2Id', 'Pricebook2', 'Pricebook2', { label: 'Price Book ID' }),
      field('TotalAmount', 'currency', { calculated: true, label: 'Order Amount' }),
      field('Description', 'textarea'),
      text('ERP_Order_Number__c', { length: 20, externalId: true, label: 'ERP Order Number' }),
    ],
  },
  {
    name: 'Task',
    label: 'Task',
    labelPlural: 'Tasks',
    hasOwner: true,
    fields: [
      text('Subject', { nameField: true }),
      ref('WhatId', WHAT_TARGETS, 'What', { childRelationshipName: 'Tasks', cascadeDelete: true, label: 'Related To ID' }),
      ref('WhoId', WHO_TARGETS, 'Who', { childRelationshipName: 'Tasks', cascadeDelete: true, label: 'Name ID' }),
      ref('AccountId', 'Account', 'Account', { calculated: true }),
      field('ActivityDate', 'date', { label: 'Due Date Only' }),
      pick('Status', ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], {
        restricted: true,
        nillable: false,
        defaultValue: 'Not Started',
      }),
      pick('Priority', ['High', 'Normal', 'Low'], { restricted: true, nillable: false, defaultValue: 'Normal' }),
      field('IsClosed', 'boolean', { calculated: true, label: 'Closed' }),
      pick('TaskSubtype', ['Task', 'Call', 'Email'], { defaultValue: 'Task' }),
      field('Description', 'textarea', { label: 'Comments' }),
    ],
  },
  {
    name: 'Event',
    label: 'Event',
    labelPlural: 'Events',
    hasOwner: true,
    fields: [
      text('Subject', { nameField: true }),
      ref('WhatId', WHAT_TARGETS, 'What', { childRelationshipName: 'Events', cascadeDelete: true, label: 'Related To ID' }),
      ref('WhoId', WHO_TARGETS, 'Who', { childRelationshipName: 'Events', cascadeDelete: true, label: 'Name ID' }),
      ref('AccountId', 'Account', 'Account', { calculated: true }),
      field('StartDateTime', 'datetime', { required: true, label: 'Start Date Time' }),
      field('EndDateTime', 'datetime', { label: 'End Date Time' }),
      field('DurationInMinutes', 'int', { label: 'Duration' }),
      field('ActivityDateTime', 'datetime', { calculated: true, label: 'Due Date Time' }),
      field('ActivityDate', 'date', { calculated: true, label: 'Due Date Only' }),
      field('IsAllDayEvent', 'boolean', { label: 'All-Day Event' }),
      text('Location'),
      field('Description', 'textarea'),
    ],
  },
  // Approval processes (see approvals.ts). The platform makes these read-only to the
  // API: they change only through the process/approvals resource.
  {
    name: 'ProcessInstance',
    label: 'Approval Process Instance',
    labelPlural: 'Approval Process Instances',
    deletable: false,
    fields: [
      ref('TargetObjectId', APPROVAL_TARGETS, 'TargetObject', {
        access: 'read',
        childRelationshipName: 'ProcessInstances',
        cascadeDelete: true,
        nameField: true,
        label: 'Target Object ID',
      }),
      pick('Status', ['Approved', 'Rejected', 'Removed', 'Fault', 'Pending', 'Held', 'Reassigned', 'Started', 'NoResponse'], {
        access: 'read',
        restricted: true,
        nillable: false,
      }),
      ref('SubmittedById', 'User', 'SubmittedBy', { access: 'read' }),
      ref('LastActorId', 'User', 'LastActor', { access: 'read' }),
      field('CompletedDate', 'datetime', { access: 'read' }),
    ],
  },
  {
    name: 'ProcessInstanceWorkitem',
    label: 'Approval Request',
    labelPlural: 'Approval Requests',
    deletable: false,
    fields: [
      ref('ProcessInstanceId', 'ProcessInstance', 'ProcessInstance', {
        access: 'read',
        childRelationshipName: 'Workitems',
        cascadeDelete: true,
        nameField: true,
      }),
      ref('ActorId', 'User', 'Actor', { access: 'read', label: 'Actor ID' }),
      ref('OriginalActorId', 'User', 'OriginalActor', { access: 'read', label: 'Original Actor ID' }),
    ],
  },
  {
    name: 'ProcessInstanceStep',
    label: 'Approval History Step',
    labelPlural: 'Approval History Steps',
    deletable: false,
    fields: [
      ref('ProcessInstanceId', 'ProcessInstance', 'ProcessInstance', { access: 'read', childRelationshipName: 'Steps', cascadeDelete: true, nameField: true }),
      pick('StepStatus', ['Approved', 'Rejected', 'Removed', 'Fault', 'Pending', 'Held', 'Reassigned', 'Started', 'NoResponse'], {
        access: 'read',
        restricted: true,
      }),
      ref('ActorId', 'User', 'Actor', { access: 'read', label: 'Actor ID' }),
      ref('OriginalActorId', 'User', 'OriginalActor', { access: 'read', label: 'Original Actor ID' }),
      field('Comments', 'textarea', { access: 'read' }),
    ],
  },
];

function buildObject(spec: ObjectSpec): ObjectDef {
  const fields = [...systemHead(), ...spec.fields, ...(spec.hasOwner ? [owner()] : []), ...systemTail()];
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const byRelationship = new Map(fields.filter((f) => f.relationshipName).map((f) => [f.relationshipName!.toLowerCase(), f]));
  const nameField = fields.find((f) => f.nameField);
  if (!nameField) throw new Error(`The sObject ${spec.name} has no name field; mark one field with nameField.`);
  const object: ObjectDef = {
    name: spec.name,
    label: spec.label,
    labelPlural: spec.labelPlural,
    keyPrefix: KEY_PREFIX[spec.name],
    fields,
    nameField,
    deletable: spec.deletable ?? true,
    childRelationships: [],
    field: (name) => byName.get(name.toLowerCase()),
    relationship: (name) => byRelationship.get(name.toLowerCase()),
    childRelationship: (name) => object.childRelationships.find((c) => c.relationshipName?.toLowerCase() === name.toLowerCase()),
  };
  return object;
}

export class Registry {
  readonly objects: ObjectDef[];
  private byName: Map<string, ObjectDef>;
  private byPrefix: Map<string, ObjectDef>;

  constructor(specs: ObjectSpec[] = SPECS) {
    this.objects = specs.map(buildObject);
    this.byName = new Map(this.objects.map((o) => [o.name.toLowerCase(), o]));
    this.byPrefix = new Map(this.objects.map((o) => [o.keyPrefix, o]));
    // Child relationships are the reverse of every reference field, as describe reports them.
    for (const child of this.objects) {
      for (const f of child.fields) {
        for (const target of f.referenceTo) {
          this.byName.get(target.toLowerCase())?.childRelationships.push({
            childSObject: child.name,
            field: f.name,
            relationshipName: f.childRelationshipName,
            cascadeDelete: f.cascadeDelete,
          });
        }
      }
    }
  }

  object(name: string): ObjectDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  objectForId(id: string): ObjectDef | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }
}

export const registry = new Registry();

export function isTextType(type: FieldType): boolean {
  return type === 'string' || type === 'textarea' || type === 'picklist' || type === 'email' || type === 'phone' || type === 'url';
}

export function isNumericType(type: FieldType): boolean {
  return type === 'double' || type === 'currency' || type === 'percent' || type === 'int';
}

export function isIdType(type: FieldType): boolean {
  return type === 'id' || type === 'reference';
}
