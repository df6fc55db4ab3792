/**
 * Look-ahead for resolvers that load what their children need in one go: the
 * names of the fields a query selects below the field being resolved, on an
 * object of one type, directly or along a path of nested fields.
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getDirectiveValues,
  isAbstractType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/** One step down a selection: the field `field` selected on an object of type `type`. */
export interface SelectionStep {
  type: string;
  field: string;
}

/**
 * Follows inline fragments and fragment spreads that apply to `typeName` (by
 * name, or through an interface or union it belongs to, as `_entities`' `_Entity`
 * does), and leaves out what `@skip` or `@include` turns off.
 */
export function selectedFieldNames(info: GraphQLResolveInfo, typeName: string): ReadonlySet<string> {
  return selectedBelow(info, [], typeName);
}

/**
 * The names selected on `typeName` at the end of `path`: with path
 * `[{ type: 'BillOfMaterials', field: 'components' }]` and type `BomComponent`,
 * what `billOfMaterials { components { … } }` asks of each component. Empty
 * when the query does not select the path.
 */
export function selectedBelow(info: GraphQLResolveInfo, path: readonly SelectionStep[], typeName: string): ReadonlySet<string> {
  // Every entity of an `_entities` call (every item of a list) asks the same question, with the same field
  // nodes: it is answered once. graphql-js builds those nodes per execution; the variables are compared too,
  // so an executor that kept them across requests would still get the answer for each request's own variables.
  let known = answers.get(info.fieldNodes);
  if (known?.variables !== info.variableValues) answers.set(info.fieldNodes, (known = { variables: info.variableValues, byPath: new Map() }));
  const key = [...path.map((step) => `${step.type}.${step.field}`), typeName].join(' ');
  let names = known.byPath.get(key);
  if (!names) {
    let nodes: readonly FieldNode[] = info.fieldNodes;
    for (const step of path) nodes = collect(info, nodes, step.type).get(step.field) ?? [];
    known.byPath.set(key, (names = new Set(collect(info, nodes, typeName).keys())));
  }
  return names;
}

const answers = new WeakMap<GraphQLResolveInfo['fieldNodes'], { variables: GraphQLResolveInfo['variableValues']; byPath: Map<string, ReadonlySet<string>> }>();

/** The fields selected on `typeName` under `parents`, each with every node that selects it. */
function collect(info: GraphQLResolveInfo, parents: readonly FieldNode[], typeName: string): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const object = info.schema.getType(typeName);
  const applies = (condition: string | undefined) => {
    if (condition === undefined || condition === typeName) return true;
    const type = info.schema.getType(condition);
    return !!type && isAbstractType(type) && isObjectType(object) && info.schema.isSubType(type, object);
  };
  const included = (node: Parameters<typeof getDirectiveValues>[1]) =>
    getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;
  const visit = (set: SelectionSetNode, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const nodes = fields.get(selection.name.value);
        if (nodes) nodes.push(selection);
        else fields.set(selection.name.value, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value)) visit(selection.selectionSet, seen);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment && applies(fragment.typeCondition.name.value)) visit(fragment.selectionSet, seen);
      }
    }
  };
  for (const node of parents) if (node.selectionSet) visit(node.selectionSet, new Set());
  return fields;
}
