/**
 * Compatibility: each entity module under `entities/` owns its keys now. This object keeps the
 * names callers outside the directory still use; new code imports from the entity.
 */
import { auditEventKey, auditPartition } from './entities/audit-event';
import { emailClaimKey } from './entities/email-claim';
import { erasureKey } from './entities/erasure';
import { formerPaidKey } from './entities/former-paid';
import { GROUP_PREFIX, groupKey } from './entities/group';
import { idempotencyKey } from './entities/idempotency-record';
import { invitationKey } from './entities/invitation';
import { linkKey } from './entities/link';
import { membershipKey, membershipPrefix } from './entities/membership';
import { orgAdminKey, orgEmailKey } from './entities/org-admin';
import { personKey } from './entities/person';
import { siteKey } from './entities/site';
import { SPACE_PREFIX, spaceKey } from './entities/space';
import { sitePartition } from './key';

export type { Key } from './key';
export { personIndexKeys } from './entities/person';

export const keys = {
  site: siteKey,
  person: personKey,
  emailClaim: emailClaimKey,
  formerPaid: formerPaidKey,
  erasure: erasureKey,
  invitation: invitationKey,
  space: spaceKey,
  group: groupKey,
  membership: membershipKey,
  membershipPrefix,
  idempotency: idempotencyKey,
  auditEvent: auditEventKey,
  auditPartition,
  linkToken: linkKey,
  orgAdmin: orgAdminKey,
  orgEmail: orgEmailKey,
  sitePrefix: {
    space: SPACE_PREFIX,
    group: GROUP_PREFIX,
  },
  partitionOf: sitePartition,
};
