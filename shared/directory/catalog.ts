/**
 * Compatibility: spaces live in `spaces.ts`, the group catalogue in `group-catalog.ts`; these
 * names stay for their callers.
 */
export { createGroup, listGroups, requireGroups } from './group-catalog';
export { createSpace, deleteSpace, listSpaces, requireSpace, updateSpace } from './spaces';
