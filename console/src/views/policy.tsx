import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Policy, PolicyReview } from '../api';
import { ErrorNote, Loading, useConsole, useLoad } from '../ui';
import { POLICY_EFFECT_WORDS, failureText, formatTime } from '../words';

/**
 * Propose → review → apply: the API applies a change only with the token of a fresh review of that
 * very proposal, so the admin always sees who is affected before anything changes.
 */
export function PolicyView() {
  const { api, announce } = useConsole();
  const current = useLoad(() => api.policy(), []);
  const [draft, setDraft] = useState<Policy | undefined>(undefined);
  const [review, setReview] = useState<{ policy: Policy; page: PolicyReview; pageNumber: number; cursors: (string | undefined)[] } | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [applied, setApplied] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // The buttons are disabled while a call runs, which drops their focus: the answer takes it.
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  const appliedNote = useRef<HTMLParagraphElement>(null);
  useEffect(() => reviewHeading.current?.focus(), [review]);
  useEffect(() => appliedNote.current?.focus(), [applied]);
  const ids = { twoStep: useId(), days: useId(), daysHelp: useId(), tokens: useId() };

  const base: Policy | undefined = current.data
    ? { twoStepRequired: current.data.twoStepRequired, reverifyEveryDays: current.data.reverifyEveryDays, apiTokensAllowed: current.data.apiTokensAllowed }
    : undefined;
  const proposal = draft ?? base;
  // A proposal changed after its review needs a review of its own.
  const change = (next: Policy) => {
    setDraft(next);
    setReview(undefined);
    setApplied(undefined);
  };

  const fetchReview = async (policy: Policy, cursors: (string | undefined)[]) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const page = await api.reviewPolicy(policy, cursors[cursors.length - 1]);
      setReview({ policy, page, pageNumber: cursors.length, cursors });
      announce(`Review: ${page.affected.length} ${page.affected.length === 1 ? 'change' : 'changes'} on this page${page.nextCursor ? ', more on the next page' : ''}.`);
    } catch (error) {
      setFailure(error);
      announce(failureText(error));
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    if (!review) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const policy = await api.applyPolicy(review.policy, review.page.reviewToken);
      setApplied(describe(policy));
      setReview(undefined);
      setDraft(undefined);
      announce('The policy is applied.');
      current.reload();
    } catch (error) {
      setFailure(error);
      announce(failureText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Loading loaded={current} />
      <ErrorNote error={current.error} />
      {current.data ? (
        <section aria-labelledby="policy-now-title">
          <h2 id="policy-now-title">In force now</h2>
          <p data-testid="policy-now">{describe(current.data)}</p>
          {current.data.verifiedDomains.length > 0 ? <p class="hint">Paid users at {current.data.verifiedDomains.join(', ')} are internal; everyone else is external.</p> : null}
        </section>
      ) : null}
      {proposal ? (
        <form
          class="stack narrow"
          aria-labelledby="policy-propose-title"
          onSubmit={(event) => {
            event.preventDefault();
            void fetchReview(proposal, [undefined]);
          }}
        >
          <h2 id="policy-propose-title">Propose a change</h2>
          <div class="check">
            <input type="checkbox" id={ids.twoStep} checked={proposal.twoStepRequired} onChange={(event) => change({ ...proposal, twoStepRequired: event.currentTarget.checked })} />
            <label for={ids.twoStep}>External users must use two-step verification</label>
          </div>
          <div class="field">
            <label for={ids.days}>Re-verify external users every (days)</label>
            <input
              id={ids.days}
              type="number"
              min={1}
              max={30}
              inputMode="numeric"
              aria-describedby={ids.daysHelp}
              value={String(proposal.reverifyEveryDays)}
              onInput={(event) => {
                const days = Number(event.currentTarget.value);
                if (Number.isInteger(days) && days >= 1 && days <= 30) change({ ...proposal, reverifyEveryDays: days });
              }}
            />
            <p id={ids.daysHelp} class="hint">
              A whole number from 1 to 30.
            </p>
          </div>
          <div class="check">
            <input type="checkbox" id={ids.tokens} checked={proposal.apiTokensAllowed} onChange={(event) => change({ ...proposal, apiTokensAllowed: event.currentTarget.checked })} />
            <label for={ids.tokens}>External users may use API tokens</label>
          </div>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Review who is affected
            </button>
          </div>
        </form>
      ) : null}
      <ErrorNote error={failure} />
      {applied ? (
        <p class="success" role="status" ref={appliedNote} tabIndex={-1}>
          Applied: {applied}
        </p>
      ) : null}
      {review ? (
        <section aria-labelledby="policy-review-title" class="outcomes">
          <h2 id="policy-review-title" ref={reviewHeading} tabIndex={-1}>
            Review: {describe(review.policy)}
          </h2>
          {review.page.affected.length === 0 ? <p>Nobody is affected{review.pageNumber > 1 ? ' on this page' : ''}.</p> : null}
          <ul class="results">
            {review.page.affected.map((entry) => (
              <li key={`${entry.userId}-${entry.effect}`}>
                <strong>{entry.email}</strong>: {POLICY_EFFECT_WORDS[entry.effect] ?? entry.effect}
              </li>
            ))}
          </ul>
          <nav class="pager" aria-label="Review pages">
            <button type="button" disabled={busy || review.pageNumber === 1} onClick={() => void fetchReview(review.policy, review.cursors.slice(0, -1))}>
              Previous page
            </button>
            <span>Page {review.pageNumber}</span>
            <button
              type="button"
              disabled={busy || !review.page.nextCursor}
              onClick={() => review.page.nextCursor && void fetchReview(review.policy, [...review.cursors, review.page.nextCursor])}
            >
              Next page
            </button>
          </nav>
          <p class="hint">This review can be applied until {formatTime(review.page.expiresAt)}, once.</p>
          <div class="actions">
            <button type="button" class="primary" disabled={busy} onClick={() => void apply()}>
              Apply this policy
            </button>
          </div>
        </section>
      ) : null}
    </>
  );
}

function describe(policy: Policy): string {
  return [
    policy.twoStepRequired ? 'two-step verification required' : 'two-step verification not required',
    `re-verification every ${policy.reverifyEveryDays} ${policy.reverifyEveryDays === 1 ? 'day' : 'days'}`,
    policy.apiTokensAllowed ? 'API tokens allowed' : 'API tokens blocked',
  ].join(', ');
}
