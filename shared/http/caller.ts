import { AppError, missingScope } from '../domain/errors';
import type { HttpEvent } from './event';

export interface Caller {
  readonly userId: string;
  readonly scopes: readonly string[];
}

/**
 * The caller as the API Gateway JWT authorizer verified it. The gateway already refused bad
 * tokens; this refuses events without claims (a misconfigured route) and checks scopes again.
 */
export function callerFromEvent(event: HttpEvent, requiredScope?: string): Caller {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0) {
    throw new AppError('unauthorized', 'A valid bearer token is required.');
  }
  const rawScope = claims?.scope ?? claims?.scp;
  const scopes =
    typeof rawScope === 'string' ? rawScope.split(/\s+/).filter(Boolean) : Array.isArray(rawScope) ? rawScope.map(String) : [];
  if (requiredScope && !scopes.includes(requiredScope)) throw missingScope(requiredScope);
  return { userId: sub, scopes };
}
