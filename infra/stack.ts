import { ArnFormat, CfnOutput, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { DirectoryTable } from './constructs/directory-table';
import { EmailEvents } from './constructs/email-events';
import type { FunctionDefaults, SesSender } from './constructs/guestpass-function';
import { ConsoleSite } from './constructs/console-site';
import { HttpApi } from './constructs/http-api';
import { OnboardingWorkflow } from './constructs/onboarding-workflow';
import { ScheduledJobs } from './constructs/scheduled-jobs';

/** Deployment settings, from CDK context (see `guestpassConfigFromContext`). */
export interface GuestpassConfig {
  /** Issuer of the admin portals' JWTs (`https://…`). */
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** The bare address invitation and welcome emails come from. */
  readonly senderAddress: string;
  /**
   * Base URL of the guest-facing links in emails. Default: `https://<domainName>` with a custom
   * domain, else the API's own `execute-api` URL.
   */
  readonly publicBaseUrl?: string;
  /** A custom domain for the API (with `certificateArn`, an ACM certificate for it in the stack's region). */
  readonly domainName?: string;
  readonly certificateArn?: string;
  /** The SES identity to send through; default: the sender's domain identity in the stack's region. */
  readonly sesIdentityArn?: string;
  /** Test stacks only: overrides every site's invitation lifetime (`INVITE_EXPIRY_SECONDS`). */
  readonly inviteExpirySecondsOverride?: number;
  /** The admin console's OIDC client id at the issuer (a public client, code flow with PKCE); default: `jwtAudience`. */
  readonly consoleClientId?: string;
  /** Origins of the identity provider's endpoints the console calls beyond the issuer's own (a token endpoint elsewhere). */
  readonly consoleIdentityOrigins?: readonly string[];
}

/** CDK context keys, `guestpass:<name>`. */
export const CONTEXT_KEYS = {
  jwtIssuer: 'guestpass:jwtIssuer',
  jwtAudience: 'guestpass:jwtAudience',
  senderAddress: 'guestpass:senderAddress',
  publicBaseUrl: 'guestpass:publicBaseUrl',
  domainName: 'guestpass:domainName',
  certificateArn: 'guestpass:certificateArn',
  sesIdentityArn: 'guestpass:sesIdentityArn',
  inviteExpirySecondsOverride: 'guestpass:inviteExpirySecondsOverride',
  consoleClientId: 'guestpass:consoleClientId',
  consoleIdentityOrigins: 'guestpass:consoleIdentityOrigins',
} as const satisfies Record<keyof GuestpassConfig, string>;

const BARE_ADDRESS = /^[^\s@<>"]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$/;
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function isHttpUrl(value: string, httpsOnly: boolean): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (!httpsOnly && url.protocol === 'http:');
  } catch {
    return false;
  }
}

/**
 * Reads and checks the deployment settings from CDK context; throws naming the key that is
 * missing or malformed, so `cdk synth` stops with a message that says what to set.
 */
export function guestpassConfigFromContext(scope: Construct): GuestpassConfig {
  const read = (key: string): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    // `-c key=value` gives strings; cdk.json may give numbers.
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`CDK context "${key}" must be a string`);
    return String(value);
  };
  // Every missing key at once: a first deploy should not take one failed synth per setting.
  const missing: string[] = [];
  const required = (key: string): string => {
    const value = read(key);
    if (value === undefined) missing.push(key);
    return value ?? '';
  };

  const config = {
    jwtIssuer: required(CONTEXT_KEYS.jwtIssuer),
    jwtAudience: required(CONTEXT_KEYS.jwtAudience),
    senderAddress: required(CONTEXT_KEYS.senderAddress),
  };
  if (missing.length > 0) {
    throw new Error(
      `Missing CDK context ${missing.map((key) => `"${key}"`).join(', ')}: pass ${missing.map((key) => `-c ${key}=<value>`).join(' ')} (or set them under "context" in cdk.json)`,
    );
  }
  const publicBaseUrl = read(CONTEXT_KEYS.publicBaseUrl);
  const domainName = read(CONTEXT_KEYS.domainName);
  const certificateArn = read(CONTEXT_KEYS.certificateArn);
  const sesIdentityArn = read(CONTEXT_KEYS.sesIdentityArn);
  const expiryOverride = read(CONTEXT_KEYS.inviteExpirySecondsOverride);
  const consoleClientId = read(CONTEXT_KEYS.consoleClientId);
  const identityOrigins = read(CONTEXT_KEYS.consoleIdentityOrigins);
  const consoleIdentityOrigins = identityOrigins?.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of consoleIdentityOrigins ?? []) {
    if (!isHttpUrl(origin, true) || new URL(origin).origin !== origin) throw new Error(`CDK context "${CONTEXT_KEYS.consoleIdentityOrigins}" must be https origins separated by commas (https://auth.example.com)`);
  }
  const inviteExpirySecondsOverride = expiryOverride === undefined ? undefined : Number(expiryOverride);

  if (!isHttpUrl(config.jwtIssuer, true)) throw new Error(`CDK context "${CONTEXT_KEYS.jwtIssuer}" must be an https URL`);
  if (publicBaseUrl !== undefined && !isHttpUrl(publicBaseUrl, false)) throw new Error(`CDK context "${CONTEXT_KEYS.publicBaseUrl}" must be an http(s) URL`);
  if (!BARE_ADDRESS.test(config.senderAddress)) {
    throw new Error(`CDK context "${CONTEXT_KEYS.senderAddress}" must be a bare email address (name@domain)`);
  }
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    throw new Error(`CDK context "${CONTEXT_KEYS.domainName}" and "${CONTEXT_KEYS.certificateArn}" go together: set both for a custom domain, or neither`);
  }
  if (domainName !== undefined && !DOMAIN_NAME.test(domainName)) throw new Error(`CDK context "${CONTEXT_KEYS.domainName}" must be a domain name (api.example.com)`);
  if (certificateArn !== undefined && !/^arn:[^:]+:acm:[^:]+:\d{12}:certificate\/.+$/.test(certificateArn)) {
    throw new Error(`CDK context "${CONTEXT_KEYS.certificateArn}" must be an ACM certificate ARN`);
  }
  if (sesIdentityArn !== undefined && !/^arn:[^:]+:ses:[^:]*:\d*:identity\/.+$/.test(sesIdentityArn)) {
    throw new Error(`CDK context "${CONTEXT_KEYS.sesIdentityArn}" must be an SES identity ARN`);
  }
  if (inviteExpirySecondsOverride !== undefined && !(Number.isInteger(inviteExpirySecondsOverride) && inviteExpirySecondsOverride >= 1)) {
    throw new Error(`CDK context "${CONTEXT_KEYS.inviteExpirySecondsOverride}" must be a whole number of seconds ≥ 1`);
  }
  return {
    ...config,
    ...(publicBaseUrl !== undefined ? { publicBaseUrl } : {}),
    ...(domainName !== undefined && certificateArn !== undefined ? { domainName, certificateArn } : {}),
    ...(sesIdentityArn !== undefined ? { sesIdentityArn } : {}),
    ...(inviteExpirySecondsOverride !== undefined ? { inviteExpirySecondsOverride } : {}),
    ...(consoleClientId !== undefined ? { consoleClientId } : {}),
    ...(consoleIdentityOrigins !== undefined ? { consoleIdentityOrigins } : {}),
  };
}

export interface GuestpassStackProps extends StackProps {
  readonly config: GuestpassConfig;
  /**
   * Bundle the functions with local esbuild (default `true`). `false` synthesizes the same
   * resources and state machine definition with placeholder code, in a fraction of the time.
   */
  readonly bundle?: boolean;
  /** The built admin console to deploy (`buildConsole()`); the app builds it before synthesis. */
  readonly consoleAssetDir?: string;
}

/**
 * guestpass: the directory table, the HTTP API with its functions, the onboarding workflow and the
 * scheduled jobs.
 */
export class GuestpassStack extends Stack {
  readonly table: DirectoryTable;
  /** Wraps the data keys of two-step (TOTP) secrets; see `two-step-secrets` in shared/capabilities.ts. */
  readonly twoStepKey: Key;
  readonly workflow: OnboardingWorkflow;
  readonly api: HttpApi;
  readonly jobs: ScheduledJobs;
  /** The SES configuration set every email goes through, and the function that records delivery from its events. */
  readonly emailEvents: EmailEvents;
  readonly console: ConsoleSite;

  constructor(scope: Construct, id: string, props: GuestpassStackProps) {
    super(scope, id, props);
    const { config } = props;

    const senderDomain = BARE_ADDRESS.exec(config.senderAddress)?.[1];
    if (senderDomain === undefined) throw new Error(`Sender address ${config.senderAddress} has no domain`);
    // Send, delivery, bounce and complaint of every email, published to EventBridge.
    this.emailEvents = new EmailEvents(this, 'EmailEvents');
    const ses: SesSender = {
      senderAddress: config.senderAddress,
      identityArn:
        config.sesIdentityArn ??
        this.formatArn({ service: 'ses', resource: 'identity', resourceName: senderDomain, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      configurationSetName: this.emailEvents.configurationSetName,
    };
    // The API's own URL is a token of the API resource alone (not of its routes), so functions may
    // carry it without a dependency cycle; Lazy lets the workflow's functions, made first, use it.
    const publicBaseUrl =
      config.publicBaseUrl ?? (config.domainName !== undefined ? `https://${config.domainName}` : Lazy.string({ produce: () => this.api.url }));
    const functionDefaults: FunctionDefaults = {
      publicBaseUrl,
      bundle: props.bundle ?? true,
      ...(config.inviteExpirySecondsOverride !== undefined
        ? { environment: { INVITE_EXPIRY_SECONDS: String(config.inviteExpirySecondsOverride) } }
        : {}),
    };

    this.table = new DirectoryTable(this, 'Directory');
    // Retained like the table: the table's backups (point-in-time recovery) keep sealed secrets that
    // only this key opens. Rotation keeps old key material, so nothing sealed earlier is lost.
    this.twoStepKey = new Key(this, 'TwoStepSecretsKey', {
      description: 'guestpass: wraps the data keys of two-step verification (TOTP) secrets',
      enableKeyRotation: true,
      alias: `alias/${this.stackName}/two-step-secrets`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.workflow = new OnboardingWorkflow(this, 'Onboarding', { table: this.table, ses, twoStepKey: this.twoStepKey, functionDefaults });
    this.console = new ConsoleSite(this, 'Console', {
      ...(props.consoleAssetDir ? { assetDir: props.consoleAssetDir } : {}),
      apiOrigin: config.domainName !== undefined ? `https://${config.domainName}` : `https://*.execute-api.${this.region}.amazonaws.com`,
      identityOrigins: [new URL(config.jwtIssuer).origin, ...(config.consoleIdentityOrigins ?? [])],
    });
    this.api = new HttpApi(this, 'Http', {
      corsOrigins: [this.console.origin],
      jwtIssuer: config.jwtIssuer,
      jwtAudience: config.jwtAudience,
      table: this.table,
      ses,
      twoStepKey: this.twoStepKey,
      stateMachine: this.workflow.stateMachine,
      functionDefaults,
      ...(config.domainName !== undefined && config.certificateArn !== undefined ? { customDomain: { domainName: config.domainName, certificateArn: config.certificateArn } } : {}),
    });
    this.jobs = new ScheduledJobs(this, 'Jobs', { table: this.table, ses, twoStepKey: this.twoStepKey, stateMachine: this.workflow.stateMachine, functionDefaults });
    this.emailEvents.addFunctions({ table: this.table, functionDefaults, targets: { ses, twoStepKey: this.twoStepKey, stateMachine: this.workflow.stateMachine } });

    this.console.deploy({ apiUrl: config.domainName !== undefined ? `https://${config.domainName}` : this.api.url, authority: config.jwtIssuer, clientId: config.consoleClientId ?? config.jwtAudience });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'The admin console' });
    new CfnOutput(this, 'ConsoleRedirectUri', { value: this.console.redirectUri, description: 'Register this as a sign-in redirect URI of the console client at the identity provider' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the guestpass HTTP API (execute-api)' });
    new CfnOutput(this, 'PublicBaseUrl', { value: publicBaseUrl, description: 'Base URL of the links in emails' });
    if (this.api.domain) {
      new CfnOutput(this, 'DnsRecord', {
        value: `${this.api.domain.name} CNAME ${this.api.domain.regionalDomainName}`,
        description: 'Create this DNS record (or an alias A record to the target, hosted zone DnsHostedZoneId) so the custom domain reaches the API',
      });
      new CfnOutput(this, 'DnsHostedZoneId', { value: this.api.domain.regionalHostedZoneId });
    }
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'JobDeadLetterQueueUrl', {
      value: this.jobs.deadLetterQueue.queueUrl,
      description: 'Scheduled job runs that could not be delivered or failed after retries',
    });
    new CfnOutput(this, 'EmailEventDeadLetterQueueUrl', {
      value: this.emailEvents.deadLetterQueue.queueUrl,
      description: 'SES email events that could not be delivered to their function or failed after retries',
    });
  }
}
