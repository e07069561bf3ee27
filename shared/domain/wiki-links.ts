/**
 * Where guestpass sends people into the wiki: the site's `wikiUrl`, or a space's page under it
 * (`<wikiUrl>/spaces/<KEY>`, the wiki's own space URLs). Without a `wikiUrl` there is no link at all:
 * a button to nowhere is worse than none.
 */
export function wikiLinkFor(wikiUrl: string | undefined, spaceKey?: string | undefined): string | undefined {
  if (wikiUrl === undefined) return undefined;
  const base = wikiUrl.replace(/\/+$/, '');
  return spaceKey === undefined ? base : `${base}/spaces/${encodeURIComponent(spaceKey)}`;
}

/**
 * A site's wiki address must be an absolute https URL with no credentials, query or fragment (it
 * is put in emails); plain http only for a wiki on this machine (local development).
 */
export function wikiUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Give the wiki’s address as an absolute URL (https://wiki.example.com).';
  }
  const local = parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1';
  if (parsed.protocol !== 'https:' && !(local && parsed.protocol === 'http:')) return 'The wiki’s address must use https.';
  if (parsed.username || parsed.password) return 'The wiki’s address must not contain credentials.';
  if (parsed.search || parsed.hash) return 'The wiki’s address must not have a query or fragment.';
  return null;
}
