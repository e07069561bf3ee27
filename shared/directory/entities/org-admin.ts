import * as z from 'zod/mini';
import type { Key } from '../key';
import { putWrite, type Write } from '../writes';

export const ORG_ADMIN_TYPE = 'org-admin';
export const ORG_EMAIL_TYPE = 'org-email';

const orgPartition = (orgId: string) => `ORG#${orgId}`;

export const orgAdminKey = (orgId: string, userId: string): Key => ({ pk: orgPartition(orgId), sk: `ADMIN#${userId}` });
/** An org admin's address, so one person administers every site of the org with one userId. */
export const orgEmailKey = (orgId: string, email: string): Key => ({ pk: orgPartition(orgId), sk: `EMAIL#${email}` });

export function orgAdminWrites(admin: { orgId: string; userId: string; email: string; displayName?: string | undefined }): Write[] {
  return [
    putWrite(orgAdminKey(admin.orgId, admin.userId), { type: ORG_ADMIN_TYPE, orgId: admin.orgId, userId: admin.userId, email: admin.email, displayName: admin.displayName }),
    putWrite(orgEmailKey(admin.orgId, admin.email), { type: ORG_EMAIL_TYPE, userId: admin.userId }),
  ];
}

export const OrgAdminItem = z.object({ userId: z.string(), email: z.optional(z.string()), displayName: z.optional(z.string()) });
