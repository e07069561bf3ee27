import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import { AppError } from '../domain/errors';
import { RETRYABLE_ERROR_NAMES } from '../directory/retry';
import { log } from '../log';
import type { HttpEvent } from './event';

/** The parts of a request a route declares schemas for; error paths start with the part's name. */
export type InputPart = 'path' | 'query' | 'headers' | 'body';

export function validationError(error: z.core.$ZodError, where: InputPart): AppError {
  const issues = error.issues.map((issue) => ({
    // Header names are case-insensitive on the wire, so their paths are written in lower case.
    path: [where, ...issue.path.map((segment) => (where === 'headers' ? String(segment).toLowerCase() : String(segment)))].join('.'),
    message: issue.message,
  }));
  const what = where === 'headers' ? `The ${issues.length === 1 ? String(error.issues[0]?.path[0]) : 'request'} header${issues.length === 1 ? ' is' : 's are'} not valid.` : `The request ${where} is not valid.`;
  return new AppError('validation_failed', what, { issues });
}

/** Busy and rate-limited answers always say when to come back; others only when the error knows. */
const retryAfter = (error: AppError) => error.retryAfterSeconds ?? (error.status === 503 || error.status === 429 ? 1 : undefined);

/** The only place an error becomes an HTTP response. Unknown errors never leak their message. */
export function errorResponse(error: unknown, event: HttpEvent): APIGatewayProxyResultV2 {
  const known = error instanceof AppError ? error : throttledOrUnknown(error);
  if (known.status >= 500) {
    // `route` and `site` are already on every line of the request; the route key says which method it was.
    log.error('request failed', { routeKey: event.routeKey, requestId: event.requestContext?.requestId, error: describe(error) });
  }
  const body = { error: { code: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) } };
  return {
    statusCode: known.status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      ...(retryAfter(known) !== undefined ? { 'retry-after': String(retryAfter(known)) } : {}),
    },
    body: JSON.stringify(body),
  };
}


function throttledOrUnknown(error: unknown): AppError {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (RETRYABLE_ERROR_NAMES.has(name)) return new AppError('service_unavailable', 'The service is busy; try again shortly.');
  return new AppError('internal_error', 'Something went wrong on our side; nothing was changed by it.');
}

function describe(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
}
