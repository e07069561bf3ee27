import { render } from 'preact';
import { ConsoleApp, GatePage } from './app';
import { Auth, BASE, loadConfig } from './auth';
import { isCallback } from './route';
import './styles.css';

const root = document.getElementById('app')!;

async function start(): Promise<void> {
  let auth: Auth | undefined;
  try {
    const config = await loadConfig();
    auth = new Auth(config);
    if (isCallback()) {
      // Back from the provider: finish the code exchange, then return to the view the admin was on
      // (replace, so Back does not land on the spent callback URL).
      window.history.replaceState(null, '', await auth.completeSignIn());
    }
    const current = await auth.current();
    if ('signedOut' in current) {
      render(<GatePage gate={{ kind: 'signed-out', why: current.signedOut }} auth={auth} />, root);
      return;
    }
    render(<ConsoleApp config={config} auth={auth} user={current.user} />, root);
  } catch (error) {
    // A failed callback leaves its spent code in the address bar; reloading it would fail again.
    if (isCallback()) window.history.replaceState(null, '', BASE);
    const message = error instanceof Error ? error.message : String(error);
    render(<GatePage gate={{ kind: 'failed', message: `${message} Reload the page to try again.` }} auth={auth} />, root);
  }
}

void start();
