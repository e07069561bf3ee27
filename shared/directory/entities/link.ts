import * as z from 'zod/mini';
import { LINK_PURPOSES } from '../../domain/vocabulary';
import type { Key } from '../key';
import { putWrite, type Write } from '../writes';

export const LINK_TYPE = 'link';

/** Link tokens are looked up by their digest alone: the guest routes know no site. */
export const linkKey = (tokenDigest: string): Key => ({ pk: `LINK#${tokenDigest}`, sk: 'LINK' });

export const LinkItem = z.object({
  purpose: z.enum(LINK_PURPOSES),
  siteId: z.string(),
  invitationId: z.optional(z.string()),
  userId: z.string(),
  ttl: z.int(),
});
export type LinkItem = z.infer<typeof LinkItem>;

export const newLinkWrite = (digest: string, link: LinkItem): Write => putWrite(linkKey(digest), { type: LINK_TYPE, ...link });
