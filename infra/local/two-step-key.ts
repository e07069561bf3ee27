import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { newLocalKey } from '../../shared/security/sealing';

/**
 * The local stand-in for the two-step KMS key: a key-encryption key (`TWO_STEP_LOCAL_KEY`) made on
 * first use and kept in the state directory beside the signing key, so secrets sealed before a
 * restart with `--persist` still open after it.
 */
export function localTwoStepKey(keyFile: string): string {
  if (existsSync(keyFile)) return readFileSync(keyFile, 'utf8').trim();
  const key = newLocalKey();
  mkdirSync(dirname(keyFile), { recursive: true });
  try {
    // `wx`: two stacks starting at once on one state directory keep the first key written.
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(keyFile, 'utf8').trim();
    throw error;
  }
}
