import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents, type AuditEventView } from '../../shared/directory/audit-log';
import { decodeCursor, encodeCursor } from '../../shared/directory/cursor';
import { createSpace } from '../../shared/directory/spaces';
import type { Directory } from '../../shared/directory/directory';
import { auditPartition } from '../../shared/directory/entities/audit-event';
import { createSite } from '../../shared/directory/sites';
import { AppError } from '../../shared/domain/errors';
import { freshDirectory } from '../support/directory';
import { loadRouteHandler, routeEvent, type RouteHandler } from '../support/lambda';

/**
 * The audit log read path against DynamoDB Local: newest first, paged by opaque cursors that
 * never fail in DynamoDB and never lead into another site's log.
 */
let db: Directory;
let alphaAdmin: string;
let bravoAdmin: string;
const START = Date.parse('2026-03-01T08:00:00.000Z');
const at = (seconds: number) => new Date(START + seconds * 1000).toISOString();

/** The spaces alpha gets, in creation order; two share a timestamp to page across a tie. */
const ALPHA_SPACES: { key: string; second: number }[] = [
  { key: 'ALPHA1', second: 1 },
  { key: 'ALPHA2', second: 2 },
  { key: 'ALPHA3', second: 3 },
  { key: 'ALPHA4', second: 3 },
  { key: 'ALPHA5', second: 5 },
  { key: 'ALPHA6', second: 6 },
  { key: 'ALPHA7', second: 7 },
];

async function newSite(siteId: string): Promise<string> {
  const created = await createSite(
    db,
    { siteId, name: siteId, orgId: `org-${siteId}`, plan: 'standard', userLimit: 10, guestRatio: 5, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] },
    'operator',
    at(0),
  );
  return created.admins[0]!.userId;
}

async function allPages(siteId: string, limit: number): Promise<{ pages: AuditEventView[][]; cursors: string[] }> {
  const pages: AuditEventView[][] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAuditEvents(db, siteId, { limit, cursor });
    pages.push(page.events);
    cursor = page.nextCursor;
    if (cursor) cursors.push(cursor);
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return { pages, cursors };
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

beforeAll(async () => {
  db = await freshDirectory('audit');
  [alphaAdmin, bravoAdmin] = await Promise.all([newSite('alpha'), newSite('bravo')]);
  // Sequential, so creation order is the order of the event ids within one timestamp.
  for (const space of ALPHA_SPACES) {
    await createSpace(db, { siteId: 'alpha', key: space.key, name: `Space ${space.key}`, anonymousAccess: space.key === 'ALPHA5' }, alphaAdmin, at(space.second));
  }
  for (const key of ['BRAVO1', 'BRAVO2', 'BRAVO3']) {
    await createSpace(db, { siteId: 'bravo', key, name: key, anonymousAccess: false }, bravoAdmin, at(10));
  }
});

describe('listAuditEvents', () => {
  it('returns the log newest first with the API’s fields only', async () => {
    // Act
    const page = await listAuditEvents(db, 'alpha', { limit: 100 });
    // Assess
    expect(page.nextCursor).toBeUndefined();
    expect(page.events.map((event) => event.target)).toEqual(['ALPHA7', 'ALPHA6', 'ALPHA5', 'ALPHA4', 'ALPHA3', 'ALPHA2', 'ALPHA1', 'alpha']);
    expect(page.events[0]).toEqual({ at: at(7), actor: alphaAdmin, action: 'space.created', target: 'ALPHA7', details: { name: 'Space ALPHA7', anonymousAccess: false } });
    expect(page.events.at(-1)).toMatchObject({ at: at(0), actor: 'operator', action: 'site.created', target: 'alpha' });
    for (const event of page.events) expect(Object.keys(event).sort()).toEqual(['action', 'actor', 'at', 'details', 'target']);
  });

  it('pages through with limit 2 without duplicates or gaps, and no empty last page', async () => {
    // Prepare
    const full = (await listAuditEvents(db, 'alpha', { limit: 100 })).events;
    // Act
    const { pages, cursors } = await allPages('alpha', 2);
    // Assess
    expect(pages.map((page) => page.length)).toEqual([2, 2, 2, 2]);
    expect(cursors).toHaveLength(3);
    expect(pages.flat()).toEqual(full);
    const times = pages.flat().map((event) => event.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('ends with a short page and no cursor when the log does not fill it', async () => {
    const { pages } = await allPages('alpha', 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 2]);
    const { pages: bravo } = await allPages('bravo', 50);
    expect(bravo.map((page) => page.length)).toEqual([4]);
    expect(bravo.flat().every((event) => event.target.startsWith('BRAVO') || event.target === 'bravo')).toBe(true);
  });

  it('is opaque base64url of this site’s audit key', async () => {
    const first = await listAuditEvents(db, 'alpha', { limit: 2 });
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const key = decodeCursor(first.nextCursor!, auditPartition('alpha'));
    expect(Object.keys(key).sort()).toEqual(['pk', 'sk']);
    expect(key.pk).toBe('SITE#alpha#AUDIT');
    expect(key.sk).toMatch(/^EVENT#2026-03-01T08:00:06\.000Z#/);
  });

  it('refuses a tampered cursor with validation_failed', async () => {
    const { nextCursor } = await listAuditEvents(db, 'alpha', { limit: 2 });
    const valid = decodeCursor(nextCursor!, auditPartition('alpha'));
    const flipped = `${nextCursor!.slice(0, 5)}${nextCursor![5] === 'A' ? 'B' : 'A'}${nextCursor!.slice(6)}`;
    const tampered = [
      flipped,
      `${nextCursor}!`,
      nextCursor!.slice(0, -7),
      'not a cursor',
      '====',
      b64('not json'),
      b64('[]'),
      b64('null'),
      b64('"SITE#alpha#AUDIT"'),
      b64(JSON.stringify({ pk: valid.pk })),
      b64(JSON.stringify({ pk: valid.pk, sk: 7 })),
      b64(JSON.stringify({ pk: valid.pk, sk: '' })),
      b64(JSON.stringify({ pk: valid.pk, sk: 'SPACE#ALPHA1' })),
      b64(JSON.stringify({ pk: valid.pk, sk: `EVENT#${'x'.repeat(1100)}` })),
      b64(JSON.stringify({ ...valid, gsi1pk: 'SITE#alpha#KIND#guest' })),
      b64(JSON.stringify({ ...valid, extra: 'x' })),
      b64(JSON.stringify({ pk: 'SITE#alpha', sk: valid.sk })),
      b64(JSON.stringify({ pk: 'SITE#alpha', sk: 'USER#usr_1' })),
    ];
    for (const cursor of tampered) {
      const error = await rejection(listAuditEvents(db, 'alpha', { limit: 2, cursor }));
      expect(error.code, cursor.slice(0, 80)).toBe('validation_failed');
      expect(error.status).toBe(400);
      expect(error.details).toEqual({ issues: [{ path: 'query.cursor', message: expect.any(String) }] });
    }
  });

  it('accepts an edited cursor that stays inside the site’s own log: it is only a starting point', async () => {
    const cursor = encodeCursor({ pk: auditPartition('alpha'), sk: `EVENT#${at(4)}` });
    const page = await listAuditEvents(db, 'alpha', { limit: 100, cursor });
    expect(page.events.map((event) => event.target)).toEqual(['ALPHA4', 'ALPHA3', 'ALPHA2', 'ALPHA1', 'alpha']);
  });

  it('refuses another site’s cursor instead of listing that site', async () => {
    // Given a real cursor of bravo's log
    const bravo = await listAuditEvents(db, 'bravo', { limit: 1 });
    expect(bravo.nextCursor).toBeDefined();
    // Then alpha's list refuses it, and bravo's accepts it
    const error = await rejection(listAuditEvents(db, 'alpha', { limit: 1, cursor: bravo.nextCursor }));
    expect(error.code).toBe('validation_failed');
    expect((await listAuditEvents(db, 'bravo', { limit: 1, cursor: bravo.nextCursor })).events[0]?.target).toMatch(/^BRAVO/);
  });

  it('refuses page sizes outside 1–100', async () => {
    for (const limit of [0, 101, 1.5, -1, Number.NaN]) {
      expect((await rejection(listAuditEvents(db, 'alpha', { limit }))).code).toBe('validation_failed');
    }
  });

  it('lists nothing for a site without events', async () => {
    expect(await listAuditEvents(db, 'nobody', { limit: 10 })).toEqual({ events: [] });
  });
});

describe('cursor codec', () => {
  it('round-trips a key', () => {
    const key = { pk: 'SITE#alpha', sk: 'USER#usr_1', gsi2pk: 'SITE#alpha#GUEST_STATUS#active', gsi2sk: '2026-01-01T00:00:00.000Z#usr_1' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
  });

  it('checks every attribute of an expected index partition', () => {
    const key = { pk: 'SITE#alpha', sk: 'USER#usr_1', gsi2pk: 'SITE#alpha#GUEST_STATUS#active', gsi2sk: 'x' };
    const cursor = encodeCursor(key);
    expect(decodeCursor(cursor, { pk: 'SITE#alpha', gsi2pk: 'SITE#alpha#GUEST_STATUS#active' })).toEqual(key);
    expect(() => decodeCursor(cursor, { pk: 'SITE#alpha', gsi2pk: 'SITE#alpha#GUEST_STATUS#invited' })).toThrow(AppError);
    expect(() => decodeCursor(cursor, 'SITE#bravo')).toThrow(AppError);
  });
});

// ---------------------------------------------------------------------------------------------
// The Lambda handler, called with the API Gateway event it gets in AWS
// ---------------------------------------------------------------------------------------------

describe('GET /sites/{siteId}/audit-events handler', () => {
  let handler: RouteHandler;
  let restore = () => undefined as void;

  beforeAll(async () => {
    ({ handler, restore } = await loadRouteHandler(db, () => import('../../functions/list-audit-events/handler')));
  });
  afterAll(() => restore());

  const call = async (siteId: string, sub: string, query?: Record<string, string>) => {
    const result = await handler(routeEvent({ method: 'GET', route: '/sites/{siteId}/audit-events', pathParameters: { siteId }, query, claims: { sub } }), {} as Context);
    return { status: result.statusCode, json: JSON.parse(result.body ?? '{}') as { events?: AuditEventView[]; nextCursor?: string; error?: { code: string } } };
  };

  it('pages the site’s log for its admin, 50 by default', async () => {
    const all = await call('alpha', alphaAdmin);
    expect(all.status).toBe(200);
    expect(all.json.events).toHaveLength(8);
    expect(all.json.nextCursor).toBeUndefined();
    const first = await call('alpha', alphaAdmin, { limit: '3' });
    expect(first.json.events?.map((event) => event.target)).toEqual(['ALPHA7', 'ALPHA6', 'ALPHA5']);
    const second = await call('alpha', alphaAdmin, { limit: '3', cursor: first.json.nextCursor! });
    expect(second.json.events?.map((event) => event.target)).toEqual(['ALPHA4', 'ALPHA3', 'ALPHA2']);
  });

  it('answers 403 to anyone but the site’s admins, before looking at the cursor', async () => {
    expect((await call('alpha', bravoAdmin)).status).toBe(403);
    expect((await call('alpha', bravoAdmin, { cursor: 'garbage!' })).status).toBe(403);
    expect((await call('nowhere', alphaAdmin)).status).toBe(403);
  });

  it('answers 400 validation_failed for a bad limit or cursor, never a 5xx', async () => {
    const bravoCursor = (await listAuditEvents(db, 'bravo', { limit: 1 })).nextCursor!;
    const queries: Record<string, string>[] = [{ limit: '0' }, { limit: '101' }, { limit: 'ten' }, { limit: '2.5' }, { cursor: 'garbage!' }, { cursor: b64('{"pk":1}') }, { cursor: bravoCursor }];
    for (const query of queries) {
      const result = await call('alpha', alphaAdmin, query);
      expect(result.status, JSON.stringify(query)).toBe(400);
      expect(result.json.error?.code).toBe('validation_failed');
    }
  });
});
