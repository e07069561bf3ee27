import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnElement } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, guestpassConfigFromContext } from '../../infra/stack';
import { buildStack, ownFunctionResources, resources, TEST_CONFIG } from './support';

const REQUIRED_CONTEXT = {
  [CONTEXT_KEYS.jwtIssuer]: TEST_CONFIG.jwtIssuer,
  [CONTEXT_KEYS.jwtAudience]: TEST_CONFIG.jwtAudience,
  [CONTEXT_KEYS.senderAddress]: TEST_CONFIG.senderAddress,
};
const FULL_CONTEXT = { ...REQUIRED_CONTEXT, [CONTEXT_KEYS.publicBaseUrl]: TEST_CONFIG.publicBaseUrl };
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0d3c8f2e-1111-2222-3333-444455556666';

const withoutKey = (key: string) => Object.fromEntries(Object.entries(FULL_CONTEXT).filter(([k]) => k !== key));

describe('configuration from CDK context', () => {
  it('reads the required keys and leaves the optional ones out', () => {
    expect(guestpassConfigFromContext(new App({ context: FULL_CONTEXT }))).toEqual(TEST_CONFIG);
  });

  it('reads the console’s OIDC client id when one is given', () => {
    expect(guestpassConfigFromContext(new App({ context: { ...FULL_CONTEXT, [CONTEXT_KEYS.consoleClientId]: 'console-abc' } }))).toEqual({ ...TEST_CONFIG, consoleClientId: 'console-abc' });
  });

  it.each(Object.keys(REQUIRED_CONTEXT))('names the missing key %s', (key) => {
    const app = new App({ context: withoutKey(key) });
    expect(() => guestpassConfigFromContext(app)).toThrow(`Missing CDK context "${key}"`);
  });

  it('names every missing key at once', () => {
    const error = (() => {
      try {
        guestpassConfigFromContext(new App({ context: {} }));
      } catch (caught) {
        return String(caught);
      }
      return '';
    })();
    for (const key of Object.keys(REQUIRED_CONTEXT)) expect(error).toContain(`"${key}"`);
    expect(error).not.toContain(CONTEXT_KEYS.publicBaseUrl);
  });

  it('needs no base URL: a custom domain or the API’s own URL stands in for it', () => {
    expect(guestpassConfigFromContext(new App({ context: REQUIRED_CONTEXT })).publicBaseUrl).toBeUndefined();
    const withDomain = guestpassConfigFromContext(new App({ context: { ...REQUIRED_CONTEXT, [CONTEXT_KEYS.domainName]: 'guestpass.example.com', [CONTEXT_KEYS.certificateArn]: CERTIFICATE } }));
    expect(withDomain).toMatchObject({ domainName: 'guestpass.example.com', certificateArn: CERTIFICATE });
  });

  it('takes a custom domain only with its certificate, and checks both', () => {
    const read = (overrides: Record<string, string>) => () => guestpassConfigFromContext(new App({ context: { ...REQUIRED_CONTEXT, ...overrides } }));
    expect(read({ [CONTEXT_KEYS.domainName]: 'guestpass.example.com' })).toThrow(CONTEXT_KEYS.certificateArn);
    expect(read({ [CONTEXT_KEYS.certificateArn]: CERTIFICATE })).toThrow(CONTEXT_KEYS.domainName);
    expect(read({ [CONTEXT_KEYS.domainName]: 'https://guestpass.example.com', [CONTEXT_KEYS.certificateArn]: CERTIFICATE })).toThrow(CONTEXT_KEYS.domainName);
    expect(read({ [CONTEXT_KEYS.domainName]: 'guestpass.example.com', [CONTEXT_KEYS.certificateArn]: 'guestpass-cert' })).toThrow(CONTEXT_KEYS.certificateArn);
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

  it('ships no settings in cdk.json: synthesizing the app as checked out fails naming each key to set', () => {
    const root = join(import.meta.dirname, '..', '..');
    const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    expect(Object.keys(cdkJson.context ?? {}).filter((key) => key.startsWith('guestpass:'))).toEqual([]);

    const outdir = mkdtempSync(join(tmpdir(), 'guestpass-app-'));
    const result = spawnSync('npx', ['tsx', 'infra/app.ts'], {
      cwd: root,
      encoding: 'utf8',
      // What the CDK CLI hands the app from cdk.json and -c: here, nothing of ours.
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context ?? {}), CDK_OUTDIR: outdir },
    });
    rmSync(outdir, { recursive: true, force: true });
    expect(result.status).not.toBe(0);
    for (const key of Object.keys(REQUIRED_CONTEXT)) expect(result.stderr).toContain(`"${key}"`);
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
    for (const fn of ownFunctionResources(built.template)) {
      expect((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.INVITE_EXPIRY_SECONDS).toBe('90');
    }
  }, 120_000);
});

describe('the links’ base URL and the custom domain', () => {
  const baseUrlOf = (built: ReturnType<typeof buildStack>) =>
    ownFunctionResources(built.template).map((fn) => (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.PUBLIC_BASE_URL);
  const { publicBaseUrl: _omitted, ...withoutBaseUrl } = TEST_CONFIG;

  it('defaults to the API’s own URL, on every function (no dependency cycle)', () => {
    const built = buildStack({}, false, withoutBaseUrl);
    const urls = baseUrlOf(built);
    const apiId = built.stack.getLogicalId(built.stack.api.api.node.defaultChild as CfnElement);
    for (const url of urls) expect(JSON.stringify(url)).toContain(`{"Ref":"${apiId}"}`);
    expect(new Set(urls.map((url) => JSON.stringify(url))).size).toBe(1);
    expect(dependencyCycle(built.template.toJSON() as { Resources: Record<string, unknown> })).toEqual([]);
  }, 120_000);

  it('serves the API on a custom domain (regional, TLS 1.2) mapped to its stage, tells the operator the DNS record, and links to it', () => {
    const built = buildStack({ domainName: 'guestpass.example.com', certificateArn: CERTIFICATE }, false, withoutBaseUrl);
    built.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'guestpass.example.com',
      DomainNameConfigurations: [{ CertificateArn: CERTIFICATE, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    built.template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    built.template.hasOutput('DnsRecord', {});
    expect(new Set(baseUrlOf(built))).toEqual(new Set(['https://guestpass.example.com']));
    const report = new AwsSolutionsChecks().validateScope(built.stack);
    expect(report.violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`))).toEqual([]);
  }, 120_000);

  it('without a custom domain has no domain resources', () => {
    const built = buildStack();
    built.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(new Set(baseUrlOf(built))).toEqual(new Set([TEST_CONFIG.publicBaseUrl]));
  }, 120_000);
});

/** A cycle among the template's resources (Ref, Fn::GetAtt, DependsOn), as CloudFormation would refuse it; [] when none. */
function dependencyCycle(template: { Resources: Record<string, unknown> }): string[] {
  const ids = new Set(Object.keys(template.Resources));
  const edges = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const targets = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Ref' && typeof value === 'string' && ids.has(value)) targets.add(value);
        else if (key === 'Fn::GetAtt' && Array.isArray(value) && ids.has(String(value[0]))) targets.add(String(value[0]));
        else if (key === 'DependsOn') [value].flat().forEach((target) => ids.has(String(target)) && targets.add(String(target)));
        else walk(value);
      }
    };
    walk(resource);
    edges.set(id, targets);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] => {
    if (state.get(id) === 'done') return [];
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle.length > 0) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return [];
  };
  for (const id of ids) {
    const cycle = visit(id);
    if (cycle.length > 0) return cycle;
  }
  return [];
}
