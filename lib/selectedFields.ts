/**
 * Look-ahead for resolvers that load what their children need in one go: the
 * names of the fields a query selects, directly below the field being
 * resolved, on an object of one type.
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getDirectiveValues,
  isAbstractType,
  isObjectType,
  Kind,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/**
 * Follows inline fragments and fragment spreads that apply to `typeName` (by
 * name, or through an interface or union it belongs to, as `_entities`' `_Entity`
 * does), and leaves out what `@skip` or `@include` turns off.
 */
export function selectedFieldNames(info: GraphQLResolveInfo, typeName: string): ReadonlySet<string> {
  // Every entity of an `_entities` call asks the same question, with the same field nodes: it is answered
  // once. graphql-js builds those nodes per execution; the variables are compared too, so an executor
  // that kept them across requests would still get the answer for each request's own variables.
  let known = answers.get(info.fieldNodes);
  if (known?.variables !== info.variableValues) answers.set(info.fieldNodes, (known = { variables: info.variableValues, byType: new Map() }));
  let names = known.byType.get(typeName);
  if (!names) known.byType.set(typeName, (names = collect(info, typeName)));
  return names;
}

const answers = new WeakMap<GraphQLResolveInfo['fieldNodes'], { variables: GraphQLResolveInfo['variableValues']; byType: Map<string, ReadonlySet<string>> }>();

function collect(info: GraphQLResolveInfo, typeName: string): Set<string> {
  const names = new Set<string>();
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
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value)) visit(selection.selectionSet, seen);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment && applies(fragment.typeCondition.name.value)) visit(fragment.selectionSet, seen);
      }
    }
  };
  for (const node of info.fieldNodes) if (node.selectionSet) visit(node.selectionSet, new Set());
  return names;
}
