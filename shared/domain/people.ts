import { canonicalEmail } from './email-address';
import type { AdminRole, AppRole, Kind, PersonStatus } from './vocabulary';

export type { AdminRole, AppRole, PersonStatus };
export type GroupRole = AppRole;
export type Roles = Readonly<Record<string, AppRole>>;

export const WIKI_APP = 'wiki';

/**
 * Whether an address whose person has this status may be invited again: only a removed person
 * (rule 11), who comes back with the same id. Everyone else is still a member (`already_member`).
 */
export const mayInviteAgain = (status: PersonStatus): boolean => status === 'removed';

/** Statuses that hold a seat (product rule 2). */
export const SEAT_HOLDING_STATUSES: readonly PersonStatus[] = ['invited', 'active', 'suspended'];

export const isPaidRole = (role: AppRole): boolean => role === 'user' || role === 'app-admin';

/**
 * Rules 1 and 7: a paid role anywhere (an app or any selected group) makes a paid user; otherwise a
 * guest role on the wiki, or guest groups, make a guest; otherwise the invite gives no wiki access.
 */
export function classifyInvitee(roles: Roles, groupRoles: readonly GroupRole[]): Kind | null {
  const appRoles = Object.values(roles);
  if (appRoles.some(isPaidRole) || groupRoles.some(isPaidRole)) return 'paid';
  if (roles[WIKI_APP] === 'guest' || groupRoles.includes('guest')) return 'guest';
  return null;
}

/** Rule 6: guest is valid only for the wiki app. Returns the apps that misuse it. */
export function appsWithInvalidGuestRole(roles: Roles): string[] {
  return Object.entries(roles)
    .filter(([app, role]) => role === 'guest' && app !== WIKI_APP)
    .map(([app]) => app);
}

/**
 * A deliverable address: one local part and a dotted domain, no spaces or control characters,
 * within RFC 5321 lengths. Deliberately stricter than RFC 5322 (no quoted local parts or comments):
 * anything odd here is far more likely a typo than a real partner's address.
 */
const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function isDeliverableEmail(email: string): boolean {
  if (email.length > 254) return false;
  const [local] = email.split('@');
  if (!local || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return false;
  }
  return EMAIL_PATTERN.test(email);
}

export type RowPrecheck =
  | { readonly kind: 'candidate'; readonly email: string }
  | { readonly kind: 'rejected'; readonly email: string; readonly reason: 'invalid_email' | 'duplicate_in_request' };

/** The first two row checks of the HTTP contract, which need no directory: invalid, then duplicate in this call. */
export function precheckRows(emails: readonly string[]): RowPrecheck[] {
  const seen = new Set<string>();
  return emails.map((raw) => {
    const email = canonicalEmail(raw);
    if (email === null || !isDeliverableEmail(email)) return { kind: 'rejected', email: raw.trim(), reason: 'invalid_email' };
    if (seen.has(email)) return { kind: 'rejected', email, reason: 'duplicate_in_request' };
    seen.add(email);
    return { kind: 'candidate', email };
  });
}

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A new site's first admins, as the operator listed them: every address must be deliverable and
 * none listed twice (addresses compared normalised). Null when the list is fine.
 */
export function adminListProblem(emails: readonly (string | null)[]): { message: string; issues: FieldIssue[] } | null {
  const invalid = emails.flatMap((email, index) => (email !== null && isDeliverableEmail(email) ? [] : [{ path: `body.admins.${index}.email`, message: 'Not a deliverable address' }]));
  if (invalid.length > 0) return { message: 'Some admin addresses are not valid.', issues: invalid };
  if (new Set(emails).size !== emails.length) return { message: 'An admin is listed twice.', issues: [{ path: 'body.admins', message: 'Duplicate address' }] };
  return null;
}
