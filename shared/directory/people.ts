/**
 * The guest lifecycle after the invitation (rules 8, 10, 11, 14). Every operation reads the person
 * and the site, then writes one transaction conditioned on what it read (status, kind, space, the
 * site's ratio), with its audit event inside. A concurrent change makes the condition fail and the
 * operation re-reads and decides again, so no rule is ever checked on stale data.
 *
 * Compatibility: the operations live in `people/`; these names stay for their callers.
 */
export { deletePerson, endPendingInvitation, ERASURE_GRACE_DAYS, removeAppAccess, type EndedOnboarding } from './people/departure';
export { eraseDueTombstones, ERASURE_PARTITION } from './people/erasure';
export { listGuests, type GuestFilter } from './people/guest-list';
export { promoteGuest, promotedView } from './people/promotion';
export { unassignSpace } from './people/space';
export { deactivatePerson, reactivatePerson } from './people/status';
