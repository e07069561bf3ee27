import { useId, useState } from 'preact/hooks';
import type { Space } from '../api';
import { ConfirmDialog, ErrorNote, Loading, Outcomes, forEachPerson, summary, useConsole, useLoad, type Outcome } from '../ui';

export function SpacesView() {
  const { api, announce } = useConsole();
  const spaces = useLoad(() => api.spaces(), []);
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [deleting, setDeleting] = useState<Space | undefined>(undefined);
  const [outcomes, setOutcomes] = useState<{ title: string; list: Outcome[] } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const ids = { key: useId(), keyHelp: useId(), name: useId(), anonymous: useId() };

  const act = async (title: string, label: string, call: () => Promise<string>) => {
    setBusy(true);
    const list = await forEachPerson([{ label }], call);
    setOutcomes({ title, list });
    announce(`${title}: ${summary(list)}`);
    setBusy(false);
    spaces.reload();
  };

  const create = (event: Event) => {
    event.preventDefault();
    const spaceKey = key.trim().toUpperCase();
    void act('Create space', spaceKey || 'the new space', async () => {
      const space = await api.createSpace(spaceKey, name.trim(), anonymous);
      setKey('');
      setName('');
      setAnonymous(false);
      return `created: ${space.name}${space.anonymousAccess ? ', open to anonymous users' : ''}`;
    });
  };

  return (
    <>
      <form class="stack narrow" onSubmit={create} aria-labelledby="new-space-title">
        <h2 id="new-space-title">New space</h2>
        <div class="field">
          <label for={ids.key}>Key</label>
          <input id={ids.key} value={key} maxLength={32} aria-describedby={ids.keyHelp} onInput={(event) => setKey(event.currentTarget.value)} />
          <p id={ids.keyHelp} class="hint">
            Upper-case letters and digits, starting with a letter (like ENG).
          </p>
        </div>
        <div class="field">
          <label for={ids.name}>Name</label>
          <input id={ids.name} value={name} maxLength={200} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <div class="check">
          <input type="checkbox" id={ids.anonymous} checked={anonymous} onChange={(event) => setAnonymous(event.currentTarget.checked)} />
          <label for={ids.anonymous}>Open to anonymous users</label>
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Create space
          </button>
        </div>
      </form>
      <Outcomes title={outcomes ? `${outcomes.title}: results` : ''} outcomes={outcomes?.list} />
      <section aria-labelledby="space-list-title">
        <h2 id="space-list-title">Spaces</h2>
        <Loading loaded={spaces} />
        <ErrorNote error={spaces.error} />
        {spaces.data && spaces.data.length === 0 ? <p>The site has no spaces yet.</p> : null}
        <ul class="cards">
          {(spaces.data ?? []).map((space) => (
            <li key={space.key} class="card">
              <p class="card-title">
                <strong>{space.name}</strong> <span class="muted">{space.key}</span>
              </p>
              <dl class="facts">
                <div>
                  <dt>Guests</dt>
                  <dd>{space.guestCount}</dd>
                </div>
                <div>
                  <dt>Anonymous users</dt>
                  <dd>{space.anonymousAccess ? 'May open it' : 'May not open it'}</dd>
                </div>
              </dl>
              <div class="actions">
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void act('Change anonymous access', space.key, async () => {
                      const updated = await api.updateSpace(space.key, { anonymousAccess: !space.anonymousAccess });
                      return updated.anonymousAccess ? 'now open to anonymous users' : 'now closed to anonymous users';
                    })
                  }
                >
                  {space.anonymousAccess ? 'Close to anonymous users' : 'Open to anonymous users'}
                  <span class="sr-only"> ({space.key})</span>
                </button>
                <button type="button" class="danger" disabled={busy} onClick={() => setDeleting(space)}>
                  Delete<span class="sr-only"> space {space.key}</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      </section>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete the space ${deleting?.key ?? ''}?`}
        confirmLabel="Delete space"
        danger
        onConfirm={() => {
          const space = deleting;
          setDeleting(undefined);
          if (space)
            void act('Delete space', space.key, async () => {
              await api.deleteSpace(space.key);
              return 'deleted; its guests keep their app access and have no space now';
            });
        }}
        onCancel={() => setDeleting(undefined)}
      >
        <p>Its {deleting?.guestCount ?? 0} guests keep their app access but lose the space, so they open nothing until another is assigned.</p>
      </ConfirmDialog>
    </>
  );
}
