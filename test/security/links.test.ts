import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scanAll } from '../support/directory';
import { tableState } from '../support/route-bodies';
import { eventually, linkIn, startTestStack, type ApiResponse, type TestSite, type TestStack } from '../support/stack';

/**
 * The invitation link is the guest's only credential: 256 bits from the CSPRNG, only its digest
 * at rest, one acceptance however many arrive at once, dead after its expiry, untouched by any
 * number of GETs (mail scanners prefetch links), and every refusal — unknown, used, revoked,
 * expired — the same template for any token, naming nobody.
 */
const SEED = 31337;
const RUNS = Number(process.env.LINK_RUNS ?? 40);
const SITE_NAME = 'Acme Research Wiki';
/** The admin who invites everyone here (`createSite`'s admin), the one person a refused page may name. */
const INVITER_NAME = 'Ada Admin';

let given: TestStack;
let site: TestSite;

beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite({ name: SITE_NAME, guestRatio: 100, userLimit: 200 });
});
afterAll(() => given?.close());

/**
 * Runs `call` eight days from now (links live seven by default) as far as the handlers can tell:
 * they read the time from `Date`, which is all this moves; timers and the workflow run on. One
 * stack per process (its configuration is the process's environment), so the clock is the way
 * to an expired link here.
 */
async function eightDaysLater<T>(call: () => Promise<T>): Promise<T> {
  vi.setSystemTime(Date.now() + 8 * 24 * 3600 * 1000);
  try {
    return await call();
  } finally {
    vi.useRealTimers();
  }
}

type InviteResult = { results: { email: string; status: string; userId?: string; invitationId?: string }[] };

/** Invites these addresses as guests and returns each one's link token, from the email it got. */
async function linksFor(on: TestSite, emails: string[]): Promise<{ email: string; userId: string; invitationId: string; token: string }[]> {
  const invited = await given.api<InviteResult>('POST', `/sites/${on.siteId}/invitations`, { token: on.adminToken, body: { emails, roles: { wiki: 'guest' } } });
  expect(invited.status, invited.text).toBe(200);
  return Promise.all(
    invited.json.results.map(async (row) => {
      expect(row.status, JSON.stringify(row)).toBe('invited');
      const mail = await eventually(async () => (await given.mailTo(row.email)).find((email) => email.subject.includes(on.siteId === site.siteId ? SITE_NAME : on.siteId)));
      return { email: row.email, userId: row.userId!, invitationId: row.invitationId!, token: linkIn(mail) };
    }),
  );
}

/** A site's pending invitations, once every email is out and recorded: nothing moves on its own after that. */
async function settled(on: TestSite, count: number) {
  await eventually(async () => {
    const list = await given.api<{ invitations: { delivery: string }[] }>('GET', `/sites/${on.siteId}/invitations?status=pending`, { token: on.adminToken });
    return list.json.invitations.length === count && list.json.invitations.every((entry) => entry.delivery === 'sent');
  });
}

/** The items of one site and of its links: what a GET of its link could touch. */
async function siteState(on: TestSite, tokens: string[]) {
  const links = new Set(tokens.map((token) => `LINK#${createHash('sha256').update(token).digest('hex')}`));
  const items = (await tableState(given.db)).filter((item) => String(item.pk).startsWith(`SITE#${on.siteId}`) || links.has(String(item.pk)));
  expect([...links].every((pk) => items.some((item) => item.pk === pk)), 'the link items are found').toBe(true);
  return items;
}

const person = (on: TestSite, userId: string) => given.api<{ status: string }>('GET', `/sites/${on.siteId}/users/${userId}`, { token: on.adminToken });

describe('link tokens', () => {
  it('are 256 bits: 43 base64url characters that decode to 32 bytes, a different one per invitation', async () => {
    const links = await linksFor(site, Array.from({ length: 10 }, (_, index) => `bits${index}@partner.example`));
    for (const { token } of links) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      // Canonical base64url: re-encoding the 32 bytes gives the token back, so no bits are padding
      expect(Buffer.from(token, 'base64url').toString('base64url')).toBe(token);
    }
    expect(new Set(links.map((link) => link.token)).size).toBe(links.length);
  });

  it('are stored only as their SHA-256: no raw token from an email appears in any item', async () => {
    const links = await linksFor(site, ['digest1@partner.example', 'digest2@partner.example']);
    const dump = JSON.stringify(await scanAll(given.db));
    for (const { token } of links) {
      expect(dump).not.toContain(token);
      // The scan does see the link items: their digest is there
      expect(dump).toContain(createHash('sha256').update(token).digest('hex'));
    }
  });
});

describe('accepting', () => {
  it('20 accepts of one link at once: exactly one wins, the other 19 get the contract’s used answer', async () => {
    const [link] = await linksFor(site, ['racer@partner.example']);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => given.api('POST', `/invitations/${link!.token}/accept`, { body: { displayName: `Racer ${index}` } })));
    const wins = answers.filter((answer) => answer.status === 200);
    expect(wins.map((answer) => answer.json), answers.map((answer) => `${answer.status} ${answer.text}`).join('\n')).toEqual([{ userId: link!.userId, status: expect.any(String) }]);
    const losses = answers.filter((answer) => answer.status !== 200).map((answer) => [answer.status, (answer.json as { error?: { code?: string } }).error?.code]);
    expect(losses).toEqual(Array.from({ length: 19 }, () => [410, 'invitation_used']));
    // The winner's name is the one stored, once
    const accepted = await given.api<{ displayName?: string }>('GET', `/sites/${site.siteId}/users/${link!.userId}`, { token: site.adminToken });
    const winner = answers.indexOf(wins[0]!);
    expect(accepted.json.displayName).toBe(`Racer ${winner}`);
  });

  it('GET is inert: 30 views of the page (HTML and JSON, some at once) change nothing, and the link still accepts', async () => {
    const quiet = await given.createSite();
    const [link] = await linksFor(quiet, ['scanner@partner.example']);
    await settled(quiet, 1);
    // The onboarding parks its task token on the invitation once the email is out: then it waits
    const before = await eventually(async () => {
      const items = await siteState(quiet, [link!.token]);
      return items.some((item) => String(item.sk).startsWith('INVITATION#') && typeof item.acceptTaskToken === 'string') && items;
    });
    for (let round = 0; round < 3; round++) {
      const views = await Promise.all(
        Array.from({ length: 10 }, (_, index) => given.api('GET', `/invitations/${link!.token}`, { headers: { accept: index % 2 === 0 ? 'text/html' : 'application/json' } })),
      );
      expect(views.map((view) => view.status)).toEqual(views.map(() => 200));
    }
    expect(await siteState(quiet, [link!.token])).toEqual(before);
    expect((await person(quiet, link!.userId)).json.status).toBe('invited');
    const accepted = await given.api('POST', `/invitations/${link!.token}/accept`, { body: {} });
    expect(accepted.status, accepted.text).toBe(200);
  });

  it('a link past its expiry is refused as expired, and accepting it does not let the guest in', async () => {
    const [link] = await linksFor(site, ['late@partner.example']);
    const [page, accept] = await eightDaysLater(async () => [
      await given.api('GET', `/invitations/${link!.token}`, { headers: { accept: 'application/json' } }),
      await given.api('POST', `/invitations/${link!.token}/accept`, { body: { displayName: 'Too Late' } }),
    ]);
    expect(Math.abs(Date.now() - (performance.timeOrigin + performance.now())), 'the clock is back').toBeLessThan(1_000);
    for (const answer of [page!, accept!]) {
      expect(answer.status, answer.text).toBe(410);
      expect(answer.json).toMatchObject({ error: { code: 'invitation_expired' } });
    }
    const after = await given.api<{ status: string; displayName?: string }>('GET', `/sites/${site.siteId}/users/${link!.userId}`, { token: site.adminToken });
    expect(after.json.status).toBe('invited');
    expect(after.json.displayName).toBeUndefined();
  });
});

describe('refused links', () => {
  type State = 'unknown' | 'used' | 'revoked' | 'expired';
  let tokens: Record<State, string>;
  /** Everything about the people of both stacks that a refusal must never show. */
  let secrets: string[];

  beforeAll(async () => {
    const [used, revoked] = await linksFor(site, ['used@partner.example', 'revoked@partner.example']);
    expect((await given.api('POST', `/invitations/${used!.token}/accept`, { body: { displayName: 'Uma Used' } })).status).toBe(200);
    expect((await given.api('DELETE', `/sites/${site.siteId}/invitations/${revoked!.invitationId}`, { token: site.adminToken })).status).toBe(204);
    const [expired] = await linksFor(site, ['expired@partner.example']);
    tokens = { unknown: 'A'.repeat(43), used: used!.token, revoked: revoked!.token, expired: expired!.token };
    const people = await scanAll(given.db);
    secrets = [
      ...new Set(
        people.flatMap((item) => [item.email, item.displayName, item.name, item.siteId, item.inviterName].filter((value): value is string => typeof value === 'string' && value.length >= 4)),
      ),
    ];
    expect(secrets).toEqual(expect.arrayContaining(['used@partner.example', 'Uma Used', SITE_NAME, 'Ada Admin', site.siteId]));
  }, 60_000);

  const ways = {
    'GET as a page': (token: string) => given.api('GET', `/invitations/${token}`, { headers: { accept: 'text/html' } }),
    'GET as JSON': (token: string) => given.api('GET', `/invitations/${token}`, { headers: { accept: 'application/json' } }),
    'POST as JSON': (token: string) => given.api('POST', `/invitations/${token}/accept`, { body: {} }),
    'POST from the form': (token: string) =>
      given.api('POST', `/invitations/${token}/accept`, { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, rawBody: 'displayName=Mallory' }),
  };

  /** What a refusal looks like apart from its state's words: status class, header names, and the body's skeleton. */
  function shape(answer: ApiResponse) {
    const headerNames = [...answer.headers.keys()].filter((name) => !['date', 'content-length', 'etag'].includes(name)).sort();
    const isJson = (answer.headers.get('content-type') ?? '').includes('json');
    const body = isJson ? JSON.stringify(answer.json, (key, value: unknown) => (key === 'code' || key === 'message' ? typeof value : value)) : (answer.text.match(/<[^>]*>/g) ?? []).join('');
    return { statusClass: Math.floor(answer.status / 100), headerNames, contentType: answer.headers.get('content-type'), body };
  }

  it.each(Object.entries(ways))('%s: unknown, used, revoked and expired links answer in one shape, naming nobody', async (_way, call) => {
    const answers: Record<State, ApiResponse> = {
      unknown: await call(tokens.unknown),
      used: await call(tokens.used),
      revoked: await call(tokens.revoked),
      expired: await eightDaysLater(() => call(tokens.expired)),
    };
    const reference = shape(answers.unknown);
    expect(reference.statusClass).toBe(4);
    for (const [state, answer] of Object.entries(answers)) {
      expect(shape(answer), `${state}: ${answer.status} ${answer.text.slice(0, 200)}`).toEqual(reference);
      // A page for a link that was once good names whom to ask (the invitation's own inviter), nothing else.
      const isPage = !(answer.headers.get('content-type') ?? '').includes('json');
      const mayShow = isPage && state !== 'unknown' ? [INVITER_NAME] : [];
      for (const secret of secrets.filter((candidate) => !mayShow.includes(candidate))) expect(answer.text, `${state} shows ${secret}`).not.toContain(secret);
      if (mayShow.length > 0) expect(answer.text, `${state} names whom to ask`).toContain(INVITER_NAME);
    }
    // Each state says which it is: the shapes are equal, not the answers
    expect(new Set(Object.values(answers).map((answer) => answer.text)).size).toBe(4);
  });

  it.each(Object.entries(ways))('%s: any unknown token gets the very same answer, whatever it looks like', async (_way, call) => {
    const reference = await call('B'.repeat(43));
    const tokenArb = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.string({ minLength: 1, maxLength: 80 }).filter((value) => !value.includes('/')));
    await fc.assert(
      fc.asyncProperty(tokenArb, async (token) => {
        const answer = await call(encodeURIComponent(token));
        if (/^[A-Za-z0-9_-]{43}$/.test(token)) {
          expect(answer.status).toBe(reference.status);
          expect(answer.text).toBe(reference.text);
        }
        // Malformed ones too: a 4xx in the same shape, naming nobody
        expect(shape(answer), `${JSON.stringify(token)}: ${answer.status} ${answer.text.slice(0, 200)}`).toEqual(shape(reference));
        for (const secret of secrets) expect(answer.text).not.toContain(secret);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 60_000);
});
