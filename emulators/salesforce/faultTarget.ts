/**
 * Names a Salesforce REST request the way the native-call counter does
 * (`Account.query`, `Opportunity.composite_read`, `Account.update`, ...), before
 * it is served, so injected faults can match by object and operation. Only
 * asked while fault rules are set: a query is parsed here as well as where it is served.
 */
import { registry } from './metadata.js';
import type { FaultTarget } from '../common/faults.js';
import { queriedObject } from '../../lib/observability/salesforceLabels.js';
import { parseSoql } from './soql.js';
import type { Query } from 'soql-parser-js';

export function salesforceFaultTarget(
  method: string,
  segments: readonly string[],
  url: URL,
  bulkJobObject: (jobId: string) => string | undefined = () => undefined,
): FaultTarget {
  const [a, b, c] = segments;
  const n = segments.length;
  const object = (name: string | undefined) => (name === undefined ? undefined : (registry.object(name)?.name ?? name));
  if (n === 0) return { model: 'resources', method: 'list' };
  if (a === 'limits') return { model: 'limits', method: 'read' };
  if (a === 'query' || a === 'queryAll') {
    if (n === 2) return { method: 'queryMore' };
    return { ...queriedObjects(url.searchParams.get('q') ?? '', object), method: 'query' };
  }
  if (a === 'jobs' && b === 'query') {
    // Bulk API 2.0 query jobs: a new job's sObject is in its body, so only its operation is known here.
    if (n === 2) return method === 'POST' ? { method: 'bulkQuery' } : { model: 'jobs', method: 'list' };
    const op =
      segments[3] === 'results'
        ? 'bulkQueryResults'
        : (({ GET: 'bulkQueryStatus', PATCH: 'bulkQueryAbort', DELETE: 'bulkQueryDelete' } as Record<string, string>)[method] ?? method.toLowerCase());
    return { model: bulkJobObject(c!), method: op };
  }
  if (a === 'sobjects') {
    if (n === 1) return { model: 'global', method: 'describe' };
    if (n === 2) return { model: object(b), method: method === 'POST' ? 'create' : 'describe' };
    if (c === 'describe' || c === 'updated' || c === 'deleted') return { model: object(b), method: c };
    const op = ({ GET: 'retrieve', PATCH: n === 4 ? 'upsert' : 'update', DELETE: 'delete' } as Record<string, string>)[method];
    return { model: object(b), method: op ?? method.toLowerCase() };
  }
  if (a === 'composite' && b === 'sobjects') {
    if (n === 3) return { model: object(c), method: method === 'PATCH' ? 'upsert' : 'composite_read' };
    return { method: ({ POST: 'create', PATCH: 'update', DELETE: 'delete' } as Record<string, string>)[method] ?? method.toLowerCase() };
  }
  return { model: a, method: method.toLowerCase() };
}

/** The object a SOQL query reads (its outer FROM) and those its relationship subqueries read. */
function queriedObjects(soql: string, object: (name: string | undefined) => string | undefined): { model?: string; reads?: string[] } {
  let query: Query;
  try {
    query = parseSoql(soql);
  } catch {
    // Answered MALFORMED_QUERY; a rule may still fault it by the object its FROM names.
    return { model: object(queriedObject(soql)) };
  }
  const model = object(query.sObject);
  const parent = model === undefined ? undefined : registry.object(model);
  const reads = (query.fields ?? [])
    .map((field) => (field.type === 'FieldSubquery' ? parent?.childRelationship(field.subquery.relationshipName)?.childSObject : undefined))
    .filter((name): name is string => name !== undefined);
  return reads.length > 0 ? { model, reads } : { model };
}
