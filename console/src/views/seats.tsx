import type { Seats } from '../api';
import { ErrorNote, Loading, useConsole, useLoad } from '../ui';

/**
 * The site's seats as one bar over the user limit: paid users, guests, and the guest allowance
 * still free. The bar is drawn with SVG geometry (no inline styles under the console's CSP) and
 * hidden from screen readers; the list beside it says the same in words.
 */
export function SeatsBar(props: { seats: Pick<Seats, 'paid' | 'guests' | 'guestLimit' | 'userLimit'> }) {
  const { paid, guests, guestLimit, userLimit } = props.seats;
  const total = Math.max(userLimit, paid + guests, 1);
  const share = (count: number) => (Math.max(count, 0) / total) * 100;
  const freeGuests = Math.max(guestLimit - guests, 0);
  const segments = [
    { name: 'paid', width: share(paid) },
    { name: 'guests', width: share(guests) },
    { name: 'allowance', width: share(Math.min(freeGuests, Math.max(total - paid - guests, 0))) },
  ];
  let x = 0;
  return (
    <figure class="seats">
      <svg class="seats-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <rect class="seg-free" x="0" y="0" width="100" height="10" />
        {segments.map((segment) => {
          const rect = <rect key={segment.name} class={`seg-${segment.name}`} x={x} y="0" width={segment.width} height="10" />;
          x += segment.width;
          return rect;
        })}
      </svg>
      <figcaption>
        <dl class="seat-figures">
          <div>
            <dt>
              <span class="swatch swatch-paid" aria-hidden="true" /> Paid users
            </dt>
            <dd data-seat="paid">
              {paid} of {userLimit} (user limit)
            </dd>
          </div>
          <div>
            <dt>
              <span class="swatch swatch-guests" aria-hidden="true" /> Guests
            </dt>
            <dd data-seat="guests">
              {guests} of {guestLimit} (guest allowance)
            </dd>
          </div>
          <div>
            <dt>
              <span class="swatch swatch-allowance" aria-hidden="true" /> Guest seats free
            </dt>
            <dd data-seat="free-guests">{freeGuests}</dd>
          </div>
        </dl>
      </figcaption>
    </figure>
  );
}

export function SeatsView() {
  const { api } = useConsole();
  const seats = useLoad(() => api.seats(), []);
  return (
    <>
      <Loading loaded={seats} />
      <ErrorNote error={seats.error} />
      {seats.data ? (
        <>
          <SeatsBar seats={seats.data} />
          <p>
            Plan <strong>{seats.data.plan}</strong>: up to {seats.data.guestRatio} guests per paid user, within the user limit. Invited, active and suspended people hold a
            seat.
          </p>
          <button type="button" onClick={seats.reload}>
            Refresh
          </button>
        </>
      ) : null}
    </>
  );
}
