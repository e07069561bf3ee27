/**
 * Compatibility: each entity module under `entities/` owns its schema now; these names stay for
 * the callers outside the directory.
 */
export { DEFAULT_EXTERNAL_USER_POLICY, ExternalUserPolicy, SiteItem } from './entities/site';
export { PersonItem } from './entities/person';
export { InvitationItem } from './entities/invitation';
export { LinkItem } from './entities/link';
export { SpaceItem } from './entities/space';
export { GroupItem } from './entities/group';
