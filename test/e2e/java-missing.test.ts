import { spawn } from 'node:child_process';
import { accessSync, constants, chmodSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { javaMajorVersion, freePort } from '../../infra/local/services';

/**
 * The README's two commands on a machine without Java: each stops at once with one line that
 * says what to install, instead of a stack trace from DynamoDB Local.
 */
const MISSING =
  'guestpass needs a Java 17+ runtime for DynamoDB Local: install one (e.g. OpenJDK 17) and make `java` available on PATH.';

const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});


function onPath(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return realpathSync(join(dir, command));
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${command} is not on PATH, so this test cannot run the README's commands`);
}

/**
 * A PATH of only what npm scripts need (this Node, npm, sh), since the system's bin directories
 * hold a Java on machines that have one; `java` is an optional stand-in script.
 */
function bareBin(java?: string): string {
  const bin = tempDir('guestpass-nojava-');
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(onPath('npm'), join(bin, 'npm'));
  symlinkSync(onPath('sh'), join(bin, 'sh'));
  if (java) {
    writeFileSync(join(bin, 'java'), java);
    chmodSync(join(bin, 'java'), 0o755);
  }
  return bin;
}

async function run(args: string[], bin: string): Promise<{ code: number | null; stderr: string }> {
  // Vitest's own variables would make the nested run think it is a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const child = spawn(join(bin, 'npm'), args, {
    cwd: PROJECT_ROOT,
    env: {
      ...env,
      PATH: bin,
      GUESTPASS_STATE_DIR: tempDir('guestpass-nojava-state-'),
      // Should a Java turn up after all, the stack must not collide with a developer's own.
      GUESTPASS_API_PORT: String(await freePort()),
      GUESTPASS_SES_PORT: String(await freePort()),
      GUESTPASS_SFN_PORT: String(await freePort()),
      GUESTPASS_DYNAMODB_PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, stderr };
}

describe('without Java 17+', () => {
  it('npm start stops at once with one line saying to install Java', async () => {
    const { code, stderr } = await run(['start'], bareBin());
    expect(code).not.toBe(0);
    expect(code).not.toBeNull(); // null: killed by the timeout, so it did not stop at once
    expect(stderr.trim().split('\n')).toEqual([MISSING]);
  }, 60_000);

  it('npm test stops at once with the same line', async () => {
    const { code, stderr } = await run(['test', '--', 'test/unit/email.test.ts'], bareBin());
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr.trim().split('\n')).toEqual([MISSING]);
  }, 60_000);

  it('npm start names a Java that is too old', async () => {
    const java11 = '#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n';
    const { code, stderr } = await run(['start'], bareBin(java11));
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr.trim().split('\n')).toEqual([MISSING.replace('Local:', 'Local (found Java 11):')]);
  }, 60_000);

  it('reads the major version from both numbering schemes', () => {
    expect(javaMajorVersion('java version "1.8.0_292"')).toBe(8);
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19 LTS')).toBe(21);
    expect(javaMajorVersion('Picked up JAVA_TOOL_OPTIONS: -Xss1m\nopenjdk version "11.0.22"')).toBe(11);
    expect(javaMajorVersion('no version here')).toBeUndefined();
  });
});
