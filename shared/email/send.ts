import { SendEmailCommand, type MessageTag, type SESClient } from '@aws-sdk/client-ses';
import { sanitizeSubject, type RenderedEmail } from './templates';

export interface OutgoingEmail extends RenderedEmail {
  /** A single bare address (`user@example.com`). */
  to: string;
  /** A single address, optionally with a display name (`Team Wiki <noreply@example.com>`). */
  from: string;
  /** Correlation tags (e.g. invitation id); sanitised to SES's charset, never a reason to fail. */
  tags?: Record<string, string>;
  /**
   * The SES configuration set to send through: its event destination reports the email's send,
   * delivery, bounce and complaint, each event carrying the tags. Absent: no events.
   */
  configurationSet?: string | undefined;
}

/** Permanent failure: retrying the same email cannot succeed. */
export class EmailRejectedError extends Error {
  override name = 'EmailRejected';
}

/** Temporary failure (throttling, SES 5xx, network): the workflow retries. */
export class EmailTransientError extends Error {
  override name = 'EmailTransient';
}

export async function sendEmail(ses: SESClient, email: OutgoingEmail): Promise<{ messageId: string }> {
  // The messages below deliberately never include the addresses: errors end up in logs and
  // Step Functions execution history, where a recipient's address must not appear.
  if (!isBareAddress(email.to)) throw new EmailRejectedError('Invalid recipient address');
  const source = formatSource(email.from);
  if (source === undefined) throw new EmailRejectedError('Invalid sender address');

  const tags = sanitizeTags(email.tags);
  const command = new SendEmailCommand({
    Source: source,
    Destination: { ToAddresses: [email.to] },
    Message: {
      // Sanitised again: callers may build OutgoingEmail without going through the templates.
      Subject: { Data: sanitizeSubject(email.subject), Charset: 'UTF-8' },
      Body: {
        Html: { Data: email.html, Charset: 'UTF-8' },
        Text: { Data: email.text, Charset: 'UTF-8' },
      },
    },
    ...(tags.length > 0 ? { Tags: tags } : {}),
    ...(email.configurationSet ? { ConfigurationSetName: email.configurationSet } : {}),
  });

  let messageId: string | undefined;
  try {
    ({ MessageId: messageId } = await ses.send(command));
  } catch (err) {
    throw classifySesError(err);
  }
  // Not transient: SES accepted the request, so retrying could deliver the email twice.
  if (!messageId) throw new Error('SES accepted the email but returned no MessageId');
  return { messageId };
}

// ---------------------------------------------------------------------------
// Addresses

// Dot-atom local part and an LDH domain only. SES v1 requires ASCII local parts and punycode
// domains anyway, and refusing quoted local parts / comments / IP literals leaves nothing that
// could smuggle a second address or a header through.
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isBareAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  return at > 0 && at <= 64 && ADDRESS.test(value);
}

/**
 * Returns the SES `Source` value, or undefined if `from` is not exactly one address.
 * A display name is re-emitted quoted (or RFC 2047-encoded when non-ASCII, which SES v1
 * requires) so its content cannot be read as address syntax.
 */
function formatSource(from: string): string | undefined {
  if (/[\p{Cc},;]/u.test(from)) return undefined;
  const trimmed = from.trim();
  if (isBareAddress(trimmed)) return trimmed;

  const match = /^(.*?)\s*<([^<>]+)>$/.exec(trimmed);
  if (!match) return undefined;
  const [, rawName = '', address = ''] = match;
  if (!isBareAddress(address)) return undefined;

  const name = rawName.replace(/^"(.*)"$/, '$1').trim();
  if (name === '') return address;
  if (/["\\<>]/.test(name)) return undefined;
  const encoded = /^[\x20-\x7E]*$/.test(name)
    ? `"${name}"`
    : `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `${encoded} <${address}>`;
}

// ---------------------------------------------------------------------------
// Tags

const TAG_MAX = 256;

function sanitizeTagPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, TAG_MAX);
}

function sanitizeTags(tags: Record<string, string> | undefined): MessageTag[] {
  if (!tags) return [];
  const seen = new Set<string>();
  const result: MessageTag[] = [];
  for (const [rawName, rawValue] of Object.entries(tags)) {
    const name = sanitizeTagPart(rawName);
    const value = sanitizeTagPart(String(rawValue));
    // SES rejects the whole send on an empty or duplicate tag name; dropping the tag is
    // better than losing the email over correlation metadata.
    if (name === '' || value === '' || seen.has(name)) continue;
    seen.add(name);
    result.push({ Name: name, Value: value });
  }
  return result;
}

// ---------------------------------------------------------------------------
// Error classification

const PERMANENT_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
  // What SES v1 returns for a malformed address ("Illegal address").
  'InvalidParameterValue',
  'ValidationError',
]);

const TRANSIENT_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface SdkErrorShape {
  name?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function classifySesError(err: unknown): EmailRejectedError | EmailTransientError {
  const shape: SdkErrorShape = typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' && /^[\w.:-]{1,100}$/.test(shape.name) ? shape.name : 'UnknownError';
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  // Only the error name goes into the message: SES messages can quote the addresses
  // (e.g. "Email address is not verified … a@b.example"). The original stays as `cause`.
  const message = `SES SendEmail failed: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}`;

  if (PERMANENT_ERRORS.has(name)) return new EmailRejectedError(message, { cause: err });
  if (
    TRANSIENT_ERRORS.has(name) ||
    Boolean(shape.$retryable) ||
    status === undefined || // network failure: the retry middleware adds $metadata without a status
    status === 429 ||
    status >= 500
  ) {
    return new EmailTransientError(message, { cause: err });
  }
  // Any other 4xx is a request SES will refuse again (bad credentials/permissions, bad input).
  return new EmailRejectedError(message, { cause: err });
}
