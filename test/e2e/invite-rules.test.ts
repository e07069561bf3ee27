import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

let given: TestStack;
let site: TestSite;
type InviteResult = { results: Record<string, string>[]; seats: Record<string, number> };

beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite({ userLimit: 50 });
  await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering' } });
});
afterAll(() => given?.close());

const invite = (body: unknown, init: { token?: string; headers?: Record<string, string> } = {}) =>
  given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: init.token ?? site.adminToken, body, ...(init.headers ? { headers: init.headers } : {}) });

async function activePaidUser(email: string): Promise<string> {
  const invited = await invite({ emails: [email], roles: { wiki: 'user' } });
  const row = invited.json.results[0]!;
  const [mail] = await eventually(async () => (await given.mailTo(email)).length > 0 && given.mailTo(email));
  await given.api('POST', `/invitations/${linkIn(mail!)}/accept`, { body: {} });
  await eventually(async () => (await given.api('GET', `/sites/${site.siteId}/users/${row.userId}`, { token: site.adminToken })).json.status === 'active');
  return row.userId!;
}

describe('the invite call as a whole', () => {
  it('refuses 0 or 11 addresses, non-strings and a body of the wrong shape with 400 validation_failed', async () => {
    const eleven = Array.from({ length: 11 }, (_, index) => `p${index}@partner.example`);
    for (const body of [{ emails: eleven, roles: { wiki: 'guest' } }, { emails: [], roles: { wiki: 'guest' } }, { emails: [42], roles: { wiki: 'guest' } }, { emails: 'a@b.example' }]) {
      const response = await invite(body);
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ error: { code: 'validation_failed', details: { issues: expect.any(Array) } } });
    }
    const eleventh = await invite({ emails: eleven, roles: { wiki: 'guest' } });
    expect((eleventh.json as unknown as { error: { details: { issues: { path: string }[] } } }).error.details.issues[0]!.path).toBe('body.emails');
    expect((await given.mailTo('p0@partner.example')).length).toBe(0);
  });

  it('refuses roles that give no wiki access, and guest on another app', async () => {
    expect((await invite({ emails: ['x@partner.example'] })).status).toBe(400);
    expect((await invite({ emails: ['x@partner.example'], roles: { wiki: 'none', tracker: 'none' } })).status).toBe(400);
    expect((await invite({ emails: ['x@partner.example'], roles: { wiki: 'guest', tracker: 'guest' } })).status).toBe(400);
  });

  it('answers 404 for an unknown space or group and 415 for a non-JSON body', async () => {
    expect((await invite({ emails: ['x@partner.example'], roles: { wiki: 'guest' }, spaceKey: 'NOPE' })).json).toMatchObject({ error: { code: 'not_found' } });
    expect((await invite({ emails: ['x@partner.example'], groups: ['grp_missing'] })).status).toBe(404);
    const text = await given.api('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, rawBody: 'emails=x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.json).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('rejects rows with the API reasons, in order, and still invites the others', async () => {
    const paidNow = await activePaidUser('current.paid@corp.example');
    expect(paidNow).toMatch(/^usr_/);
    await invite({ emails: ['member@partner.example'], roles: { wiki: 'guest' } });

    const response = await invite({
      emails: ['not an address', 'ok1@partner.example', 'OK1@partner.example', 'current.paid@corp.example', 'member@partner.example', 'admin@' + site.siteId + '.example', 'ok2@partner.example'],
      roles: { wiki: 'guest' },
    });
    expect(response.status).toBe(200);
    expect(response.json.results.map((row) => row.status === 'invited' ? 'invited' : row.reason)).toEqual([
      'invalid_email',
      'invited',
      'duplicate_in_request',
      'paid_user_conversion_forbidden',
      'already_member',
      'paid_user_conversion_forbidden',
      'invited',
    ]);
    expect(response.json.results[0]).toEqual({ email: 'not an address', status: 'rejected', reason: 'invalid_email' });
  });

  it('remembers former paid users: an expired paid invitee is still refused as a guest', async () => {
    // A paid invitation grants a paid role at once; the marker outlives the invitation.
    await invite({ emails: ['was.paid@corp.example'], roles: { wiki: 'app-admin' } });
    const again = await invite({ emails: ['was.paid@corp.example'], roles: { wiki: 'guest' } });
    expect(again.json.results[0]).toMatchObject({ status: 'rejected', reason: 'paid_user_conversion_forbidden' });
  });

  it('classifies by groups: all guest groups → guest; any user or app-admin group → paid', async () => {
    const group = async (name: string, role: string) =>
      (await given.api<{ groupId: string }>('POST', `/sites/${site.siteId}/groups`, { token: site.adminToken, body: { name, role } })).json.groupId;
    const partners = await group('Partners', 'guest');
    const vendors = await group('Vendors', 'guest');
    const staff = await group('Staff', 'user');
    const admins = await group('Wiki admins', 'app-admin');

    const guests = await invite({ emails: ['grp.guest@partner.example'], groups: [partners, vendors] });
    expect(guests.json.results[0]).toMatchObject({ status: 'invited', kind: 'guest' });
    const mixed = await invite({ emails: ['grp.mixed@partner.example'], groups: [partners, staff] });
    expect(mixed.json.results[0]).toMatchObject({ status: 'invited', kind: 'paid' });
    const viaAdmin = await invite({ emails: ['grp.admin@corp.example'], roles: { wiki: 'guest' }, groups: [admins] });
    expect(viaAdmin.json.results[0]).toMatchObject({ status: 'invited', kind: 'paid' });

    const person = await given.api('GET', `/sites/${site.siteId}/users/${guests.json.results[0]!.userId}`, { token: site.adminToken });
    expect(person.json).toMatchObject({ kind: 'guest', groups: [partners, vendors] });
    const groups = await given.api<{ groups: { groupId: string; memberCount: number }[] }>('GET', `/sites/${site.siteId}/groups`, { token: site.adminToken });
    expect(groups.json.groups.find((g) => g.groupId === partners)?.memberCount).toBe(2);
    expect(groups.json.groups.find((g) => g.groupId === staff)?.memberCount).toBe(1);
  });
});

describe('who may invite', () => {
  it('answers 401 without a token or with a bad one', async () => {
    expect((await given.api('POST', `/sites/${site.siteId}/invitations`, { body: { emails: ['a@b.example'], roles: { wiki: 'guest' } } })).status).toBe(401);
    const forged = await invite({ emails: ['a@b.example'], roles: { wiki: 'guest' } }, { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' });
    expect(forged.status).toBe(401);
    expect(forged.json).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('answers 403 to a non-admin, to an admin of another site, and for a site that does not exist', async () => {
    const other = await given.createSite();
    const paidUser = await activePaidUser('not.admin@corp.example');
    const paidToken = await given.stack.signer.sign({ sub: paidUser });
    for (const [token, siteId] of [
      [paidToken, site.siteId],
      [other.adminToken, site.siteId],
      [site.adminToken, 'no-such-site'],
    ] as const) {
      const response = await given.api('POST', `/sites/${siteId}/invitations`, { token, body: { emails: ['z@partner.example'], roles: { wiki: 'guest' } } });
      expect(response.status).toBe(403);
      expect(response.json).toMatchObject({ error: { code: 'forbidden' } });
      expect((await given.api('GET', `/sites/${siteId}/seats`, { token })).status).toBe(403);
    }
    expect((await given.mailTo('z@partner.example')).length).toBe(0);
  });

  it('lets an org admin administer every site of the org with one identity', async () => {
    const orgId = `org-shared-${site.siteId}`;
    const first = await given.api<{ admins: { userId: string }[] }>('POST', '/sites', {
      token: given.operatorToken,
      body: { siteId: `${site.siteId}-a`, name: 'A', orgId, plan: 'standard', userLimit: 10, admins: [{ email: 'boss@org.example', role: 'org-admin' }] },
    });
    const second = await given.api<{ admins: { userId: string }[] }>('POST', '/sites', {
      token: given.operatorToken,
      body: { siteId: `${site.siteId}-b`, name: 'B', orgId, plan: 'standard', userLimit: 10, admins: [{ email: 'other@org.example' }] },
    });
    expect(second.status).toBe(201);
    const boss = await given.stack.signer.sign({ sub: first.json.admins[0]!.userId });
    expect((await given.api('GET', `/sites/${site.siteId}-b/seats`, { token: boss })).status).toBe(200);
    const duplicate = await given.api('POST', '/sites', { token: given.operatorToken, body: { siteId: `${site.siteId}-a`, name: 'A', orgId, plan: 'standard', userLimit: 10, admins: [{ email: 'x@org.example' }] } });
    expect(duplicate.status).toBe(409);
    expect((await given.api('POST', '/sites', { token: site.adminToken, body: {} })).status).toBe(403);
  });
});

describe('Idempotency-Key', () => {
  it('answers 20 concurrent repeats with one set of invitations and emails, 409 + retry-after while the first runs, then identical responses', async () => {
    const body = { emails: ['idem1@partner.example', 'idem2@partner.example'], roles: { wiki: 'guest' } };
    const send = () => invite(body, { headers: { 'idempotency-key': 'key-20x' } });
    const first = await Promise.all(Array.from({ length: 20 }, send));
    for (const response of first.filter((r) => r.status !== 200)) {
      expect(response.status).toBe(409);
      expect(response.json).toMatchObject({ error: { code: 'conflict' } });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(first.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    // A client that retries once the first call is done gets the first call's response, byte for byte.
    const responses = [...first.filter((r) => r.status === 200), ...(await Promise.all(first.filter((r) => r.status !== 200).map(send)))];
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([200]));
    expect(new Set(responses.map((response) => response.text)).size).toBe(1);
    await eventually(async () => (await given.mailTo('idem2@partner.example')).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await given.mailTo('idem1@partner.example')).toHaveLength(1);
    expect(await given.mailTo('idem2@partner.example')).toHaveLength(1);
    const seats = await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken });
    const reused = await invite({ ...body, message: 'changed' }, { headers: { 'idempotency-key': 'key-20x' } });
    expect(reused.status).toBe(409);
    expect(reused.json).toMatchObject({ error: { code: 'conflict' } });
    expect((await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json).toEqual(seats.json);
  });
});

describe('invitation links', () => {
  it('does nothing on GET (5×), then accepts once; used links answer 410 invitation_used', async () => {
    const invited = await invite({ emails: ['link@partner.example'], roles: { wiki: 'guest' } });
    const [mail] = await eventually(async () => (await given.mailTo('link@partner.example')).length > 0 && given.mailTo('link@partner.example'));
    const token = linkIn(mail!);
    for (let i = 0; i < 5; i++) expect((await given.api('GET', `/invitations/${token}`)).status).toBe(200);
    const person = await given.api('GET', `/sites/${site.siteId}/users/${invited.json.results[0]!.userId}`, { token: site.adminToken });
    expect(person.json).toMatchObject({ status: 'invited' });
    expect(person.json).not.toHaveProperty('displayName');
    expect((await given.api('POST', `/invitations/${token}/accept`, { body: { displayName: 'Lin' } })).status).toBe(200);
    const used = await given.api('POST', `/invitations/${token}/accept`, { body: {} });
    expect(used.status).toBe(410);
    expect(used.json).toMatchObject({ error: { code: 'invitation_used' } });
    const page = await given.api('GET', `/invitations/${token}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(410);
    expect(page.text).toContain('already accepted');
    expect(page.text).not.toContain('link@partner.example');
  });

  it('answers unknown and malformed tokens with 404 pages that reveal nothing', async () => {
    const unknown = await given.api('GET', `/invitations/${'A'.repeat(43)}`, { headers: { accept: 'application/json' } });
    expect(unknown.status).toBe(404);
    expect((await given.api('GET', '/invitations/short', { headers: { accept: 'text/html' } })).text).toContain('not valid');
  });

  it('stores only token digests: no raw link token anywhere in the table', async () => {
    await invite({ emails: ['digest@partner.example'], roles: { wiki: 'guest' } });
    const [mail] = await eventually(async () => (await given.mailTo('digest@partner.example')).length > 0 && given.mailTo('digest@partner.example'));
    const token = linkIn(mail!);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
    const tableName = process.env.TABLE_NAME!;
    let cursor: Record<string, unknown> | undefined;
    let dump = '';
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: cursor }));
      dump += JSON.stringify(page.Items ?? []);
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump).not.toContain(token);
    const { createHash } = await import('node:crypto');
    expect(dump).toContain(createHash('sha256').update(token).digest('hex'));
  });
});
