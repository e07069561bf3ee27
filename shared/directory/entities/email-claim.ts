import * as z from 'zod/mini';
import { conditionsOn, itemAbsent } from '../expressions';
import { sitePartition, type Key } from '../key';
import { checkWrite, deleteWrite, putWrite, type Write } from '../writes';

/** One per address and site: the uniqueness guard for "already a member". */
export const EMAIL_CLAIM_TYPE = 'email-claim';

/** Claims sort by address in the site's partition, so a range of them is a prefix search of addresses. */
export const EMAIL_CLAIM_PREFIX = 'EMAIL#';
export const emailClaimKey = (siteId: string, email: string): Key => ({ pk: sitePartition(siteId), sk: `${EMAIL_CLAIM_PREFIX}${email}` });

/**
 * The claim stays while its person exists, removed people included (rule 11): it is how inviting
 * the address again finds the same person. Deleting the person releases it.
 */
export const EmailClaimItem = z.object({ userId: z.string() });
const claimIs = conditionsOn<z.infer<typeof EmailClaimItem>>();

/** Refused when the address already belongs to a person of the site. */
export const claimEmailWrite = (siteId: string, email: string, userId: string): Write =>
  putWrite(emailClaimKey(siteId, email), { type: EMAIL_CLAIM_TYPE, userId }, itemAbsent);

/** Unconditional: written with the site's first admins, who cannot collide with anyone. */
export const firstEmailClaimWrite = (siteId: string, email: string, userId: string): Write =>
  putWrite(emailClaimKey(siteId, email), { type: EMAIL_CLAIM_TYPE, userId });

export const releaseEmailWrite = (siteId: string, email: string): Write => deleteWrite(emailClaimKey(siteId, email));

/** Refused unless the address still belongs to `userId` (a removed person invited again). */
export const claimHeldByCheck = (siteId: string, email: string, userId: string): Write => checkWrite(emailClaimKey(siteId, email), claimIs.eq('userId', userId));
