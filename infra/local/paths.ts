import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Git-ignored state of local runs: the signing key, local.json, persisted DynamoDB data.
 * GUESTPASS_STATE_DIR moves it (tests run a second stack beside a developer's own).
 */
export const LOCAL_STATE_DIR = process.env.GUESTPASS_STATE_DIR ?? join(PROJECT_ROOT, '.guestpass');
