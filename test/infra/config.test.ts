import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, guestpassConfigFromContext } from '../../infra/stack';
import { buildStack, resources, TEST_CONFIG } from './support';

const FULL_CONTEXT = {
  [CONTEXT_KEYS.jwtIssuer]: TEST_CONFIG.jwtIssuer,
  [CONTEXT_KEYS.jwtAudience]: TEST_CONFIG.jwtAudience,
  [CONTEXT_KEYS.senderAddress]: TEST_CONFIG.senderAddress,
  [CONTEXT_KEYS.publicBaseUrl]: TEST_CONFIG.publicBaseUrl,
};

const withoutKey = (key: string) => Object.fromEntries(Object.entries(FULL_CONTEXT).filter(([k]) => k !== key));

describe('configuration from CDK context', () => {
  it('reads the required keys and leaves the optional ones out', () => {
    expect(guestpassConfigFromContext(new App({ context: FULL_CONTEXT }))).toEqual(TEST_CONFIG);
  });

  it.each(Object.keys(FULL_CONTEXT))('names the missing key %s', (key) => {
    const app = new App({ context: withoutKey(key) });
    expect(() => guestpassConfigFromContext(app)).toThrow(`Missing CDK context "${key}"`);
  });

  it('rejects malformed values, naming the key', () => {
    const read = (overrides: Record<string, string>) => () => guestpassConfigFromContext(new App({ context: { ...FULL_CONTEXT, ...overrides } }));
    expect(read({ [CONTEXT_KEYS.jwtIssuer]: 'http://auth.example.com/' })).toThrow(CONTEXT_KEYS.jwtIssuer);
    expect(read({ [CONTEXT_KEYS.senderAddress]: 'Guestpass <no-reply@example.com>' })).toThrow(CONTEXT_KEYS.senderAddress);
    expect(read({ [CONTEXT_KEYS.inviteExpirySecondsOverride]: '0' })).toThrow(CONTEXT_KEYS.inviteExpirySecondsOverride);
    expect(read({ [CONTEXT_KEYS.sesIdentityArn]: 'guestpass.example.com' })).toThrow(CONTEXT_KEYS.sesIdentityArn);
  });

  it('reads the optional SES identity and the test-only expiry override (given as a string by -c)', () => {
    const config = guestpassConfigFromContext(
      new App({
        context: {
          ...FULL_CONTEXT,
          [CONTEXT_KEYS.sesIdentityArn]: 'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
          [CONTEXT_KEYS.inviteExpirySecondsOverride]: '120',
        },
      }),
    );
    expect(config.sesIdentityArn).toBe('arn:aws:ses:eu-west-1:123456789012:identity/example.com');
    expect(config.inviteExpirySecondsOverride).toBe(120);
  });

  it('fails `cdk synth` of the app with a message naming the missing key', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'guestpass-app-'));
    const result = spawnSync('npx', ['tsx', 'infra/app.ts'], {
      cwd: join(import.meta.dirname, '..', '..'),
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify(withoutKey(CONTEXT_KEYS.senderAddress)),
        CDK_OUTDIR: outdir,
      },
    });
    rmSync(outdir, { recursive: true, force: true });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`Missing CDK context "${CONTEXT_KEYS.senderAddress}"`);
  }, 120_000);
});

describe('configuration in the stack', () => {
  const sesResources = (built: ReturnType<typeof buildStack>) =>
    Object.values(resources(built.template, 'AWS::IAM::Policy'))
      .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement)
      .filter((statement) => JSON.stringify(statement.Action).includes('ses:SendEmail'))
      // The identity; the statement's other resource is the configuration set sends go through
      .map((statement) => (statement.Resource as unknown[])[0]);

  it('derives the SES identity from the sender’s domain in the stack’s region and account', () => {
    const [resource] = sesResources(buildStack());
    expect(resource).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':identity/guestpass.example.com'],
      ],
    });
  }, 120_000);

  it('uses the configured SES identity and sets the expiry override on every function', () => {
    const built = buildStack({ sesIdentityArn: 'arn:aws:ses:eu-west-1:123456789012:identity/example.com', inviteExpirySecondsOverride: 90 });
    expect(new Set(sesResources(built))).toEqual(new Set(['arn:aws:ses:eu-west-1:123456789012:identity/example.com']));
    for (const fn of Object.values(resources(built.template, 'AWS::Lambda::Function'))) {
      expect((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.INVITE_EXPIRY_SECONDS).toBe('90');
    }
  }, 120_000);
});
