import * as z from 'zod/mini';
import { LINK_PURPOSES } from '../../domain/vocabulary';
import type { Key } from '../key';
import { conditionsOn, update } from '../expressions';
import { putWrite, type Write } from '../writes';

export const LINK_TYPE = 'link';

/** Link tokens are looked up by their digest alone: the guest routes know no site. */
export const linkKey = (tokenDigest: string): Key => ({ pk: `LINK#${tokenDigest}`, sk: 'LINK' });

export const LinkItem = z.object({
  purpose: z.enum(LINK_PURPOSES),
  siteId: z.string(),
  invitationId: z.optional(z.string()),
  userId: z.string(),
  /**
   * An invitation link also names who invited and to which space (both fixed at invite), so opening
   * it reads everything its page and its acceptance need in one round trip after the link itself.
   */
  invitedBy: z.optional(z.string()),
  spaceKey: z.optional(z.string()),
  /** Re-verification links carry their own expiry (an invitation's is on the invitation). */
  expiresAt: z.optional(z.string()),
  /** Set when a re-verification link was used, so a second use is told apart from a replaced link. */
  usedAt: z.optional(z.string()),
  ttl: z.int(),
});
export type LinkItem = z.infer<typeof LinkItem>;

export const newLinkWrite = (digest: string, link: LinkItem): Write => putWrite(linkKey(digest), { type: LINK_TYPE, ...link });

export const linkUpdate = () => update<LinkItem>();
export const linkIs = conditionsOn<LinkItem>();
