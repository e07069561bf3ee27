import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDefinitionOf, onboardingDefinitionForLocal } from '../../infra/definition';
import type { GuestpassFunction } from '../../infra/constructs/guestpass-function';
import { allFunctions, type BuiltStack, buildStack, resources, TEST_CONFIG } from './support';

/**
 * The real build: every function bundled by local esbuild (no Docker). One stack for the file;
 * about 10–20 s on two cores.
 */
let bundled: BuiltStack;
const temporaryDirectories: string[] = [];
beforeAll(() => {
  bundled = buildStack({}, true);
  temporaryDirectories.push(bundled.app.outdir);
}, 120_000);
afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

function bundleDirectory(fn: GuestpassFunction): string {
  const asset = fn.node.tryFindChild('Code');
  if (!(asset instanceof Asset)) throw new Error(`${fn.node.path} has no code asset`);
  return join(bundled.app.outdir, asset.assetPath);
}

describe('bundled functions', () => {
  it('are ESM bundles with source maps and the createRequire banner', () => {
    for (const [name, fn] of allFunctions(bundled.stack)) {
      const directory = bundleDirectory(fn);
      expect(existsSync(join(directory, 'index.mjs.map')), name).toBe(true);
      const source = readFileSync(join(directory, 'index.mjs'), 'utf8');
      expect(source.startsWith("import { createRequire as __guestpassCreateRequire } from 'node:module';"), name).toBe(true);
    }
  });

  it('deploy the bundle as a zip asset with the index.handler entry', () => {
    for (const fn of Object.values(resources(bundled.template, 'AWS::Lambda::Function'))) {
      expect(fn.Properties?.Handler).toBe('index.handler');
      expect(fn.Properties?.Code).toMatchObject({ S3Key: expect.stringMatching(/\.zip$/) });
    }
  });

  it('load on their own, outside the project: the SDK and every dependency are inside', () => {
    // Each bundle alone in a temporary directory, so no node_modules can stand in for a missing module.
    const copies = [...allFunctions(bundled.stack)].map(([name, fn]) => {
      const directory = mkdtempSync(join(tmpdir(), `guestpass-${name}-`));
      temporaryDirectories.push(directory);
      copyFileSync(join(bundleDirectory(fn), 'index.mjs'), join(directory, 'index.mjs'));
      return join(directory, 'index.mjs');
    });
    const script = `
      for (const file of ${JSON.stringify(copies)}) {
        const module = await import(file);
        if (typeof module.handler !== 'function') throw new Error(file + ' exports no handler');
      }`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      encoding: 'utf8',
      // What Lambda would set; fake values, nothing is called.
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        TABLE_NAME: 'directory',
        PUBLIC_BASE_URL: TEST_CONFIG.publicBaseUrl,
        SENDER_ADDRESS: TEST_CONFIG.senderAddress,
        STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding',
      },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('bundle: false', () => {
  it('synthesizes the same resources and the same state machine definition', () => {
    const placeholder = buildStack({}, false);
    expect(Object.keys(resources(placeholder.template)).sort()).toEqual(Object.keys(resources(bundled.template)).sort());
    expect(localDefinitionOf(bundled.stack)).toEqual(onboardingDefinitionForLocal());
  });
});
