import { randomUUID } from 'node:crypto';
import {
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  ListConfigurationSetsCommand,
  ListIdentitiesCommand,
  SendEmailCommand,
  SESClient,
  SESServiceException,
  VerifyEmailIdentityCommand,
} from '@aws-sdk/client-ses';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_LOCAL_SENDER, LOCAL_SEND_QUOTA } from '../../infra/local/ses-front';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';

/**
 * The local SES endpoint answers what SES answers: the account and identity calls of SES v1
 * (Query protocol) and v2 (REST-JSON), sending through the stand-in behind it, and an SES-shaped
 * 400 at once for calls it does not know. The AWS CLI against the same endpoint: test/conformance.
 */
const endpoint = inject('sesEndpoint');
// No retries: an unknown call must fail the first time, quickly, not after a retried timeout.
const ses = new SESClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
afterAll(() => ses.destroy());

const address = () => `someone-${randomUUID().slice(0, 8)}@partner.example`;
/** Any AWS signature will do for the stand-in; the SDKs sign, raw fetches say who they are like this. */
const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=0' };

describe('the local SES endpoint (SES v1 through @aws-sdk/client-ses)', () => {
  it('lists the stack sender and every identity verified through it, each verified', async () => {
    const sender = process.env.SENDER_ADDRESS || DEFAULT_LOCAL_SENDER;
    const mine = address();
    const unknown = address();

    expect(await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: mine }))).toMatchObject({ $metadata: { httpStatusCode: 200 } });

    const { Identities } = await ses.send(new ListIdentitiesCommand({}));
    expect(Identities).toEqual(expect.arrayContaining([sender, mine]));
    const emailsOnly = await ses.send(new ListIdentitiesCommand({ IdentityType: 'EmailAddress' }));
    expect(emailsOnly.Identities).toContain(mine);
    expect((await ses.send(new ListIdentitiesCommand({ IdentityType: 'Domain' }))).Identities).not.toContain(mine);

    const { VerificationAttributes } = await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: [mine, sender, unknown] }));
    // SES leaves identities it does not know out of the answer.
    expect(VerificationAttributes).toEqual({ [mine]: { VerificationStatus: 'Success' }, [sender]: { VerificationStatus: 'Success' } });
  });

  it('pages ListIdentities with MaxItems and NextToken', async () => {
    await Promise.all([address(), address(), address()].map((EmailAddress) => ses.send(new VerifyEmailIdentityCommand({ EmailAddress }))));
    const { Identities: all = [] } = await ses.send(new ListIdentitiesCommand({}));
    const paged: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ses.send(new ListIdentitiesCommand({ MaxItems: 2, ...(NextToken ? { NextToken } : {}) }));
      expect(page.Identities!.length).toBeLessThanOrEqual(2);
      paged.push(...page.Identities!);
      NextToken = page.NextToken;
    } while (NextToken);
    // Other test files verify identities on the same endpoint meanwhile: the pages hold at least these.
    expect(paged).toEqual(expect.arrayContaining(all));
  });

  it('refuses an address that is not one', async () => {
    const error = await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'not-an-address' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SESServiceException);
    expect(error).toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
  });

  it('reports the send quota, counting mail sent through the stand-in', async () => {
    const before = await ses.send(new GetSendQuotaCommand({}));
    expect(before).toMatchObject({ Max24HourSend: LOCAL_SEND_QUOTA.max24HourSend, MaxSendRate: LOCAL_SEND_QUOTA.maxSendRate });

    const to = address();
    const { MessageId } = await ses.send(
      new SendEmailCommand({ Source: DEFAULT_LOCAL_SENDER, Destination: { ToAddresses: [to] }, Message: { Subject: { Data: 'Quota' }, Body: { Text: { Data: 'one more' } } } }),
    );
    expect(MessageId).toBeTruthy();

    const after = await ses.send(new GetSendQuotaCommand({}));
    expect(after.SentLast24Hours).toBeGreaterThanOrEqual((before.SentLast24Hours ?? 0) + 1);
    const { emails } = (await (await fetch(`${endpoint}/store`)).json()) as { emails: { messageId: string; destination: { to: string[] } }[] };
    expect(emails.find((email) => email.messageId === MessageId)?.destination.to).toEqual([to]);
  });

  it('answers an action it does not know with a 400 InvalidAction at once, not a timeout', async () => {
    const started = Date.now();
    const error = await ses.send(new ListConfigurationSetsCommand({})).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(SESServiceException);
    expect(error).toMatchObject({ name: 'InvalidAction', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toContain('ListConfigurationSets');
  });

  it('refuses an unsigned call as SES does', async () => {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListIdentities&Version=2010-12-01' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});

describe('the local SES endpoint (SES v2, REST-JSON)', () => {
  it('answers GetAccount with the account SES v2 describes', async () => {
    const response = await fetch(`${endpoint}/v2/email/account`, { headers: signed });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      DedicatedIpAutoWarmupEnabled: false,
      EnforcementStatus: 'HEALTHY',
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: LOCAL_SEND_QUOTA.max24HourSend, MaxSendRate: LOCAL_SEND_QUOTA.maxSendRate, SentLast24Hours: expect.any(Number) },
      SuppressionAttributes: { SuppressedReasons: [] },
    });
  });

  it('sends through the stand-in (v2 SendEmail is forwarded unchanged)', async () => {
    const to = address();
    const response = await fetch(`${endpoint}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { ...signed, 'content-type': 'application/json' },
      body: JSON.stringify({
        FromEmailAddress: DEFAULT_LOCAL_SENDER,
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: 'v2' }, Body: { Text: { Data: 'hello' } } } },
      }),
    });
    expect(response.status).toBe(200);
    const { MessageId } = (await response.json()) as { MessageId: string };
    const { emails } = (await (await fetch(`${endpoint}/store`)).json()) as { emails: { messageId: string; destination: { to: string[] } }[] };
    expect(emails.find((email) => email.messageId === MessageId)?.destination.to).toEqual([to]);
  });

  it('answers a call it does not know with a 400 UnknownOperationException at once', async () => {
    const started = Date.now();
    const response = await fetch(`${endpoint}/v2/email/identities`, { headers: signed, signal: AbortSignal.timeout(2_000) });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(((await response.json()) as { message: string }).message).toContain('GET /v2/email/identities');
  });
});

describe('the mail viewer behind the same endpoint', () => {
  it('still serves its page, the store and the health check', async () => {
    const page = await fetch(`${endpoint}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/store');
    expect((await fetch(`${endpoint}/health-check`)).status).toBe(200);
    const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: unknown[] };
    expect(Array.isArray(store.emails)).toBe(true);
  });
});
