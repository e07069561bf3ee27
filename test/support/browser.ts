import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

/** Headless flags for a browser of the developer's own choosing, which brings no flag list of its own. */
const OVERRIDE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Chromium for the browser tests: the build shipped in the npm registry (@sparticuz/chromium,
 * unpacked on first use), or the one CHROMIUM_PATH names. A browser that cannot start is a
 * failing test with the reason in its message, never a skipped one.
 */
export async function launchBrowser(): Promise<Browser> {
  const override = process.env.CHROMIUM_PATH || undefined;
  const source = override ? 'CHROMIUM_PATH' : '@sparticuz/chromium';
  let executablePath: string;
  try {
    executablePath = override ?? (await chromium.executablePath());
  } catch (error) {
    throw new Error(`The browser tests could not unpack Chromium from @sparticuz/chromium: ${reason(error)}`, { cause: error });
  }
  try {
    return await playwright.launch({ executablePath, args: override ? OVERRIDE_ARGS : chromium.args, headless: true });
  } catch (error) {
    throw new Error(`The browser tests could not start Chromium from ${source} at ${executablePath}: ${reason(error)}`, { cause: error });
  }
}

/** Kept whole: a missing shared library, say, shows only in the browser log Playwright appends. */
function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
