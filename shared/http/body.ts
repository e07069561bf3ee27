import { AppError } from '../domain/errors';
import type { HttpEvent } from './event';

export const MAX_BODY_BYTES = 64 * 1024;

/** Decodes and parses the request body: JSON always, HTML form posts where a route allows them. */
export function parseBody(event: HttpEvent, options: { acceptForm: boolean }): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new AppError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
  }
  if (bytes.length === 0) return {};
  const contentType = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = bytes.toString('utf8');
  if (contentType === 'application/json' || contentType.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AppError('validation_failed', 'The body is not valid JSON.', { issues: [{ path: 'body', message: 'Malformed JSON' }] });
    }
  }
  if (options.acceptForm && contentType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  throw new AppError('unsupported_media_type', 'Send the body as application/json.');
}
