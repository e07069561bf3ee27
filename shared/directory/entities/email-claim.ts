import { itemAbsent } from '../expressions';
import { sitePartition, type Key } from '../key';
import { deleteWrite, putWrite, type Write } from '../writes';

/** One per address and site: the uniqueness guard for "already a member". */
export const EMAIL_CLAIM_TYPE = 'email-claim';

export const emailClaimKey = (siteId: string, email: string): Key => ({ pk: sitePartition(siteId), sk: `EMAIL#${email}` });

/** Refused when the address already belongs to a person of the site. */
export const claimEmailWrite = (siteId: string, email: string, userId: string): Write =>
  putWrite(emailClaimKey(siteId, email), { type: EMAIL_CLAIM_TYPE, userId }, itemAbsent);

/** Unconditional: written with the site's first admins, who cannot collide with anyone. */
export const firstEmailClaimWrite = (siteId: string, email: string, userId: string): Write =>
  putWrite(emailClaimKey(siteId, email), { type: EMAIL_CLAIM_TYPE, userId });

export const releaseEmailWrite = (siteId: string, email: string): Write => deleteWrite(emailClaimKey(siteId, email));
