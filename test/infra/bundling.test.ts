import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { localDefinitionOf, onboardingDefinitionForLocal } from '../../infra/definition';
import type { GuestpassFunction } from '../../infra/constructs/guestpass-function';
import { allFunctions, type BuiltStack, buildStack, resources, TEST_CONFIG } from './support';

/**
 * The real build: every function bundled by local esbuild (no Docker). One stack for the file;
 * about 10–20 s on two cores.
 */
let bundled: BuiltStack;
beforeAll(() => {
  bundled = buildStack({}, true);
}, 120_000);

function bundleDirectory(fn: GuestpassFunction): string {
  const asset = fn.node.tryFindChild('Code');
  if (!(asset instanceof Asset)) throw new Error(`${fn.node.path} has no code asset`);
  return join(bundled.app.outdir, asset.assetPath);
}

/** Module specifiers of the bundle's static and dynamic imports. */
function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)].map((match) => match[1]!);
}

describe('bundled functions', () => {
  it('are ESM bundles with source maps, whose only imports are Node built-ins (the SDK is inside)', () => {
    for (const [name, fn] of allFunctions(bundled.stack)) {
      const directory = bundleDirectory(fn);
      expect(existsSync(join(directory, 'index.mjs.map')), name).toBe(true);
      const source = readFileSync(join(directory, 'index.mjs'), 'utf8');
      expect(source.startsWith("import { createRequire as __guestpassCreateRequire } from 'node:module';"), name).toBe(true);
      const external = importsOf(source).filter((specifier) => !isBuiltin(specifier));
      expect(external, name).toEqual([]);
    }
  });

  it('deploy the bundle as a zip asset with the index.handler entry', () => {
    for (const fn of Object.values(resources(bundled.template, 'AWS::Lambda::Function'))) {
      expect(fn.Properties?.Handler).toBe('index.handler');
      expect(fn.Properties?.Code).toMatchObject({ S3Key: expect.stringMatching(/\.zip$/) });
    }
  });

  it('load on their own, outside the project (no node_modules to fall back on)', () => {
    const fn = bundled.stack.api.functions.get('get-seats');
    if (!fn) throw new Error('no get-seats function');
    const directory = mkdtempSync(join(tmpdir(), 'guestpass-bundle-'));
    copyFileSync(join(bundleDirectory(fn), 'index.mjs'), join(directory, 'index.mjs'));
    const result = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('./index.mjs'); if (typeof m.handler !== 'function') process.exit(3);"],
      {
        cwd: directory,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', TABLE_NAME: 'directory', PUBLIC_BASE_URL: TEST_CONFIG.publicBaseUrl },
      },
    );
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
