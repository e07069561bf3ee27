import { useId, useState } from 'preact/hooks';
import type { Invitation, InvitationStatus } from '../api';
import { ConfirmDialog, ErrorNote, forEachPerson, Loading, Outcomes, PAGE_SIZES, Pager, PerPage, summary, type Outcome, useConsole, usePaged } from '../ui';
import { DELIVERY_WORDS, STATUS_WORDS, formatTime } from '../words';

export function InvitationsView() {
  const { api, announce } = useConsole();
  const [status, setStatus] = useState<InvitationStatus>('pending');
  const [limit, setLimit] = useState<number>(PAGE_SIZES[0]);
  const [withdrawing, setWithdrawing] = useState<Invitation | undefined>(undefined);
  const [outcomes, setOutcomes] = useState<{ title: string; list: Outcome[] } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const ids = { status: useId(), limit: useId() };
  const invitations = usePaged((cursor) => api.invitations({ status, limit, ...(cursor ? { cursor } : {}) }), [status, limit]);

  const act = async (title: string, invitation: Invitation, call: () => Promise<string>) => {
    setBusy(true);
    const list = await forEachPerson([{ label: invitation.email }], call);
    setOutcomes({ title, list });
    announce(`${title}: ${summary(list)}`);
    setBusy(false);
    invitations.reload();
  };
  const resend = (invitation: Invitation) =>
    act('Resend', invitation, async () => {
      const resent = await api.resend(invitation.invitationId);
      return `resent with a new link; it now expires ${formatTime(resent.expiresAt)}`;
    });
  const withdraw = (invitation: Invitation) => {
    setWithdrawing(undefined);
    void act('Withdraw', invitation, async () => {
      await api.withdraw(invitation.invitationId);
      return 'withdrawn: the link no longer works and the seat is free';
    });
  };

  const shown = invitations.data?.items ?? [];
  return (
    <>
      <form class="filters" aria-label="Filter invitations" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(event) => setStatus(event.currentTarget.value as InvitationStatus)}>
            {(['pending', 'accepted', 'expired', 'revoked'] as const).map((value) => (
              <option key={value} value={value}>
                {STATUS_WORDS[value]}
              </option>
            ))}
          </select>
        </div>
        <PerPage id={ids.limit} value={limit} onChange={setLimit} />
      </form>
      <Outcomes title={outcomes ? `${outcomes.title}: results` : ''} outcomes={outcomes?.list} />
      <section aria-labelledby="invitation-list-title">
        <h2 id="invitation-list-title">{STATUS_WORDS[status]} invitations</h2>
        <Loading loaded={invitations} />
        <ErrorNote error={invitations.error} />
        {invitations.data && shown.length === 0 ? <p>No {status} invitations.</p> : null}
        <ul class="cards">
          {shown.map((invitation) => (
            <li key={invitation.invitationId} class="card">
              <p class="card-title">
                <strong>{invitation.email}</strong> <span class="muted">{invitation.kind === 'paid' ? 'paid user' : 'guest'}</span>
              </p>
              <dl class="facts">
                <div>
                  <dt>Email</dt>
                  <dd class={`delivery delivery-${invitation.delivery}`}>
                    {DELIVERY_WORDS[invitation.delivery]}
                    {invitation.bounce ? ` (${invitation.bounce.type}${invitation.bounce.subType ? `, ${invitation.bounce.subType}` : ''}, ${formatTime(invitation.bounce.at)})` : ''}
                  </dd>
                </div>
                <div>
                  <dt>Invited</dt>
                  <dd>{formatTime(invitation.invitedAt)}</dd>
                </div>
                <div>
                  <dt>Expires</dt>
                  <dd>{formatTime(invitation.expiresAt)}</dd>
                </div>
                <div>
                  <dt>Space</dt>
                  <dd>{invitation.spaceKey ?? 'None'}</dd>
                </div>
                <div>
                  <dt>Resent</dt>
                  <dd>{invitation.resends === 0 ? 'Never' : invitation.resends === 1 ? 'Once' : `${invitation.resends} times`}</dd>
                </div>
              </dl>
              {invitation.status === 'pending' ? (
                <div class="actions">
                  <button type="button" disabled={busy} onClick={() => void resend(invitation)}>
                    Resend<span class="sr-only"> to {invitation.email}</span>
                  </button>
                  <button type="button" class="danger" disabled={busy} onClick={() => setWithdrawing(invitation)}>
                    Withdraw<span class="sr-only"> the invitation of {invitation.email}</span>
                  </button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
        <Pager paged={invitations} label="Invitations" />
      </section>
      <ConfirmDialog
        open={withdrawing !== undefined}
        title={`Withdraw the invitation of ${withdrawing?.email ?? ''}?`}
        confirmLabel="Withdraw"
        danger
        onConfirm={() => withdrawing && withdraw(withdrawing)}
        onCancel={() => setWithdrawing(undefined)}
      >
        <p>The link stops working, the seat is freed and the person leaves the site.</p>
      </ConfirmDialog>
    </>
  );
}
