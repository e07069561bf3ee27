import { describe, expect, it } from 'vitest';
import { toGroup, toPerson } from '../../shared/http/views';

describe('API views of directory items', () => {
  it('never lets a task token, index key or invitation id out in a Person', () => {
    const person = toPerson({
      siteId: 's',
      userId: 'usr_1',
      email: 'a@partner.example',
      kind: 'guest',
      status: 'invited',
      roles: { wiki: 'guest' },
      groups: [],
      invitedAt: '2026-01-01T00:00:00.000Z',
      twoStepEnrolled: false,
      invitationId: 'inv_1',
      spaceTaskToken: 'secret-task-token',
    });
    expect(JSON.stringify(person)).not.toContain('secret-task-token');
    expect(person).not.toHaveProperty('invitationId');
    expect(person).toEqual({ userId: 'usr_1', email: 'a@partner.example', kind: 'guest', status: 'invited', roles: { wiki: 'guest' }, groups: [], invitedAt: '2026-01-01T00:00:00.000Z', twoStepEnrolled: false });
  });

  it('shows a group’s unfinished promotion, and nothing when there is none', () => {
    const group = { siteId: 's', groupId: 'grp_1', name: 'Partners', role: 'user' as const, memberCount: 3, createdAt: '2026-01-01T00:00:00.000Z' };
    expect(toGroup(group)).toEqual({ groupId: 'grp_1', name: 'Partners', role: 'user', memberCount: 3 });
    expect(toGroup({ ...group, pendingPromotion: true })).toEqual({ groupId: 'grp_1', name: 'Partners', role: 'user', memberCount: 3, pendingPromotion: true });
  });
});
