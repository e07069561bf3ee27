import { describe, expect, it } from 'vitest';
import { conditionsOn, render } from '../../shared/directory/expressions';
import { personIndexKeys, removalWrite, removedView, type PersonItem } from '../../shared/directory/entities/person';
import { PERSON_KINDS, MEMBER_STATUSES } from '../../shared/domain/vocabulary';

/** Which list indexes a person item is in, by kind and status: the users list and the guest list read these. */
const person: PersonItem = {
  siteId: 's1',
  userId: 'usr_1',
  email: 'ann@partner.example',
  displayName: 'Ann Berg',
  kind: 'guest',
  status: 'active',
  roles: { wiki: 'guest' },
  groups: ['grp_1'],
  spaceKey: 'ENG',
  invitedAt: '2030-01-01T00:00:00.000Z',
  activatedAt: '2030-01-02T00:00:00.000Z',
  twoStepEnrolled: true,
  twoStepLastStep: 7,
  verificationRequestedAt: '2030-02-01T00:00:00.000Z',
  verifyLinkDigest: 'digest',
  spaceTaskToken: 'token',
};
const order = '2030-01-01T00:00:00.000Z#usr_1';

describe('person index keys', () => {
  it('puts a member in gsi1 by kind and gsi2 by kind and status; guests also in gsi3 by space', () => {
    for (const kind of PERSON_KINDS) {
      for (const status of MEMBER_STATUSES) {
        const keys = personIndexKeys({ ...person, kind, status });
        expect(keys.gsi1pk).toBe(`SITE#s1#KIND#${kind}`);
        expect(keys.gsi2pk).toBe(kind === 'guest' ? `SITE#s1#GUEST_STATUS#${status}` : `SITE#s1#PAID_STATUS#${status}`);
        expect([keys.gsi1sk, keys.gsi2sk]).toEqual([order, order]);
        expect(keys.gsi3pk).toBe(kind === 'guest' ? 'SITE#s1#GUEST_SPACE#ENG' : undefined);
      }
    }
  });

  it('puts a removed person only in gsi1’s removed partition of their kind, and the name index', () => {
    expect(personIndexKeys({ ...person, status: 'removed' })).toEqual({ gsi1pk: 'SITE#s1#REMOVED#guest', gsi1sk: order, gsi5pk: 'SITE#s1#NAME', gsi5sk: 'ann berg#usr_1' });
  });

  it('keys the name index by the lower-cased name, and only for people with a name', () => {
    expect(personIndexKeys({ ...person, displayName: 'ÉMILE Zoë' }).gsi5sk).toBe('émile zoë#usr_1');
    const nameless = personIndexKeys({ ...person, displayName: undefined });
    expect(nameless.gsi5pk).toBe('SITE#s1#NAME');
    expect(nameless).not.toHaveProperty('gsi5sk');
  });
});

describe('removal', () => {
  it('leaves the id, address, name and history, and nothing of the access', () => {
    const removed = removedView(person, '2030-03-01T00:00:00.000Z');
    expect(removed).toEqual({
      siteId: 's1',
      userId: 'usr_1',
      email: 'ann@partner.example',
      displayName: 'Ann Berg',
      kind: 'guest',
      status: 'removed',
      roles: { wiki: 'guest' },
      groups: [],
      invitedAt: person.invitedAt,
      activatedAt: person.activatedAt,
      twoStepEnrolled: false,
      removedAt: '2030-03-01T00:00:00.000Z',
    });
  });

  it('is one update guarded on everything it undoes, leaving the member and re-verification indexes', () => {
    const write = removalWrite(person, '2030-03-01T00:00:00.000Z');
    if (!('update' in write)) throw new Error('an update');
    const rendered = render({ update: write.set, condition: write.condition });
    const names = Object.values(rendered.ExpressionAttributeNames ?? {});
    for (const attribute of ['gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk', 'spaceKey', 'spaceTaskToken', 'verifyLinkDigest', 'twoStepLastStep']) expect(names).toContain(attribute);
    expect(rendered.UpdateExpression).toMatch(/REMOVE .*#gsi4pk/);
    expect(Object.values(rendered.ExpressionAttributeValues ?? {})).toEqual(expect.arrayContaining(['removed', 'SITE#s1#REMOVED#guest', 'active', 'ENG', ['grp_1'], 'token']));
  });
});

describe('a BETWEEN key condition', () => {
  it('renders both ends as values', () => {
    const rendered = render({ keyCondition: conditionsOn<{ sk: string }>().between('sk', 'a', 'b') });
    expect(rendered.KeyConditionExpression).toBe('#sk BETWEEN :v0 AND :v1');
    expect(rendered.ExpressionAttributeValues).toEqual({ ':v0': 'a', ':v1': 'b' });
  });
});
