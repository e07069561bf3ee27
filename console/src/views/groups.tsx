import { useId, useState } from 'preact/hooks';
import type { AppRole, Group } from '../api';
import { ConfirmDialog, ErrorNote, Loading, Outcomes, forEachPerson, summary, useConsole, useLoad, type Outcome } from '../ui';
import { ROLE_WORDS } from '../words';
import { splitAddresses } from './invite';

const ROLES: AppRole[] = ['guest', 'user', 'app-admin', 'none'];

/** The wiki role a group gives its members. */
function RoleSelect(props: { id: string; value: AppRole; onChange: (role: AppRole) => void }) {
  return (
    <select id={props.id} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value as AppRole)}>
      {ROLES.map((value) => (
        <option key={value} value={value}>
          {ROLE_WORDS[value]}
        </option>
      ))}
    </select>
  );
}

export function GroupsView() {
  const { api, announce } = useConsole();
  const groups = useLoad(() => api.groups(), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<AppRole>('guest');
  const [outcomes, setOutcomes] = useState<{ title: string; list: Outcome[] } | undefined>(undefined);
  const [promoting, setPromoting] = useState<Group | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const ids = { name: useId(), role: useId() };

  const act = async (title: string, label: string, call: () => Promise<string>) => {
    setBusy(true);
    const list = await forEachPerson([{ label }], call);
    setOutcomes({ title, list });
    announce(`${title}: ${summary(list)}`);
    setBusy(false);
    groups.reload();
  };

  const create = (event: Event) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      announce('Give the group a name.');
      document.getElementById(ids.name)?.focus();
      return;
    }
    void act('Create group', trimmed, async () => {
      const group = await api.createGroup(trimmed, role);
      setName('');
      return `created with the role ${ROLE_WORDS[group.role]}`;
    });
  };

  return (
    <>
      <form class="stack narrow" onSubmit={create} aria-labelledby="new-group-title">
        <h2 id="new-group-title">New group</h2>
        <div class="field">
          <label for={ids.name}>Name</label>
          <input id={ids.name} maxLength={200} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={ids.role}>Role its members get in the wiki</label>
          <RoleSelect id={ids.role} value={role} onChange={setRole} />
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Create group
          </button>
        </div>
      </form>
      <Outcomes title={outcomes ? `${outcomes.title}: results` : ''} outcomes={outcomes?.list} />
      <section aria-labelledby="group-list-title">
        <h2 id="group-list-title">Groups</h2>
        <Loading loaded={groups} />
        <ErrorNote error={groups.error} />
        {groups.data && groups.data.length === 0 ? <p>The site has no groups yet.</p> : null}
        <ul class="cards">
          {(groups.data ?? []).map((group) => (
            <GroupCard key={group.groupId} group={group} busy={busy} act={act} onPromote={() => setPromoting(group)} />
          ))}
        </ul>
      </section>
      <ConfirmDialog
        open={promoting !== undefined}
        title={`Promote every member of ${promoting?.name ?? ''}?`}
        confirmLabel="Promote the group"
        onConfirm={() => {
          const group = promoting;
          setPromoting(undefined);
          if (group) void act('Promote group', group.name, async () => `role User; its ${(await api.promoteGroup(group.groupId)).memberCount} members are paid users`);
        }}
        onCancel={() => setPromoting(undefined)}
      >
        <p>The group's role becomes User and each of its {promoting?.memberCount ?? 0} members takes a paid seat; paid users can never become guests again.</p>
      </ConfirmDialog>
    </>
  );
}

function GroupCard(props: { group: Group; busy: boolean; act: (title: string, label: string, call: () => Promise<string>) => Promise<void>; onPromote: () => void }) {
  const { api } = useConsole();
  const { group } = props;
  const [role, setRole] = useState<AppRole>(group.role);
  const [members, setMembers] = useState('');
  const ids = { role: useId(), members: useId() };
  return (
    <li class="card">
      <p class="card-title">
        <strong>{group.name}</strong>
      </p>
      <dl class="facts">
        <div>
          <dt>Role</dt>
          <dd>{ROLE_WORDS[group.role]}</dd>
        </div>
        <div>
          <dt>Members</dt>
          <dd>{group.memberCount}</dd>
        </div>
        {group.pendingPromotion ? (
          <div>
            <dt>Promotion</dt>
            <dd>Unfinished: the next change to the group finishes it</dd>
          </div>
        ) : null}
      </dl>
      <div class="bulk-row">
        <div class="field inline">
          <label for={ids.role}>New role for {group.name}</label>
          <RoleSelect id={ids.role} value={role} onChange={setRole} />
        </div>
        <button
          type="button"
          disabled={props.busy || role === group.role}
          onClick={() => void props.act('Change role', group.name, async () => `role now ${ROLE_WORDS[(await api.changeGroupRole(group.groupId, role)).role]}`)}
        >
          Change role<span class="sr-only"> of {group.name}</span>
        </button>
        <button type="button" disabled={props.busy || group.role === 'user'} onClick={props.onPromote}>
          Promote members<span class="sr-only"> of {group.name}</span>
        </button>
      </div>
      <div class="bulk-row">
        <div class="field inline grow">
          <label for={ids.members}>User ids to add to {group.name}</label>
          <input id={ids.members} value={members} onInput={(event) => setMembers(event.currentTarget.value)} />
        </div>
        <button
          type="button"
          disabled={props.busy || splitAddresses(members).length === 0}
          onClick={() =>
            void props.act('Add members', group.name, async () => {
              const updated = await api.addGroupMembers(group.groupId, splitAddresses(members));
              setMembers('');
              return `${updated.memberCount} members now`;
            })
          }
        >
          Add members<span class="sr-only"> to {group.name}</span>
        </button>
      </div>
    </li>
  );
}
