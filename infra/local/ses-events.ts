import { randomUUID } from 'node:crypto';
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SES_DETAIL_TYPES } from '../../shared/email/events';

/**
 * SES event publishing for the local stack. The SES stand-in (aws-ses-v2-local) publishes no
 * events, so the handlers' SES endpoint is this pass-through in front of it: every request goes on
 * to the stand-in unchanged, and an email sent through a configuration set to an address of SES's
 * mailbox simulator gets the events SES would publish for it, in the shape EventBridge delivers
 * them (`source: aws.ses`), handed to `publish` in the order SES sends them. Mail to any other
 * address gets none, as no real recipient's fate is known here.
 */

/** What SES's mailbox simulator does with mail to each of its addresses. */
export const MAILBOX_SIMULATOR: Readonly<Record<string, readonly (keyof typeof SES_DETAIL_TYPES)[]>> = {
  'success@simulator.amazonses.com': ['Send', 'Delivery'],
  'ooto@simulator.amazonses.com': ['Send', 'Delivery'],
  'bounce@simulator.amazonses.com': ['Send', 'Bounce'],
  'suppressionlist@simulator.amazonses.com': ['Send', 'Bounce'],
  'complaint@simulator.amazonses.com': ['Send', 'Delivery', 'Complaint'],
};

export const LOCAL_ACCOUNT = '000000000000';

/** One email the stand-in accepted, as far as events need it. */
export interface AcceptedEmail {
  readonly messageId: string;
  readonly source: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly configurationSet: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly sentAt: Date;
}

export type SesEvent = Record<string, unknown> & { readonly 'detail-type': string; readonly detail: Record<string, unknown> };

const bareAddress = (value: string) => (/<([^<>]+)>\s*$/.exec(value)?.[1] ?? value).trim();

/**
 * The events SES publishes for `email` (real shapes: an EventBridge envelope around the event
 * publishing record), one recipient at a time; none without a configuration set.
 */
export function simulatedEvents(email: AcceptedEmail, region: string): SesEvent[] {
  const configurationSet = email.configurationSet;
  if (!configurationSet) return [];
  const source = bareAddress(email.source);
  const events: SesEvent[] = [];
  for (const recipient of email.to) {
    const outcome = MAILBOX_SIMULATOR[recipient.toLowerCase()];
    if (!outcome) continue;
    let at = email.sentAt.getTime();
    const mail = {
      timestamp: email.sentAt.toISOString(),
      source: email.source,
      sourceArn: `arn:aws:ses:${region}:${LOCAL_ACCOUNT}:identity/${source.split('@')[1] ?? source}`,
      sendingAccountId: LOCAL_ACCOUNT,
      messageId: email.messageId,
      destination: [recipient],
      headersTruncated: false,
      headers: [
        { name: 'From', value: email.source },
        { name: 'To', value: recipient },
        { name: 'Subject', value: email.subject },
      ],
      commonHeaders: { from: [email.source], to: [recipient], messageId: email.messageId, subject: email.subject },
      tags: {
        'ses:configuration-set': [configurationSet],
        'ses:source-ip': ['127.0.0.1'],
        'ses:from-domain': [source.split('@')[1] ?? ''],
        'ses:caller-identity': ['local'],
        ...Object.fromEntries(Object.entries(email.tags).map(([name, value]) => [name, [value]])),
      },
    };
    for (const eventType of outcome) {
      at += eventType === 'Send' ? 0 : 400;
      const timestamp = new Date(at).toISOString();
      const record: Record<string, unknown> = { eventType, mail };
      if (eventType === 'Send') record.send = {};
      if (eventType === 'Delivery') {
        record.delivery = { timestamp, processingTimeMillis: at - email.sentAt.getTime(), recipients: [recipient], smtpResponse: '250 2.6.0 Message received', reportingMTA: 'a8-70.smtp-out.amazonses.com' };
      }
      if (eventType === 'Bounce') {
        const suppressed = recipient.startsWith('suppressionlist@');
        record.bounce = {
          feedbackId: `${randomUUID()}-000000`,
          bounceType: 'Permanent',
          bounceSubType: suppressed ? 'OnAccountSuppressionList' : 'General',
          bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
          timestamp,
          reportingMTA: 'dns; amazonses.com',
        };
      }
      if (eventType === 'Complaint') {
        record.complaint = {
          feedbackId: `${randomUUID()}-000000`,
          complainedRecipients: [{ emailAddress: recipient }],
          timestamp,
          userAgent: 'Amazon SES Mailbox Simulator',
          complaintFeedbackType: 'abuse',
          arrivalDate: timestamp,
        };
      }
      events.push({
        version: '0',
        id: randomUUID(),
        'detail-type': SES_DETAIL_TYPES[eventType],
        source: 'aws.ses',
        account: LOCAL_ACCOUNT,
        time: timestamp,
        region,
        resources: [`arn:aws:ses:${region}:${LOCAL_ACCOUNT}:configuration-set/${configurationSet}`],
        detail: record,
      });
    }
  }
  return events;
}

/** The email a SendEmail request (SES v1 query protocol or v2 JSON) describes, or null for any other request. */
export function sentEmailOf(path: string, contentType: string, body: string): Omit<AcceptedEmail, 'messageId' | 'sentAt'> | null {
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(body);
    if (form.get('Action') !== 'SendEmail') return null;
    const listed = (prefix: string) => [...form.keys()].filter((key) => key.startsWith(prefix)).sort().map((key) => form.get(key) ?? '');
    const tags: Record<string, string> = {};
    for (let n = 1; form.has(`Tags.member.${n}.Name`); n++) tags[form.get(`Tags.member.${n}.Name`)!] = form.get(`Tags.member.${n}.Value`) ?? '';
    return {
      source: form.get('Source') ?? '',
      to: listed('Destination.ToAddresses.member.'),
      subject: form.get('Message.Subject.Data') ?? '',
      configurationSet: form.get('ConfigurationSetName') ?? undefined,
      tags,
    };
  }
  if (path === '/v2/email/outbound-emails') {
    const request = JSON.parse(body) as {
      FromEmailAddress?: string;
      Destination?: { ToAddresses?: string[] };
      ConfigurationSetName?: string;
      EmailTags?: { Name: string; Value: string }[];
      Content?: { Simple?: { Subject?: { Data?: string } } };
    };
    return {
      source: request.FromEmailAddress ?? '',
      to: request.Destination?.ToAddresses ?? [],
      subject: request.Content?.Simple?.Subject?.Data ?? '',
      configurationSet: request.ConfigurationSetName,
      tags: Object.fromEntries((request.EmailTags ?? []).map((tag) => [tag.Name, tag.Value])),
    };
  }
  return null;
}

const messageIdIn = (responseBody: string): string | undefined =>
  /<MessageId>([^<]+)<\/MessageId>/.exec(responseBody)?.[1] ?? (/"MessageId"\s*:\s*"([^"]+)"/.exec(responseBody)?.[1] || undefined);

export interface SesEventPublisherOptions {
  /** The SES stand-in's endpoint. */
  readonly upstream: string;
  readonly region: string;
  /** Delivers one event, as EventBridge would to the rule's target; a rejection is retried. */
  readonly publish: (event: SesEvent) => Promise<void>;
  /** Between an email's events, like SES's own pace (default 100 ms). */
  readonly eventSpacingMs?: number;
  readonly log?: (line: string) => void;
}

export interface SesEventPublisher {
  readonly url: string;
  /** Resolves once every event of the emails sent so far was published (tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const PUBLISH_ATTEMPTS = 3;

export async function startSesEventPublisher(options: SesEventPublisherOptions): Promise<SesEventPublisher> {
  const upstream = new URL(options.upstream);
  const spacing = options.eventSpacingMs ?? 100;
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function publishAll(events: readonly SesEvent[]): Promise<void> {
    for (const event of events) {
      await new Promise((resolve) => setTimeout(resolve, spacing));
      if (closed) return;
      for (let attempt = 1; ; attempt++) {
        try {
          await options.publish(event);
          options.log?.(`ses: ${event['detail-type']} published`);
          break;
        } catch (error) {
          if (attempt >= PUBLISH_ATTEMPTS) {
            options.log?.(`ses: ${event['detail-type']} not delivered after ${attempt} attempts: ${(error as Error).message}`);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, spacing * attempt));
        }
      }
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const body = Buffer.concat(chunks);
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const outgoing = forward(
        { hostname: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: { ...request.headers, host: upstream.host } },
        (incoming) => {
          const parts: Buffer[] = [];
          incoming.on('data', (part: Buffer) => parts.push(part));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 502, headers: incoming.headers, body: Buffer.concat(parts) }));
          incoming.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);

    if (answer.status !== 200) return;
    let sent: ReturnType<typeof sentEmailOf>;
    try {
      sent = sentEmailOf(new URL(request.url ?? '/', 'http://local').pathname, String(request.headers['content-type'] ?? ''), body.toString('utf8'));
    } catch {
      return;
    }
    const messageId = sent && messageIdIn(answer.body.toString('utf8'));
    if (!sent || !messageId) return;
    const events = simulatedEvents({ ...sent, messageId, sentAt: new Date() }, options.region);
    if (events.length === 0) return;
    const publishing = publishAll(events).finally(() => inFlight.delete(publishing));
    inFlight.add(publishing);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log?.(`ses: pass-through failed: ${(error as Error).message}`);
      if (!response.headersSent) response.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    settled: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    close: async () => {
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Whether an EventBridge pattern matches an event, for the patterns the local stack's rules use:
 * each pattern field lists allowed values (strings), and an event field that is a list matches
 * when any of its values does; nested objects match field by field.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([name, expected]) => {
    const actual = event[name];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => expected.includes(value));
    }
    if (typeof expected === 'object' && expected !== null) {
      return typeof actual === 'object' && actual !== null && !Array.isArray(actual) && matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>);
    }
    return actual === expected;
  });
}
