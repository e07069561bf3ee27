import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_LOCAL_SENDER } from '../../infra/local/ses-front';
import { ensureTable } from '../../infra/local/services';
import { LOCAL_STATE_MACHINE_ARN, startLocalStack, type LocalStack } from '../../infra/local/stack';
import { TABLE_DEFINITION } from '../../shared/directory/table';
import { personKey } from '../../shared/directory/entities/person';
import { eventually } from '../support/stack';
import { aws, awsVersion } from './aws-cli';

/**
 * The real AWS CLI against the local stack: each call answers as the AWS service answers it, in
 * the shapes the CLI parses (SES v1 Query/XML, SES v2 REST-JSON, DynamoDB and Step Functions
 * JSON), and what a stand-in does not implement is refused at once instead of hanging.
 */
const dynamo = inject('dynamoEndpoint');
const ses = inject('sesEndpoint');
let stack: LocalStack;
let tableName: string;

beforeAll(async () => {
  tableName = `conformance-${randomUUID().slice(0, 8)}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'guestpass-conformance-'));
  stack = await startLocalStack({
    dynamoEndpoint: dynamo,
    sesEndpoint: ses,
    tableName,
    keyFile: join(stateDir, 'signing-key.json'),
    // Short sweeps, so TTL can be watched doing its work in a test.
    ttlSweepSeconds: 1,
  });
});
afterAll(async () => {
  await stack?.close();
});

const address = () => `cli-${randomUUID().slice(0, 8)}@partner.example`;

it('runs against a real AWS CLI', async () => {
  // A missing CLI fails every test below with the same message; this one says what was found.
  expect(await awsVersion()).toMatch(/^aws-cli\/[12]\./);
});

describe('SES (v1, Query protocol)', () => {
  it('list-identities lists the stack sender and what verify-email-identity verified', async () => {
    const mine = address();
    const verified = await aws(ses, ['ses', 'verify-email-identity', '--email-address', mine]);
    expect(verified.exitCode, verified.stderr).toBe(0);

    const listed = await aws(ses, ['ses', 'list-identities']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.json.Identities).toEqual(expect.arrayContaining([DEFAULT_LOCAL_SENDER, mine]));

    const attributes = await aws(ses, ['ses', 'get-identity-verification-attributes', '--identities', mine, address()]);
    expect(attributes.exitCode, attributes.stderr).toBe(0);
    expect(attributes.json).toEqual({ VerificationAttributes: { [mine]: { VerificationStatus: 'Success' } } });
  });

  it('verify-email-identity takes a short address such as x@y, and refuses a non-address', async () => {
    expect((await aws(ses, ['ses', 'verify-email-identity', '--email-address', 'x@y'])).exitCode).toBe(0);
    const refused = await aws(ses, ['ses', 'verify-email-identity', '--email-address', 'nobody']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('InvalidParameterValue');
  });

  it('get-send-quota answers the quota and counts what send-email sent, which lands in the mail store', async () => {
    const before = await aws(ses, ['ses', 'get-send-quota']);
    expect(before.exitCode, before.stderr).toBe(0);
    expect(before.json).toEqual({ Max24HourSend: expect.any(Number), MaxSendRate: expect.any(Number), SentLast24Hours: expect.any(Number) });

    const to = address();
    const sent = await aws(ses, ['ses', 'send-email', '--from', DEFAULT_LOCAL_SENDER, '--to', to, '--subject', 'From the CLI', '--text', 'Hello from aws ses send-email']);
    expect(sent.exitCode, sent.stderr).toBe(0);
    const messageId = sent.json.MessageId as string;
    expect(messageId).toBeTruthy();

    const { emails } = (await (await fetch(`${ses}/store`)).json()) as { emails: { messageId: string; subject: string; destination: { to: string[] }; body: { text?: string } }[] };
    expect(emails.find((email) => email.messageId === messageId)).toMatchObject({ subject: 'From the CLI', destination: { to: [to] }, body: { text: 'Hello from aws ses send-email' } });

    const after = await aws(ses, ['ses', 'get-send-quota']);
    expect(after.json.SentLast24Hours as number).toBeGreaterThanOrEqual((before.json.SentLast24Hours as number) + 1);
  });

  it('an action the stand-in does not know fails at once with InvalidAction', async () => {
    const refused = await aws(ses, ['ses', 'list-configuration-sets']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('(InvalidAction)');
    // The CLI's own start-up is most of this; a hang would be the 10 s read timeout.
    expect(refused.ms).toBeLessThan(8_000);
  });
});

describe('SES (v2, REST-JSON)', () => {
  it('sesv2 get-account answers the account', async () => {
    const account = await aws(ses, ['sesv2', 'get-account']);
    expect(account.exitCode, account.stderr).toBe(0);
    expect(account.json).toMatchObject({
      SendingEnabled: true,
      ProductionAccessEnabled: true,
      EnforcementStatus: 'HEALTHY',
      SendQuota: { Max24HourSend: expect.any(Number), MaxSendRate: expect.any(Number), SentLast24Hours: expect.any(Number) },
    });
  });

  it('a call the stand-in does not know fails at once with UnknownOperationException', async () => {
    const refused = await aws(ses, ['sesv2', 'list-email-identities']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('(UnknownOperationException)');
    expect(refused.ms).toBeLessThan(8_000);
  });
});

describe('DynamoDB Local', () => {
  it('describe-time-to-live: TTL is ENABLED on the table definition’s attribute', async () => {
    const other = `conformance-ttl-${randomUUID().slice(0, 8)}`;
    await ensureTable(dynamo, other);
    const ttl = await aws(dynamo, ['dynamodb', 'describe-time-to-live', '--table-name', other]);
    expect(ttl.exitCode, ttl.stderr).toBe(0);
    expect(ttl.json).toEqual({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: TABLE_DEFINITION.ttlAttribute } });
  });

  it('describe-table shows the keys and every GSI of the table definition', async () => {
    const described = await aws(dynamo, ['dynamodb', 'describe-table', '--table-name', tableName]);
    expect(described.exitCode, described.stderr).toBe(0);
    const table = described.json.Table as { KeySchema: unknown; GlobalSecondaryIndexes: { IndexName: string; KeySchema: unknown; Projection: unknown }[] };
    expect(table.KeySchema).toEqual([
      { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
    ]);
    const indexes = [...table.GlobalSecondaryIndexes].sort((a, b) => a.IndexName.localeCompare(b.IndexName));
    expect(indexes.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }))).toEqual(
      TABLE_DEFINITION.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
  });

  it('an item put with a ttl in the past is deleted by the local stack, as TTL does in AWS', async () => {
    const past = String(Math.floor(Date.now() / 1000) - 60);
    const future = String(Math.floor(Date.now() / 1000) + 3600);
    for (const [sk, ttl] of [['expired', past], ['kept', future]] as const) {
      const put = await aws(dynamo, ['dynamodb', 'put-item', '--table-name', tableName, '--item', JSON.stringify({ pk: { S: 'CLI#TTL' }, sk: { S: sk }, ttl: { N: ttl } })]);
      expect(put.exitCode, put.stderr).toBe(0);
    }
    const keys = async () => {
      const query = await aws(dynamo, [
        'dynamodb', 'query', '--table-name', tableName, '--consistent-read',
        '--key-condition-expression', 'pk = :pk', '--expression-attribute-values', JSON.stringify({ ':pk': { S: 'CLI#TTL' } }),
      ]);
      return (query.json.Items as { sk: { S: string } }[]).map((item) => item.sk.S);
    };
    await eventually(async () => (await keys()).length === 1, { timeoutMs: 15_000, intervalMs: 500 });
    expect(await keys()).toEqual(['kept']);
  });
});

/** A guest onboarded over the stack's HTTP API, to be looked at with the CLI. */
async function onboardOneGuest(): Promise<{ siteId: string; userId: string; email: string }> {
  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const siteId = `cli-${randomUUID().slice(0, 8)}`;
  const operator = await stack.signer.sign({ sub: 'operator', scope: 'sites:manage' });
  const created = (await call('POST', '/sites', operator, { siteId, name: 'CLI site', orgId: `org-${siteId}`, plan: 'standard', userLimit: 10, admins: [{ email: `admin@${siteId}.example`, displayName: 'Ada Admin' }] })) as { admins: { userId: string }[] };
  const admin = await stack.signer.sign({ sub: created.admins[0]!.userId });
  await call('POST', `/sites/${siteId}/spaces`, admin, { key: 'ENG', name: 'Engineering' });
  const email = address();
  const invited = (await call('POST', `/sites/${siteId}/invitations`, admin, { emails: [email], roles: { wiki: 'guest' }, spaceKey: 'ENG' })) as { results: { userId: string }[] };
  const userId = invited.results[0]!.userId;
  const mail = await eventually(async () => {
    const { emails } = (await (await fetch(`${ses}/store`)).json()) as { emails: { destination: { to: string[] }; body: { text?: string } }[] };
    return emails.find((sent) => sent.destination.to.includes(email));
  });
  const token = /\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.body.text ?? '')![1]!;
  await call('POST', `/invitations/${token}/accept`, undefined, { displayName: 'Cli Guest' });
  return { siteId, userId, email };
}

describe('an onboarding, as the CLI sees it', () => {
  let onboarded: { siteId: string; userId: string; email: string };
  beforeAll(async () => {
    onboarded = await onboardOneGuest();
  });

  it('aws dynamodb get-item and query read the active guest from the directory', async () => {
    const key = personKey(onboarded.siteId, onboarded.userId);
    const marshalled = JSON.stringify({ pk: { S: key.pk }, sk: { S: key.sk } });
    const person = await eventually(async () => {
      const got = await aws(dynamo, ['dynamodb', 'get-item', '--table-name', tableName, '--consistent-read', '--key', marshalled]);
      const item = got.json.Item as Record<string, { S?: string }> | undefined;
      return item?.status?.S === 'active' && item;
    });
    expect(person).toMatchObject({ email: { S: onboarded.email }, kind: { S: 'guest' }, spaceKey: { S: 'ENG' } });

    const query = await aws(dynamo, [
      'dynamodb', 'query', '--table-name', tableName, '--consistent-read', '--select', 'COUNT',
      '--key-condition-expression', 'pk = :pk AND begins_with(sk, :user)',
      '--expression-attribute-values', JSON.stringify({ ':pk': { S: key.pk }, ':user': { S: 'USER#' } }),
    ]);
    expect(query.exitCode, query.stderr).toBe(0);
    expect(query.json.Count).toBe(2); // the admin and the guest
  });

  it('aws stepfunctions list-executions, describe-execution and get-execution-history show the onboarding', async () => {
    const executionArn = await eventually(async () => {
      const listed = await aws(stack.sfnUrl, ['stepfunctions', 'list-executions', '--state-machine-arn', LOCAL_STATE_MACHINE_ARN, '--status-filter', 'SUCCEEDED']);
      expect(listed.exitCode, listed.stderr).toBe(0);
      const executions = listed.json.executions as { executionArn: string; status: string }[];
      // The execution carries the person in its input; one per invitation.
      for (const execution of executions) {
        const described = await aws(stack.sfnUrl, ['stepfunctions', 'describe-execution', '--execution-arn', execution.executionArn]);
        if (String(described.json.input).includes(onboarded.userId)) return execution.executionArn;
      }
      return undefined;
    });
    const described = await aws(stack.sfnUrl, ['stepfunctions', 'describe-execution', '--execution-arn', executionArn]);
    expect(described.json).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: LOCAL_STATE_MACHINE_ARN, startDate: expect.anything(), stopDate: expect.anything() });

    const history = await aws(stack.sfnUrl, ['stepfunctions', 'get-execution-history', '--execution-arn', executionArn]);
    expect(history.exitCode, history.stderr).toBe(0);
    const events = history.json.events as { type: string; id: number; stateEnteredEventDetails?: { name: string } }[];
    expect(events[0]!.type).toBe('ExecutionStarted');
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(events.filter((event) => event.type.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails!.name)).toEqual([
      'SendInvitation', 'AwaitAcceptance', 'AwaitSpaceAssignment', 'Activate',
    ]);

    const reversed = await aws(stack.sfnUrl, ['stepfunctions', 'get-execution-history', '--execution-arn', executionArn, '--reverse-order', '--max-items', '1']);
    expect((reversed.json.events as { type: string }[]).map((event) => event.type)).toEqual(['ExecutionSucceeded']);
  });

  it('aws ses get-send-quota counts the invitation and welcome emails the workflow sent', async () => {
    type Stored = { emails: { destination: { to: string[] }; subject: string }[] };
    const mine = await eventually(async () => {
      const { emails } = (await (await fetch(`${ses}/store`)).json()) as Stored;
      const sent = emails.filter((email) => email.destination.to.includes(onboarded.email));
      return sent.length === 2 && sent;
    });
    expect(mine.some((email) => email.subject.includes('Welcome'))).toBe(true);
    const quota = await aws(ses, ['ses', 'get-send-quota']);
    expect(quota.exitCode, quota.stderr).toBe(0);
    expect(quota.json.SentLast24Hours as number).toBeGreaterThanOrEqual(2);
  });
});

describe('Step Functions (the local endpoint)', () => {
  it('describe-execution of an unknown execution fails with ExecutionDoesNotExist', async () => {
    const arn = LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:') + `:${randomUUID()}`;
    const described = await aws(stack.sfnUrl, ['stepfunctions', 'describe-execution', '--execution-arn', arn]);
    expect(described.exitCode).not.toBe(0);
    expect(described.stderr).toContain('(ExecutionDoesNotExist)');
  });
});
