import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { inviteOne, requireInvitation } from '../../shared/directory/invitations';
import { endPendingInvitation } from '../../shared/directory/people/departure';
import { createSite, getSite, updateSite } from '../../shared/directory/sites';
import { newInvitationId, newUserId } from '../../shared/ids';
import { freshDirectory } from '../support/directory';

/** Expiry racing an operator's change of the guest ratio must still free the seat. */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('expiry');
});

describe('an expiring invitation', () => {
  it('frees its seat even when the guest ratio changes between the read and the write', async () => {
    const now = new Date().toISOString();
    await createSite(db, { siteId: 'exp', name: 'Exp', orgId: 'org-exp', plan: 'standard', userLimit: 20, guestRatio: 5, inviteExpiryDays: 7, admins: [{ email: 'admin@exp.example', role: 'site-admin' }] }, 'operator', now);
    const userId = newUserId();
    const invitationId = newInvitationId();
    const site = (await getSite(db, 'exp'))!;
    expect(await inviteOne(db, { site, email: 'slow@partner.example', kind: 'guest', roles: { wiki: 'guest' }, groups: [], invitedBy: 'admin', inviterName: 'Admin', userId, invitationId, now, expiresAt: now })).toEqual({ invited: true });

    // The operator lowers the ratio just before the expiry's first write reaches the table
    let interfered = false;
    const client = new Proxy(db.client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
          if (command instanceof TransactWriteCommand && !interfered) {
            interfered = true;
            await updateSite(db, 'exp', { guestRatio: 3 }, 'operator', new Date().toISOString());
          }
          return target.send(command as never);
        };
      },
    });
    const invitation = await requireInvitation(db, 'exp', invitationId);
    expect(await endPendingInvitation({ client, tableName: db.tableName }, invitation, 'expired', 'workflow', new Date().toISOString())).toBe(true);
    expect(interfered).toBe(true);
    expect(await getSite(db, 'exp')).toMatchObject({ guests: 0, paid: 1, guestRatio: 3, ratioRoom: 3, userRoom: 19 });
    expect(await requireInvitation(db, 'exp', invitationId)).toMatchObject({ status: 'expired' });
    expect(await endPendingInvitation(db, invitation, 'expired', 'workflow', new Date().toISOString())).toBe(false);
  });
});
