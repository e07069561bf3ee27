import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';
import { personKey } from '../../shared/directory/entities/person';
import { eventually, linkIn, startTestStack, type SentEmail, type TestSite, type TestStack } from '../support/stack';

/**
 * Re-verification end to end on the local stack: the scheduled job mails a link, the access
 * decision denies only from then on, the grace ends in suspension, and the link (with a two-step
 * code where the policy asks for one) restores access.
 */
let given: TestStack;
let serviceToken: string;
let table: { client: DynamoDBDocumentClient; tableName: string };
const DAY = 86_400_000;

beforeAll(async () => {
  given = await startTestStack();
  serviceToken = await given.stack.signer.sign({ sub: 'wiki', scope: 'access:decide' });
  // The stack's own table, to move people back in time (the job reads the real clock).
  table = {
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS })),
    tableName: process.env.TABLE_NAME!,
  };
});
afterAll(() => given?.close());

type Json = Record<string, unknown>;

async function activeGuest(site: TestSite, email: string): Promise<string> {
  const invited = await given.api<{ results: Json[] }>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: [email], roles: { wiki: 'guest' }, spaceKey: 'ENG' } });
  const userId = String(invited.json.results[0]!.userId);
  const mail = await eventually(async () => (await given.mailTo(email)).find((sent) => sent.body.text?.includes('/invitations/')));
  await given.api('POST', `/invitations/${linkIn(mail)}/accept`, { body: {} });
  await eventually(async () => (await given.api<Json>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).json.status === 'active');
  return userId;
}

/** Moves a person's last proof of identity (or the link's sending) into the past, index position included. */
async function backdate(siteId: string, userId: string, field: 'activatedAt' | 'verificationRequestedAt', daysAgo: number): Promise<void> {
  const at = new Date(Date.now() - daysAgo * DAY).toISOString();
  await table.client.send(
    new UpdateCommand({ TableName: table.tableName, Key: personKey(siteId, userId), UpdateExpression: `SET ${field} = :at, gsi4sk = :sk`, ExpressionAttributeValues: { ':at': at, ':sk': `${at}#${userId}` } }),
  );
}

const decide = async (siteId: string, userId: string) =>
  (await given.api<Json>('POST', `/sites/${siteId}/access-decisions`, { token: serviceToken, body: { userId, spaceKey: 'ENG', client: 'web' } })).json;

const verifyLinkIn = (email: SentEmail): string => {
  const match = /https?:\/\/\S+\/verify\/([A-Za-z0-9_-]{43})/.exec(email.body.text ?? '');
  if (!match) throw new Error('No re-verification link in the email');
  return match[1]!;
};
const verificationMail = async (address: string, after = 0) =>
  eventually(async () => (await given.mailTo(address)).filter((sent) => sent.body.text?.includes('/verify/')).slice(after)[0]);

async function siteWithEng(): Promise<TestSite> {
  const site = await given.createSite();
  await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering' } });
  return site;
}

describe('re-verification on the local stack', () => {
  it('mails a working link when due, denies from then on, and the link restores access', async () => {
    const site = await siteWithEng();
    const email = 'due@partner.example';
    const userId = await activeGuest(site, email);
    await backdate(site.siteId, userId, 'activatedAt', 31);
    // Overdue, but not asked yet: still in.
    expect(await decide(site.siteId, userId)).toEqual({ allowed: true, reason: 'assigned_space' });

    expect(await given.stack.runJob('job-reverify')).toMatchObject({ sent: 1, finished: true });
    const mail = await verificationMail(email);
    expect(mail.subject).toContain(`Site ${site.siteId}`);
    expect(await decide(site.siteId, userId)).toEqual({ allowed: false, reason: 'reverification_required' });
    // A second run the same day sends nothing more.
    expect(await given.stack.runJob('job-reverify')).toMatchObject({ sent: 0 });

    // Every link in the email resolves; GET is inert (a mail scanner's fetch changes nothing).
    for (const url of (mail.body.text ?? '').match(/https?:\/\/\S+/g) ?? []) {
      const page = await fetch(url);
      expect(page.status, url).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
    }
    const token = verifyLinkIn(mail);
    const view = await given.api<Json>('GET', `/verify/${token}`, { headers: { accept: 'application/json' } });
    expect(view.json).toMatchObject({ siteName: `Site ${site.siteId}`, email, status: 'active', twoStepRequired: false });
    expect(await decide(site.siteId, userId)).toEqual({ allowed: false, reason: 'reverification_required' });

    const verified = await given.api<Json>('POST', `/verify/${token}`, { body: {} });
    expect(verified.status).toBe(200);
    expect(Date.parse(String(verified.json.lastVerifiedAt))).toBeGreaterThan(Date.now() - 60_000);
    expect(await decide(site.siteId, userId)).toEqual({ allowed: true, reason: 'assigned_space' });
    expect((await given.api<Json>('POST', `/verify/${token}`, { body: {} })).json).toMatchObject({ error: { code: 'invitation_used' } });
    const person = await given.api<Json>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken });
    expect(person.json).toMatchObject({ status: 'active', lastVerifiedAt: verified.json.lastVerifiedAt });
  });

  it('suspends after the grace, keeps the seat, and the form post on the page lifts the suspension', async () => {
    const site = await siteWithEng();
    const email = 'late@partner.example';
    const userId = await activeGuest(site, email);
    await backdate(site.siteId, userId, 'activatedAt', 40);
    await given.stack.runJob('job-reverify');
    const token = verifyLinkIn(await verificationMail(email));
    await backdate(site.siteId, userId, 'verificationRequestedAt', 4);
    expect(await given.stack.runJob('job-reverify')).toMatchObject({ suspended: 1 });

    const suspended = await given.api<Json>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken });
    expect(suspended.json.status).toBe('suspended');
    expect(await decide(site.siteId, userId)).toEqual({ allowed: false, reason: 'not_active' });
    expect((await given.api<Json>('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json.guests).toBe(1);
    const audit = await given.api<{ events: Json[] }>('GET', `/sites/${site.siteId}/audit-events`, { token: site.adminToken });
    expect(audit.json.events.map((event) => event.action)).toEqual(expect.arrayContaining(['person.reverification_requested', 'person.suspended']));

    const page = await fetch(`${given.stack.apiUrl}/verify/${token}`);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    const posted = await fetch(`${given.stack.apiUrl}/verify/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('verified');
    expect(await decide(site.siteId, userId)).toEqual({ allowed: true, reason: 'assigned_space' });
  });

  it('enrols in two-step through the link once the policy requires it, then asks for a code', async () => {
    const site = await siteWithEng();
    const email = 'enrol@partner.example';
    const userId = await activeGuest(site, email);
    const policy = { twoStepRequired: true, reverifyEveryDays: 30, apiTokensAllowed: true };
    const review = await given.api<Json>('POST', `/sites/${site.siteId}/external-user-policy/review`, { token: site.adminToken, body: { policy } });
    expect(review.json.affected).toEqual([{ userId, email, effect: 'must_enrol_two_step' }]);
    expect((await given.api('PUT', `/sites/${site.siteId}/external-user-policy`, { token: site.adminToken, body: { policy, reviewToken: review.json.reviewToken } })).status).toBe(200);
    // Required now, but not asked yet: still in until the link arrives.
    expect(await decide(site.siteId, userId)).toEqual({ allowed: true, reason: 'assigned_space' });

    expect(await given.stack.runJob('job-reverify')).toMatchObject({ sent: 1 });
    const token = verifyLinkIn(await verificationMail(email));
    expect(await decide(site.siteId, userId)).toEqual({ allowed: false, reason: 'two_step_required' });
    expect((await given.api<Json>('GET', `/verify/${token}`, { headers: { accept: 'application/json' } })).json).toMatchObject({ twoStepRequired: true, twoStepEnrolled: false });

    const enrolment = await given.api<{ twoStepEnrollment: { otpauthUrl: string; secret: string } }>('POST', `/verify/${token}`, { body: {} });
    expect(enrolment.status).toBe(200);
    const { secret, otpauthUrl } = enrolment.json.twoStepEnrollment;
    expect(otpauthUrl).toContain(`secret=${secret}`);
    const wrong = await given.api<Json>('POST', `/verify/${token}`, { body: { totpCode: '000000' === codeFor(secret) ? '111111' : '000000' } });
    expect(wrong.status).toBe(400);
    expect(await decide(site.siteId, userId)).toEqual({ allowed: false, reason: 'two_step_required' });

    const done = await given.api<Json>('POST', `/verify/${token}`, { body: { totpCode: codeFor(secret) } });
    expect(done.status).toBe(200);
    expect(done.json).toHaveProperty('lastVerifiedAt');
    expect(await decide(site.siteId, userId)).toEqual({ allowed: true, reason: 'assigned_space' });
    expect((await given.api<Json>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).json.twoStepEnrolled).toBe(true);

    // A month on (the last verification and the last code's time step moved into the past), the
    // next re-verification asks for a code, and a code from the enrolled secret passes it.
    await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: personKey(site.siteId, userId), UpdateExpression: 'REMOVE lastVerifiedAt, twoStepLastStep' }));
    await backdate(site.siteId, userId, 'activatedAt', 31);
    expect(await given.stack.runJob('job-reverify')).toMatchObject({ sent: 1 });
    const next = verifyLinkIn(await verificationMail(email, 1));
    expect((await given.api<Json>('GET', `/verify/${next}`, { headers: { accept: 'application/json' } })).json).toMatchObject({ twoStepRequired: true, twoStepEnrolled: true });
    const noCode = await given.api<Json>('POST', `/verify/${next}`, { body: {} });
    expect(noCode.status).toBe(400);
    expect(JSON.stringify(noCode.json)).toContain('totpCode');
    expect((await given.api<Json>('POST', `/verify/${next}`, { body: { totpCode: codeFor(secret) } })).status).toBe(200);
  });

  it('answers unknown, malformed and replaced links without revealing anything', async () => {
    expect((await given.api<Json>('GET', `/verify/${'A'.repeat(43)}`, { headers: { accept: 'application/json' } })).json).toMatchObject({ error: { code: 'not_found' } });
    expect((await given.api<Json>('POST', `/verify/${'A'.repeat(43)}`, { body: {} })).status).toBe(404);
    expect((await given.api<Json>('GET', '/verify/short', { headers: { accept: 'application/json' } })).status).toBe(404);
    const html = await fetch(`${given.stack.apiUrl}/verify/${'B'.repeat(43)}`);
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toContain('text/html');
  });
});

function codeFor(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
}
