import { useId, useState } from 'preact/hooks';
import type { PersonStatus } from '../api';
import { ErrorNote, Loading, PAGE_SIZES, Pager, PerPage, useConsole, usePaged } from '../ui';
import { ROLE_WORDS, STATUS_WORDS, formatTime } from '../words';

export function PeopleView() {
  const { api } = useConsole();
  const [kind, setKind] = useState<'guest' | 'paid' | ''>('');
  const [status, setStatus] = useState<PersonStatus | ''>('');
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [limit, setLimit] = useState<number>(PAGE_SIZES[0]);
  const ids = { kind: useId(), status: useId(), q: useId(), limit: useId() };
  const people = usePaged(
    (cursor) => api.users({ ...(kind ? { kind } : {}), ...(status ? { status } : {}), ...(q ? { q } : {}), limit, ...(cursor ? { cursor } : {}) }),
    [kind, status, q, limit],
  );
  const shown = people.data?.items ?? [];
  return (
    <>
      <form
        class="filters"
        role="search"
        aria-label="Find people"
        onSubmit={(event) => {
          event.preventDefault();
          setQ(typed.trim());
        }}
      >
        <div class="field">
          <label for={ids.q}>Name or address starts with</label>
          <input id={ids.q} type="search" maxLength={100} value={typed} onInput={(event) => setTyped(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={ids.kind}>Kind</label>
          <select id={ids.kind} value={kind} onChange={(event) => setKind(event.currentTarget.value as 'guest' | 'paid' | '')}>
            <option value="">Guests and paid users</option>
            <option value="guest">Guests</option>
            <option value="paid">Paid users</option>
          </select>
        </div>
        <div class="field">
          <label for={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(event) => setStatus(event.currentTarget.value as PersonStatus | '')}>
            <option value="">Any status</option>
            {(['invited', 'active', 'suspended', 'deactivated', 'removed'] as const).map((value) => (
              <option key={value} value={value}>
                {STATUS_WORDS[value]}
              </option>
            ))}
          </select>
        </div>
        <PerPage id={ids.limit} value={limit} onChange={setLimit} />
        <div class="actions">
          <button type="submit" class="primary">
            Search
          </button>
        </div>
      </form>
      <section aria-labelledby="people-list-title">
        <h2 id="people-list-title">{q ? `People matching “${q}”` : 'Everyone on the site'}</h2>
        <Loading loaded={people} />
        <ErrorNote error={people.error} />
        {people.data && shown.length === 0 ? <p>Nobody matches.</p> : null}
        <ul class="cards">
          {shown.map((person) => (
            <li key={person.userId} class="card">
              <p class="card-title">
                <strong>{person.displayName ?? person.email}</strong>
                {person.displayName ? <span class="muted"> {person.email}</span> : null}
              </p>
              <dl class="facts">
                <div>
                  <dt>Kind</dt>
                  <dd>{person.kind === 'paid' ? 'Paid user' : 'Guest'}</dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>{STATUS_WORDS[person.status] ?? person.status}</dd>
                </div>
                <div>
                  <dt>Wiki role</dt>
                  <dd>{ROLE_WORDS[person.roles.wiki ?? 'none']}</dd>
                </div>
                {person.kind === 'guest' ? (
                  <div>
                    <dt>Space</dt>
                    <dd>{person.spaceKey ?? 'None'}</dd>
                  </div>
                ) : null}
                <div>
                  <dt>Active since</dt>
                  <dd>{formatTime(person.activatedAt)}</dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
        <Pager paged={people} label="People" />
      </section>
    </>
  );
}
