import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks';
import { classifyInvitee } from '../../../shared/domain/people';
import { MAX_MESSAGE_LENGTH, renderInvitationEmail } from '../../../shared/email/templates';
import type { AppRole, InviteRequest, InviteResponse } from '../api';
import { ConfirmDialog, ErrorNote, useConsole, useLoad } from '../ui';
import { REJECTION_WORDS, ROLE_WORDS, failureText, formatTime } from '../words';
import { SeatsBar } from './seats';

/** The contract's limit per invite: the API refuses an 11th address, so the console does first. */
export const MAX_ADDRESSES = 10;

/** The apps an invite gives roles in; guest is a role of the wiki only. */
const APPS: { app: string; label: string; roles: AppRole[] }[] = [
  { app: 'wiki', label: 'Wiki', roles: ['none', 'guest', 'user', 'app-admin'] },
  { app: 'tracker', label: 'Tracker', roles: ['none', 'user', 'app-admin'] },
];

/** A pasted list, split on commas, semicolons, whitespace and new lines; empty pieces dropped. */
export function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((piece) => piece.trim())
    .filter((piece) => piece !== '');
}

export function InviteView(props: { inviterName: string }) {
  const { api, announce } = useConsole();
  const groups = useLoad(() => api.groups(), []);
  const spaces = useLoad(() => api.spaces(), []);
  const [addressText, setAddressText] = useState('');
  const [roles, setRoles] = useState<Record<string, AppRole>>({ wiki: 'guest', tracker: 'none' });
  const [chosenGroups, setChosenGroups] = useState<string[]>([]);
  const [spaceKey, setSpaceKey] = useState('');
  const [message, setMessage] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [result, setResult] = useState<InviteResponse | undefined>(undefined);
  // One key per distinct request: sending the same form again (after a lost answer) cannot invite twice.
  const [idempotency, setIdempotency] = useState<{ body: string; key: string } | undefined>(undefined);
  const resultsHeading = useRef<HTMLHeadingElement>(null);
  // The submit button is disabled while sending, which drops its focus: the results take it.
  useEffect(() => resultsHeading.current?.focus(), [result]);
  const ids = { addresses: useId(), addressHelp: useId(), message: useId(), messageHelp: useId(), space: useId(), warning: useId() };

  const addresses = splitAddresses(addressText);
  const tooMany = addresses.length > MAX_ADDRESSES;
  const groupRoles = (groups.data ?? []).filter((group) => chosenGroups.includes(group.groupId)).map((group) => group.role);
  const kind = classifyInvitee(roles, groupRoles);
  const paidBy = [
    ...APPS.filter(({ app }) => roles[app] === 'user' || roles[app] === 'app-admin').map(({ label, app }) => `the ${label} role ${ROLE_WORDS[roles[app] ?? 'none']}`),
    ...(groups.data ?? [])
      .filter((group) => chosenGroups.includes(group.groupId) && (group.role === 'user' || group.role === 'app-admin'))
      .map((group) => `the group ${group.name} (${ROLE_WORDS[group.role]})`),
  ];

  const request: InviteRequest = {
    emails: addresses,
    roles: Object.fromEntries(Object.entries(roles).filter(([app, role]) => app === 'wiki' || role !== 'none')),
    ...(chosenGroups.length > 0 ? { groups: chosenGroups } : {}),
    ...(spaceKey && kind === 'guest' ? { spaceKey } : {}),
    ...(message.trim() !== '' ? { message } : {}),
  };

  const chosenSpace = (spaces.data ?? []).find((space) => space.key === spaceKey);
  const preview = useMemo(() => {
    try {
      return renderInvitationEmail({
        siteName: api.siteId,
        inviterName: props.inviterName,
        recipientEmail: addresses[0] ?? 'name@partner.example',
        kind: kind ?? 'guest',
        ...(kind === 'guest' && chosenSpace ? { spaceName: chosenSpace.name, spaceKey: chosenSpace.key } : {}),
        ...(message.trim() !== '' ? { message } : {}),
        acceptUrl: new URL('/invitations/your-personal-link', window.location.href).href,
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      });
    } catch (error) {
      return { subject: '', text: failureText(error), html: '' };
    }
  }, [api.siteId, props.inviterName, addresses[0], kind, chosenSpace, message]);

  const blocker =
    addresses.length === 0
      ? 'Enter at least one address.'
      : tooMany
        ? `You entered ${addresses.length} addresses: invite at most ${MAX_ADDRESSES} at once.`
        : kind === null
          ? 'These roles and groups give no access to the wiki: give the wiki role Guest, User or App admin, or choose a group that has one.'
          : undefined;

  const send = async () => {
    setConfirming(false);
    setSending(true);
    setFailure(undefined);
    const body = JSON.stringify(request);
    const key = idempotency?.body === body ? idempotency.key : crypto.randomUUID();
    setIdempotency({ body, key });
    try {
      const answer = await api.invite(request, key);
      setResult(answer);
      const invited = answer.results.filter((row) => row.status === 'invited').length;
      announce(`${invited} invited, ${answer.results.length - invited} rejected.`);
    } catch (error) {
      setFailure(error);
      announce(`The invitation was not sent. ${failureText(error)}`);
    } finally {
      setSending(false);
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    if (blocker) {
      announce(blocker);
      document.getElementById(ids.addresses)?.focus();
      return;
    }
    if (kind === 'paid') setConfirming(true);
    else void send();
  };

  return (
    <>
      <form class="stack" onSubmit={submit} noValidate>
        <div class="field">
          <label for={ids.addresses}>Email addresses</label>
          <p id={ids.addressHelp} class="hint">
            Up to {MAX_ADDRESSES}. Paste a list: commas, spaces and new lines separate them.
          </p>
          <textarea
            id={ids.addresses}
            rows={4}
            value={addressText}
            aria-describedby={ids.addressHelp}
            aria-invalid={tooMany}
            aria-errormessage={tooMany ? `${ids.addresses}-error` : undefined}
            onInput={(event) => setAddressText(event.currentTarget.value)}
          />
          <p class={tooMany ? 'error' : 'hint'} id={`${ids.addresses}-error`} aria-live="polite">
            {tooMany ? `${addresses.length} addresses: at most ${MAX_ADDRESSES} at once. Remove ${addresses.length - MAX_ADDRESSES}.` : `${addresses.length} of ${MAX_ADDRESSES} addresses.`}
          </p>
        </div>

        <fieldset>
          <legend>Role in each app</legend>
          {APPS.map(({ app, label, roles: choices }) => (
            <div class="field inline" key={app}>
              <label for={`role-${app}`}>{label}</label>
              <select id={`role-${app}`} value={roles[app]} onChange={(event) => setRoles({ ...roles, [app]: event.currentTarget.value as AppRole })}>
                {choices.map((role) => (
                  <option key={role} value={role}>
                    {ROLE_WORDS[role]}
                  </option>
                ))}
              </select>
            </div>
          ))}
          <p class="hint">Guest is a role of the wiki only. A User or App admin role anywhere makes the person a paid user.</p>
        </fieldset>

        <fieldset>
          <legend>Groups (optional)</legend>
          <ErrorNote error={groups.error} />
          {groups.data && groups.data.length === 0 ? <p class="hint">The site has no groups yet.</p> : null}
          {(groups.data ?? []).map((group) => (
            <div class="check" key={group.groupId}>
              <input
                type="checkbox"
                id={`group-${group.groupId}`}
                checked={chosenGroups.includes(group.groupId)}
                onChange={(event) =>
                  setChosenGroups(event.currentTarget.checked ? [...chosenGroups, group.groupId] : chosenGroups.filter((id) => id !== group.groupId))
                }
              />
              <label for={`group-${group.groupId}`}>
                {group.name} <span class="muted">({ROLE_WORDS[group.role]})</span>
              </label>
            </div>
          ))}
        </fieldset>

        <div class="field">
          <label for={ids.space}>Space (optional, guests only)</label>
          <ErrorNote error={spaces.error} />
          <select id={ids.space} value={spaceKey} onChange={(event) => setSpaceKey(event.currentTarget.value)}>
            <option value="">No space yet: assign one later</option>
            {(spaces.data ?? []).map((space) => (
              <option key={space.key} value={space.key}>
                {space.name} ({space.key})
              </option>
            ))}
          </select>
          {kind === 'paid' && spaceKey ? <p class="hint">Paid users see every space: the space is not sent for them.</p> : null}
        </div>

        <div class="field">
          <label for={ids.message}>Personal message (optional)</label>
          <textarea
            id={ids.message}
            rows={4}
            maxLength={MAX_MESSAGE_LENGTH}
            value={message}
            aria-describedby={ids.messageHelp}
            onInput={(event) => setMessage(event.currentTarget.value)}
          />
          <p id={ids.messageHelp} class="hint">
            Plain text, {message.length} of {MAX_MESSAGE_LENGTH} characters.
          </p>
        </div>

        <section class="preview" aria-labelledby="preview-title">
          <h2 id="preview-title">Email preview</h2>
          <p class="hint">As the first address will get it; the link and the expiry date are filled in when it is sent.</p>
          <p class="preview-subject">
            <strong>Subject:</strong> {preview.subject}
          </p>
          <div class="preview-text" data-testid="email-preview">
            {preview.text}
          </div>
        </section>

        {paidBy.length > 0 ? (
          <p class="warning" id={ids.warning} role="note">
            <strong>Paid seats:</strong> {paidBy.join(' and ')} {paidBy.length > 1 ? 'make' : 'makes'} everyone in this invite a paid user; each takes a paid seat, and a
            paid user can never become a guest again.
          </p>
        ) : null}
        {blocker && addresses.length > 0 ? <p class="error">{blocker}</p> : null}
        <div class="actions">
          <button type="submit" class="primary" disabled={sending} aria-describedby={paidBy.length > 0 ? ids.warning : undefined}>
            {sending ? 'Sending…' : 'Send invitations'}
          </button>
        </div>
      </form>

      <ConfirmDialog open={confirming} title="Invite as paid users?" confirmLabel={`Invite ${addresses.length} paid ${addresses.length === 1 ? 'user' : 'users'}`} onConfirm={send} onCancel={() => setConfirming(false)}>
        <p>
          {paidBy.join(' and ')} {paidBy.length > 1 ? 'make' : 'makes'} {addresses.length === 1 ? 'this person a paid user' : `all ${addresses.length} people paid users`}: each
          takes a paid seat of the user limit, and cannot be made a guest later.
        </p>
      </ConfirmDialog>

      <ErrorNote error={failure} />
      {result ? (
        <section class="outcomes" aria-labelledby="invite-results">
          <h2 id="invite-results" ref={resultsHeading} tabIndex={-1}>
            Results
          </h2>
          <ul class="results">
            {result.results.map((row, index) => (
              <li key={`${index}-${row.email}`} class={row.status === 'invited' ? 'ok' : 'failed'}>
                <strong>{row.email}</strong>:{' '}
                {row.status === 'invited' ? (
                  <>
                    invited as {row.kind === 'paid' ? 'a paid user' : 'a guest'}; the invitation expires {formatTime(row.expiresAt)}.
                  </>
                ) : (
                  <>
                    rejected. <span data-reason={row.reason}>{REJECTION_WORDS[row.reason]}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
          <h3>Seats now</h3>
          <SeatsBar seats={result.seats} />
        </section>
      ) : null}
    </>
  );
}
