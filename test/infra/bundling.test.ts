import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestpassFunction } from '../../infra/constructs/guestpass-function';
import { localDefinitionOf, onboardingDefinitionForLocal } from '../../infra/local/definition';
import { GuestpassStack } from '../../infra/stack';
import { buildStack, resources, TEST_CONFIG } from './support';

/**
 * The real build of representative functions with local esbuild (no Docker): `invite` (DynamoDB
 * and Step Functions clients, middy, zod) and the workflow's `SendInvitation` (SES). Bundling all
 * of them is what `npm run synth` does; here it would take minutes on a busy two-core machine.
 */
const REPRESENTATIVES = [
  { handler: 'invite', kind: 'api' },
  { handler: 'workflow-send-invitation', kind: 'workflow' },
] as const;

let app: App;
let functions: GuestpassFunction[];
const temporaryDirectories: string[] = [];

beforeAll(() => {
  app = new App();
  const stack = new Stack(app, 'GuestpassBundling');
  functions = REPRESENTATIVES.map(
    ({ handler, kind }) => new GuestpassFunction(stack, handler, { handler, kind, publicBaseUrl: TEST_CONFIG.publicBaseUrl }),
  );
  temporaryDirectories.push(app.outdir);
}, 180_000);

afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

function bundleDirectory(fn: GuestpassFunction): string {
  const asset = fn.node.tryFindChild('Code');
  if (!(asset instanceof Asset)) throw new Error(`${fn.node.path} has no code asset`);
  return join(app.outdir, asset.assetPath);
}

describe('bundled functions', () => {
  it('are ESM bundles with source maps and the createRequire banner, deployed as zip assets', () => {
    for (const fn of functions) {
      const directory = bundleDirectory(fn);
      expect(existsSync(join(directory, 'index.mjs.map')), fn.node.id).toBe(true);
      const source = readFileSync(join(directory, 'index.mjs'), 'utf8');
      expect(source.startsWith("import { createRequire as __guestpassCreateRequire } from 'node:module';"), fn.node.id).toBe(true);
    }
    for (const fn of Object.values(resources(Template.fromStack(Stack.of(functions[0]!)), 'AWS::Lambda::Function'))) {
      expect(fn.Properties?.Handler).toBe('index.handler');
      expect(fn.Properties?.Code).toMatchObject({ S3Key: expect.stringMatching(/\.zip$/) });
    }
  });

  it('load on their own, outside the project: the SDK and every dependency are inside', () => {
    // Each bundle alone in a temporary directory, so no node_modules can stand in for a missing module.
    const copies = functions.map((fn) => {
      const directory = mkdtempSync(join(tmpdir(), `guestpass-${fn.node.id}-`));
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
  it('synthesizes the same resources and the same state machine definition as bundle: true', () => {
    // The bundling path of every function (NodejsFunction with an entry), with CDK's asset bundling
    // itself skipped: what differs is only the code asset, which the definition never sees.
    const withBundling = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const bundledStack = new GuestpassStack(withBundling, 'GuestpassTest', { config: TEST_CONFIG, bundle: true });
    const placeholder = buildStack({}, false);

    expect(Object.keys(resources(placeholder.template)).sort()).toEqual(Object.keys(resources(Template.fromStack(bundledStack))).sort());
    expect(localDefinitionOf(bundledStack)).toEqual(onboardingDefinitionForLocal());
  }, 120_000);
});
