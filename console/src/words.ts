import type { ApiError, InviteRow, Invitation } from './api';

/** Each API error code as a sentence an admin can act on; the API's own message is shown beside it. */
const ERROR_WORDS: Record<string, string> = {
  validation_failed: 'The API could not accept what was sent.',
  unauthorized: 'Your session has ended.',
  forbidden: 'You are not an admin of this site.',
  not_found: 'It no longer exists on this site.',
  conflict: 'The person’s or item’s current state does not allow this.',
  paid_user_conversion_forbidden: 'A current or former paid user cannot become a guest.',
  user_limit_reached: 'The site has no paid seat left (its user limit is reached).',
  guest_limit_reached: 'The site has no guest seat left.',
  review_required: 'The change needs a fresh review first (a review lasts 15 minutes and is used once).',
  payload_too_large: 'What was sent is too large.',
  unsupported_media_type: 'What was sent was not JSON.',
  rate_limited: 'Too many requests just now; wait a moment and try again.',
  network_error: 'The API could not be reached.',
};

export function errorInWords(error: ApiError): string {
  const words = ERROR_WORDS[error.code] ?? 'The request failed.';
  const issues = Array.isArray(error.details?.issues)
    ? (error.details.issues as { path?: unknown; message?: unknown }[])
        .map((issue) => `${typeof issue.path === 'string' ? issue.path : JSON.stringify(issue.path)}: ${String(issue.message)}`)
        .join('; ')
    : '';
  return `${words} ${error.message}${issues ? ` (${issues})` : ''} [${error.code}]`;
}

export function failureText(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && 'status' in error) return errorInWords(error as ApiError);
  return error instanceof Error ? error.message : String(error);
}

type Reason = Extract<InviteRow, { status: 'rejected' }>['reason'];

/** Why the API refused one address of an invite, in words. */
export const REJECTION_WORDS: Record<Reason, string> = {
  invalid_email: 'Not an address email can be delivered to.',
  duplicate_in_request: 'The same address is earlier in this list.',
  paid_user_conversion_forbidden: 'This person is or was a paid user, and cannot be invited as a guest.',
  already_member: 'Already a person of this site (invited, active, suspended or deactivated).',
  guest_limit_reached: 'No guest seat was left when this address’s turn came.',
  user_limit_reached: 'No paid seat was left when this address’s turn came (user limit reached).',
  service_unavailable: 'The service could not take this address just now; try it again.',
};

export const DELIVERY_WORDS: Record<Invitation['delivery'], string> = {
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  bounced: 'Bounced',
  complained: 'Marked as spam',
};

export const POLICY_EFFECT_WORDS: Record<string, string> = {
  must_enrol_two_step: 'Must enrol in two-step verification',
  must_reverify_now: 'Must re-verify now',
  loses_api_tokens: 'Loses API tokens',
};

export const STATUS_WORDS: Record<string, string> = {
  invited: 'Invited',
  active: 'Active',
  suspended: 'Suspended',
  deactivated: 'Deactivated',
  removed: 'Removed',
  pending: 'Pending',
  accepted: 'Accepted',
  expired: 'Expired',
  revoked: 'Revoked',
};

export const ROLE_WORDS: Record<string, string> = { none: 'No access', guest: 'Guest', user: 'User (paid)', 'app-admin': 'App admin (paid)' };

export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
