/**
 * Describe results built from the metadata registry, in the shape of the REST
 * API's `sobjects` and `sobjects/{SObject}/describe` resources (the subset of
 * keys that clients such as jsforce and code generators read).
 */
import { isTextType, type FieldDef, type ObjectDef, type Registry } from './metadata.js';

const SOAP_TYPE: Record<FieldDef['type'], string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  picklist: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  boolean: 'xsd:boolean',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

function urls(version: string, o: ObjectDef) {
  const base = `/services/data/v${version}/sobjects/${o.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function summary(version: string, o: ObjectDef) {
  return {
    name: o.name,
    label: o.label,
    labelPlural: o.labelPlural,
    keyPrefix: o.keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: o.deletable,
    queryable: true,
    retrieveable: true,
    searchable: true,
    layoutable: true,
    triggerable: true,
    undeletable: o.deletable,
    mergeable: ['Account', 'Contact', 'Lead', 'Case'].includes(o.name),
    replicateable: true,
    urls: urls(version, o),
  };
}

function describeField(f: FieldDef) {
  const numeric = f.type === 'double' || f.type === 'currency' || f.type === 'percent';
  return {
    name: f.name,
    label: f.label,
    type: f.type,
    soapType: SOAP_TYPE[f.type],
    length: f.length,
    byteLength: isTextType(f.type) || f.type === 'id' || f.type === 'reference' ? f.length * 3 : 0,
    precision: numeric ? (f.type === 'percent' ? 3 : 18) : 0,
    scale: numeric ? (f.type === 'percent' ? 0 : 2) : 0,
    digits: f.type === 'int' ? 9 : 0,
    custom: f.custom,
    calculated: f.calculated,
    autoNumber: f.autoNumber,
    createable: f.createable,
    updateable: f.updateable,
    nillable: f.nillable,
    defaultedOnCreate: f.defaultValue !== null || f.defaultsToCurrentUser || f.autoNumber || !f.createable,
    defaultValue: f.type === 'boolean' || f.type === 'picklist' ? null : f.defaultValue,
    defaultValueFormula: null,
    externalId: f.externalId,
    unique: f.unique,
    idLookup: f.idLookup,
    nameField: f.nameField,
    caseSensitive: false,
    filterable: f.type !== 'textarea',
    sortable: f.type !== 'textarea',
    groupable: f.type !== 'textarea' && f.type !== 'double' && f.type !== 'currency' && f.type !== 'percent' && f.type !== 'datetime',
    aggregatable: f.type !== 'textarea',
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    relationshipOrder: null,
    cascadeDelete: f.cascadeDelete,
    polymorphicForeignKey: f.referenceTo.length > 1,
    restrictedPicklist: f.restrictedPicklist,
    picklistValues: f.picklistValues.map((value) => ({
      active: true,
      defaultValue: value === f.defaultValue,
      label: value,
      validFor: null,
      value,
    })),
    dependentPicklist: false,
    controllerName: null,
    htmlFormatted: false,
    permissionable: f.nillable && !f.calculated,
  };
}

export function describeGlobal(registry: Registry, version: string) {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: registry.objects.map((o) => summary(version, o)) };
}

export function describeBasic(o: ObjectDef, version: string) {
  return { objectDescribe: summary(version, o), recentItems: [] };
}

export function describeObject(o: ObjectDef, version: string) {
  return {
    ...summary(version, o),
    activateable: false,
    compactLayoutable: true,
    feedEnabled: false,
    fields: o.fields.map(describeField),
    childRelationships: o.childRelationships.map((c) => ({
      childSObject: c.childSObject,
      field: c.field,
      relationshipName: c.relationshipName,
      cascadeDelete: c.cascadeDelete,
      restrictedDelete: false,
      deprecatedAndHidden: false,
      junctionIdListNames: [],
      junctionReferenceTo: [],
    })),
    recordTypeInfos: [],
    supportedScopes: [
      { label: 'All', name: 'everything' },
      { label: 'My', name: 'mine' },
    ],
    urls: { ...urls(version, o), compactLayouts: `/services/data/v${version}/sobjects/${o.name}/describe/compactLayouts` },
  };
}
