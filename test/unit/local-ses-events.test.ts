import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern, simulatedEvents, startSesEventPublisher, type SesEvent, type SesEventPublisher } from '../../infra/local/ses-events';
import { SesEmailEvent } from '../../shared/email/events';
import { sendEmail } from '../../shared/email/send';
import { EVENT_FUNCTIONS } from '../../shared/events';

/**
 * The local stack's SES event publishing: what the SDK sends passes through to the stand-in
 * unchanged, and mail to the mailbox simulator comes back as the events SES would publish, in the
 * EventBridge shape the deployed handler parses and the deployed rule matches.
 */
let upstream: Server;
let received: { path: string; body: string }[];
let publisher: SesEventPublisher;
let published: SesEvent[];
let ses: SESClient;

beforeAll(async () => {
  received = [];
  upstream = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(`<SendEmailResponse><SendEmailResult><MessageId>local-${received.length}</MessageId></SendEmailResult></SendEmailResponse>`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  published = [];
  publisher = await startSesEventPublisher({
    upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    region: 'us-east-1',
    eventSpacingMs: 1,
    publish: async (event) => void published.push(event),
  });
  ses = new SESClient({ endpoint: publisher.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  ses.destroy();
  await publisher.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const email = (to: string, configurationSet?: string) => ({
  to,
  from: 'Wiki <no-reply@guestpass.local>',
  subject: 'You are invited',
  text: 'hello',
  html: '<p>hello</p>',
  tags: { kind: 'invitation', site: 'demo', invitation: 'inv_01', resend: '2' },
  configurationSet,
});

describe('the local SES pass-through', () => {
  it('forwards the send and publishes Send then Bounce for bounce@simulator.amazonses.com, in the real shape', async () => {
    published.length = 0;
    const { messageId } = await sendEmail(ses, email('bounce@simulator.amazonses.com', 'guestpass-local'));
    await publisher.settled();
    expect(received.at(-1)?.body).toContain('Action=SendEmail');
    expect(published.map((event) => event['detail-type'])).toEqual(['Email Sent', 'Email Bounced']);
    const bounce = published[1]!;
    expect(bounce).toMatchObject({
      version: '0',
      source: 'aws.ses',
      account: '000000000000',
      region: 'us-east-1',
      resources: ['arn:aws:ses:us-east-1:000000000000:configuration-set/guestpass-local'],
      detail: {
        eventType: 'Bounce',
        bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com', action: 'failed' }] },
        mail: {
          messageId,
          source: '"Wiki" <no-reply@guestpass.local>',
          destination: ['bounce@simulator.amazonses.com'],
          tags: { kind: ['invitation'], site: ['demo'], invitation: ['inv_01'], resend: ['2'], 'ses:configuration-set': ['guestpass-local'] },
        },
      },
    });
    // What the deployed handler parses, and what the deployed rule lets through
    expect(SesEmailEvent.safeParse(bounce).success).toBe(true);
    const [rule] = EVENT_FUNCTIONS;
    expect(matchesPattern({ source: [rule.source], 'detail-type': [...rule.detailTypes], detail: rule.detail }, bounce)).toBe(true);
  });

  it('publishes Send, Delivery then Complaint for the complaint address, Send and Delivery for the success address', async () => {
    published.length = 0;
    await sendEmail(ses, email('complaint@simulator.amazonses.com', 'guestpass-local'));
    await sendEmail(ses, email('success@simulator.amazonses.com', 'guestpass-local'));
    await publisher.settled();
    const byRecipient = (address: string) => published.filter((event) => JSON.stringify(event.detail).includes(address)).map((event) => event['detail-type']);
    expect(byRecipient('complaint@simulator')).toEqual(['Email Sent', 'Email Delivered', 'Email Complaint Received']);
    expect(byRecipient('success@simulator')).toEqual(['Email Sent', 'Email Delivered']);
    expect(published.every((event) => SesEmailEvent.safeParse(event).success)).toBe(true);
  });

  it('publishes nothing without a configuration set, nor for a real recipient', async () => {
    published.length = 0;
    const before = received.length;
    await sendEmail(ses, email('bounce@simulator.amazonses.com'));
    await sendEmail(ses, email('pat@partner.example', 'guestpass-local'));
    await publisher.settled();
    expect(received.length).toBe(before + 2);
    expect(published).toEqual([]);
  });
});

describe('rule patterns, as the local stack applies them', () => {
  const [rule] = EVENT_FUNCTIONS;
  const pattern = { source: [rule.source], 'detail-type': [...rule.detailTypes], detail: rule.detail };
  const event = (kind: string, detailType = 'Email Bounced') =>
    simulatedEvents(
      { messageId: 'm', source: 'a@b.example', to: ['bounce@simulator.amazonses.com'], subject: 's', configurationSet: 'set', tags: { kind }, sentAt: new Date() },
      'us-east-1',
    ).map((found) => ({ ...found, 'detail-type': detailType }))[1]!;

  it('match invitation emails’ events and nothing else', () => {
    expect(matchesPattern(pattern, event('invitation'))).toBe(true);
    expect(matchesPattern(pattern, event('welcome'))).toBe(false);
    expect(matchesPattern(pattern, event('invitation', 'Email Opened'))).toBe(false);
    expect(matchesPattern(pattern, { ...event('invitation'), source: 'aws.sns' })).toBe(false);
  });
});
