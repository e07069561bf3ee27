import { useId, useState } from 'preact/hooks';
import type { MemberStatus, Person } from '../api';
import { ConfirmDialog, ErrorNote, forEachPerson, Loading, Outcomes, PAGE_SIZES, Pager, PerPage, summary, type Outcome, useConsole, useLoad, usePaged } from '../ui';
import { STATUS_WORDS, formatTime } from '../words';


type Action = 'assign' | 'unassign' | 'remove' | 'promote' | 'deactivate' | 'reactivate' | 'delete';

/** What each action does, in the words of its button and of its confirmation. */
const ACTIONS: Record<Action, { button: string; done: string; confirm?: string; danger?: boolean }> = {
  assign: { button: 'Assign space', done: 'space assigned' },
  unassign: { button: 'Unassign space', done: 'space unassigned', confirm: 'They keep their seat but open no space until one is assigned again.' },
  remove: {
    button: 'Remove app access',
    done: 'app access removed',
    confirm: 'They leave the guest list, their seat is freed and a pending invitation stops working.',
    danger: true,
  },
  promote: { button: 'Promote to paid user', done: 'now a paid user', confirm: 'Each takes a paid seat of the user limit, and can never become a guest again.' },
  deactivate: { button: 'Deactivate', done: 'deactivated', confirm: 'They can no longer sign in or open any space until reactivated.', danger: true },
  reactivate: { button: 'Reactivate', done: 'reactivated' },
  delete: { button: 'Delete', done: 'deleted; their data is erased after the grace period', confirm: 'Their personal data is erased after the grace period. This cannot be undone.', danger: true },
};

export const personLabel = (person: Person) => (person.displayName ? `${person.displayName} <${person.email}>` : person.email);

export function GuestsView() {
  const { api, announce } = useConsole();
  const [status, setStatus] = useState<MemberStatus | ''>('');
  const [space, setSpace] = useState('');
  const [limit, setLimit] = useState<number>(PAGE_SIZES[0]);
  const [selected, setSelected] = useState<Map<string, Person>>(new Map());
  const [targetSpace, setTargetSpace] = useState('');
  const [pending, setPending] = useState<Action | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<{ title: string; list: Outcome[] } | undefined>(undefined);
  const spaces = useLoad(() => api.spaces(), []);
  const ids = { status: useId(), space: useId(), limit: useId(), target: useId() };
  const guests = usePaged(
    (cursor) =>
      api.guests({
        ...(status ? { status } : {}),
        ...(space === '*none' ? { noSpace: true } : space ? { spaceKey: space } : {}),
        limit,
        ...(cursor ? { cursor } : {}),
      }),
    [status, space, limit],
  );

  const toggle = (person: Person, on: boolean) => {
    const next = new Map(selected);
    if (on) next.set(person.userId, person);
    else next.delete(person.userId);
    setSelected(next);
  };
  const shown = guests.data?.items ?? [];
  const allShownSelected = shown.length > 0 && shown.every((person) => selected.has(person.userId));
  const selectAllShown = (on: boolean) => {
    const next = new Map(selected);
    for (const person of shown) {
      if (on) next.set(person.userId, person);
      else next.delete(person.userId);
    }
    setSelected(next);
  };

  const run = async (action: Action) => {
    setPending(undefined);
    setBusy(true);
    const people = [...selected.values()].map((person) => ({ person, label: personLabel(person) }));
    const call = async ({ person }: { person: Person }): Promise<string> => {
      switch (action) {
        case 'assign':
          await api.assignSpace(person.userId, targetSpace);
          return `space ${targetSpace} assigned`;
        case 'unassign':
          await api.unassignSpace(person.userId);
          break;
        case 'remove':
          await api.removeAppAccess(person.userId);
          break;
        case 'promote':
          await api.promote(person.userId);
          break;
        case 'deactivate':
          await api.deactivate(person.userId);
          break;
        case 'reactivate':
          await api.reactivate(person.userId);
          break;
        case 'delete':
          await api.deleteUser(person.userId);
          break;
      }
      return ACTIONS[action].done;
    };
    const list = await forEachPerson(people, call);
    // The people whose call failed stay selected, so the same action can be tried again on them alone.
    const failed = new Set(list.filter((outcome) => !outcome.ok).map((outcome) => outcome.who));
    setSelected(new Map(people.filter(({ label }) => failed.has(label)).map(({ person }) => [person.userId, person])));
    setOutcomes({ title: `${ACTIONS[action].button}: results`, list });
    announce(`${ACTIONS[action].button}: ${summary(list)}`);
    setBusy(false);
    guests.reload();
  };

  const ask = (action: Action) => {
    if (selected.size === 0) {
      announce('Select at least one guest first.');
      return;
    }
    if (action === 'assign' && !targetSpace) {
      announce('Choose the space to assign first.');
      document.getElementById(ids.target)?.focus();
      return;
    }
    if (ACTIONS[action].confirm) setPending(action);
    else void run(action);
  };

  return (
    <>
      <form class="filters" aria-label="Filter guests" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(event) => setStatus(event.currentTarget.value as MemberStatus | '')}>
            <option value="">Any status</option>
            {(['invited', 'active', 'suspended', 'deactivated'] as const).map((value) => (
              <option key={value} value={value}>
                {STATUS_WORDS[value]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={ids.space}>Space</label>
          <select id={ids.space} value={space} onChange={(event) => setSpace(event.currentTarget.value)}>
            <option value="">Any space</option>
            <option value="*none">No space (no access)</option>
            {(spaces.data ?? []).map((item) => (
              <option key={item.key} value={item.key}>
                {item.name} ({item.key})
              </option>
            ))}
          </select>
        </div>
        <PerPage id={ids.limit} value={limit} onChange={setLimit} />
      </form>

      <section class="bulk" aria-labelledby="bulk-title">
        <h2 id="bulk-title">
          With the {selected.size} selected {selected.size === 1 ? 'guest' : 'guests'}
        </h2>
        {selected.size === 0 ? <p class="hint">Select guests in the list below to act on them.</p> : null}
        <div class="bulk-row">
          <div class="field inline">
            <label for={ids.target}>Space to assign</label>
            <select id={ids.target} value={targetSpace} onChange={(event) => setTargetSpace(event.currentTarget.value)}>
              <option value="">Choose a space</option>
              {(spaces.data ?? []).map((item) => (
                <option key={item.key} value={item.key}>
                  {item.name} ({item.key})
                </option>
              ))}
            </select>
          </div>
          <button type="button" class="primary" disabled={busy} onClick={() => ask('assign')}>
            Assign space
          </button>
        </div>
        <div class="bulk-row">
          {(['unassign', 'promote', 'reactivate', 'deactivate', 'remove', 'delete'] as const).map((action) => (
            <button key={action} type="button" class={ACTIONS[action].danger ? 'danger' : undefined} disabled={busy} onClick={() => ask(action)}>
              {ACTIONS[action].button}
            </button>
          ))}
        </div>
      </section>

      <Outcomes title={outcomes?.title ?? ''} outcomes={outcomes?.list} />

      <section aria-labelledby="guest-list-title">
        <h2 id="guest-list-title">Guest list</h2>
        <Loading loaded={guests} />
        <ErrorNote error={guests.error} />
        {guests.data && shown.length === 0 ? <p>No guests match.</p> : null}
        {shown.length > 0 ? (
          <div class="check select-all">
            <input type="checkbox" id="select-all-guests" checked={allShownSelected} onChange={(event) => selectAllShown(event.currentTarget.checked)} />
            <label for="select-all-guests">Select all {shown.length} on this page</label>
          </div>
        ) : null}
        <ul class="cards">
          {shown.map((person) => (
            <li key={person.userId} class="card">
              <div class="check">
                <input type="checkbox" id={`pick-${person.userId}`} checked={selected.has(person.userId)} onChange={(event) => toggle(person, event.currentTarget.checked)} />
                <label for={`pick-${person.userId}`}>
                  <strong>{person.displayName ?? person.email}</strong>
                  {person.displayName ? <span class="muted"> {person.email}</span> : null}
                </label>
              </div>
              <dl class="facts">
                <div>
                  <dt>Status</dt>
                  <dd>{STATUS_WORDS[person.status] ?? person.status}</dd>
                </div>
                <div>
                  <dt>Space</dt>
                  <dd>{person.spaceKey ?? <span class="warning-text">None: no access yet</span>}</dd>
                </div>
                <div>
                  <dt>Invited</dt>
                  <dd>{formatTime(person.invitedAt)}</dd>
                </div>
                <div>
                  <dt>Two-step</dt>
                  <dd>{person.twoStepEnrolled ? 'Enrolled' : 'Not enrolled'}</dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
        <Pager paged={guests} label="Guest list" />
      </section>

      <ConfirmDialog
        open={pending !== undefined}
        title={pending ? `${ACTIONS[pending].button}: ${selected.size} ${selected.size === 1 ? 'guest' : 'guests'}?` : ''}
        confirmLabel={pending ? ACTIONS[pending].button : ''}
        danger={pending ? ACTIONS[pending].danger === true : false}
        onConfirm={() => pending && void run(pending)}
        onCancel={() => setPending(undefined)}
      >
        <p>{pending ? ACTIONS[pending].confirm : ''}</p>
        <ul>
          {[...selected.values()].map((person) => (
            <li key={person.userId}>{personLabel(person)}</li>
          ))}
        </ul>
      </ConfirmDialog>
    </>
  );
}
