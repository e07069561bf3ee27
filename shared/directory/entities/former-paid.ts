import { emailDigest } from '../../domain/tokens';
import { itemAbsent } from '../expressions';
import { sitePartition, type Key } from '../key';
import { checkWrite, putWrite, type Write } from '../writes';

/** Remembers that an address was ever a paid user of the site; never deleted (rule 3). */
export const FORMER_PAID_TYPE = 'paid-marker';

/** Keyed by a hash of the address, so the marker outlives the person's erasure without keeping it. */
export const formerPaidKey = (siteId: string, digest: string): Key => ({ pk: sitePartition(siteId), sk: `PAID#${digest}` });
export const formerPaidKeyOf = (siteId: string, email: string): Key => formerPaidKey(siteId, emailDigest(email));

export const markPaidWrite = (siteId: string, email: string, since: string): Write => putWrite(formerPaidKeyOf(siteId, email), { type: FORMER_PAID_TYPE, since });

/** Refused when the address was ever a paid user: such a person can never become a guest. */
export const neverPaidCheck = (siteId: string, email: string): Write => checkWrite(formerPaidKeyOf(siteId, email), itemAbsent);
