import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { orNull, rootId } from './shared.js';

export const Query: QueryResolvers = {
  account: (_root, args, context) => {
    const id = rootId('Account', args.id, 'id');
    return id ? orNull(context.loaders.accountById.load(id)) : null;
  },
  opportunity: (_root, args, context) => {
    const id = rootId('Opportunity', args.id, 'id');
    return id ? orNull(context.loaders.opportunityById.load(id)) : null;
  },
  user: (_root, args, context) => {
    const id = rootId('User', args.id, 'id');
    return id ? orNull(context.loaders.userById.load(id)) : null;
  },
};
