/**
 * Named domain errors. Domain and directory code throw these; only the HTTP error middleware turns
 * them into responses, so every error body has the same shape and a code from the HTTP contract.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'paid_user_conversion_forbidden'
  | 'user_limit_reached'
  | 'guest_limit_reached'
  | 'review_required'
  | 'invitation_expired'
  | 'invitation_used'
  | 'invitation_revoked'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal_error';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  paid_user_conversion_forbidden: 409,
  user_limit_reached: 409,
  guest_limit_reached: 409,
  review_required: 409,
  invitation_expired: 410,
  invitation_used: 410,
  invitation_revoked: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  service_unavailable: 503,
  internal_error: 500,
};

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** When trying again may succeed: the answer's `retry-after`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.status = STATUS_BY_CODE[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found on this site.`);
export const conflict = (message: string, details?: Record<string, unknown>) => new AppError('conflict', message, details);
export const forbidden = () => new AppError('forbidden', 'You may not do this on this site.');

/** A valid token without the scope the route needs: names the scope, so the caller knows what to ask for. */
export const missingScope = (scope: string) => new AppError('forbidden', `This route needs a token with the scope "${scope}".`, { requiredScope: scope });
