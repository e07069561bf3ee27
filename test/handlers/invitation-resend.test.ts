import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SESClient, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-ses';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { invitationKey, type InvitationItem } from '../../shared/directory/entities/invitation';
import { personKey, type PersonItem } from '../../shared/directory/entities/person';
import { siteKey, type SiteItem } from '../../shared/directory/entities/site';
import { resendInvitation } from '../../shared/usecases/invitations';
import { awaitAcceptance, expireInvitation, sendInvitation, type WorkflowContext } from '../../shared/workflow/tasks';

/**
 * Resend and the workflow, with mocked AWS clients: which execution may do what, what a resend
 * does when Step Functions fails, and how invitation emails are sent (configuration set, tags).
 */
const ddbMock = mockClient(DynamoDBDocumentClient);
const sesMock = mockClient(SESClient);
const sfnMock = mockClient(SFNClient);

const TABLE = 'guestpass-test';
const SITE = 'acme';
const INVITATION = 'inv_01ABC';
const USER = 'usr_pat';
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding';
const RESENT_EXECUTION = `${INVITATION}-resend-1-abcd1234`;

const db = { client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), tableName: TABLE };
const context: WorkflowContext = {
  db,
  ses: new SESClient({ region: 'us-east-1' }),
  sfn: new SFNClient({ region: 'us-east-1' }),
  senderAddress: 'no-reply@wiki.example.com',
  publicBaseUrl: 'https://wiki.example.com',
  configurationSet: 'guestpass-events',
  aheadWaitMs: 300,
};

let table: Map<string, Record<string, unknown>>;
const keyOf = (key: { pk: unknown; sk: unknown }) => `${String(key.pk)}|${String(key.sk)}`;
const put = (key: { pk: string; sk: string }, item: Record<string, unknown>) => table.set(keyOf(key), { ...key, ...item });

const FUTURE = new Date(Date.now() + 7 * 86_400_000).toISOString();
const invitation = (over: Partial<InvitationItem> = {}): InvitationItem => ({
  siteId: SITE,
  invitationId: INVITATION,
  userId: USER,
  email: 'pat@partner.example',
  kind: 'guest',
  status: 'pending',
  invitedBy: 'usr_ada',
  inviterName: 'Ada',
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: FUTURE,
  ...over,
});
const site = {
  siteId: SITE,
  name: 'Acme Wiki',
  orgId: 'org_acme',
  plan: 'standard',
  userLimit: 50,
  guestRatio: 5,
  verifiedDomains: [],
  inviteExpiryDays: 7,
  paid: 4,
  guests: 7,
  ratioRoom: 13,
  userRoom: 39,
  seatRatio: 5,
  externalUserPolicy: { twoStepRequired: false, reverifyEveryDays: 30, apiTokensAllowed: true },
  createdAt: '2025-12-01T00:00:00.000Z',
} satisfies SiteItem;
const person: PersonItem = { siteId: SITE, userId: USER, email: 'pat@partner.example', kind: 'guest', status: 'invited', roles: { wiki: 'guest' }, groups: [], invitedAt: '2026-01-01T00:00:00.000Z', twoStepEnrolled: false, invitationId: INVITATION };

beforeEach(() => {
  table = new Map();
  put(invitationKey(SITE, INVITATION), { type: 'invitation', ...invitation() });
  put(siteKey(SITE), { type: 'site', ...site });
  put(personKey(SITE, USER), { type: 'person', ...person });
  ddbMock.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    const item = table.get(keyOf(input.Key));
    return item ? { Item: structuredClone(item) } : {};
  });
  ddbMock.on(TransactWriteCommand).resolves({});
  ddbMock.on(UpdateCommand).resolves({});
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-msg-1' });
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
  sfnMock.on(StopExecutionCommand).resolves({ stopDate: new Date() });
  vi.spyOn(Math, 'random').mockReturnValue(0);
});
afterEach(() => {
  ddbMock.reset();
  sesMock.reset();
  sfnMock.reset();
  vi.restoreAllMocks();
});

const payload = { siteId: SITE, userId: USER, invitationId: INVITATION };

describe('SendInvitation after a resend', () => {
  it('sends through the configuration set, tagged with the invitation and which of its emails it is', async () => {
    put(invitationKey(SITE, INVITATION), { ...invitation({ execution: RESENT_EXECUTION, resends: 1 }) });
    expect(await sendInvitation(context, { ...payload, execution: RESENT_EXECUTION })).toEqual({ sent: true });
    const input = sesMock.commandCalls(SendEmailCommand)[0]!.args[0].input as SendEmailCommandInput;
    expect(input.ConfigurationSetName).toBe('guestpass-events');
    expect(input.Tags).toEqual(expect.arrayContaining([{ Name: 'invitation', Value: INVITATION }, { Name: 'site', Value: SITE }, { Name: 'resend', Value: '1' }]));
  });

  it('sends nothing from an execution a resend replaced, and fails it with Superseded', async () => {
    put(invitationKey(SITE, INVITATION), { ...invitation({ execution: RESENT_EXECUTION, resends: 1 }) });
    const error = await sendInvitation(context, { ...payload, execution: INVITATION }).catch((thrown: Error) => thrown);
    expect((error as Error).name).toBe('Superseded');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('waits for the resend that started its execution, then retries through the workflow if it never lands', async () => {
    const started = Date.now();
    const error = await sendInvitation(context, { ...payload, execution: RESENT_EXECUTION }).catch((thrown: Error) => thrown);
    expect((error as Error).name).toBe('EmailTransient');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('sends as soon as the resend is recorded while it waits', async () => {
    setTimeout(() => put(invitationKey(SITE, INVITATION), { ...invitation({ execution: RESENT_EXECUTION, resends: 1 }) }), 50);
    expect(await sendInvitation(context, { ...payload, execution: RESENT_EXECUTION })).toEqual({ sent: true });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});

describe('the other tasks of a replaced execution', () => {
  it('AwaitAcceptance fails its own task instead of storing its token over the current one', async () => {
    put(invitationKey(SITE, INVITATION), { ...invitation({ execution: RESENT_EXECUTION, resends: 1 }) });
    ddbMock.on(UpdateCommand).rejects(Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' }));
    await awaitAcceptance(context, { ...payload, execution: INVITATION, taskToken: 'old-token' });
    const [update] = ddbMock.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(update?.ConditionExpression).toContain('attribute_not_exists(#execution)');
    expect(sfnMock.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining({ taskToken: 'old-token', error: 'Revoked' })]);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('ExpireInvitation at the old expiry ends nothing', async () => {
    put(invitationKey(SITE, INVITATION), { ...invitation({ execution: RESENT_EXECUTION, resends: 1 }) });
    expect(await expireInvitation(context, { ...payload, execution: INVITATION, reason: 'InvitationExpired' })).toEqual({ ended: false });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('ExpireInvitation of the current execution still ends the invitation', async () => {
    put(invitationKey(SITE, INVITATION), { ...invitation({ execution: RESENT_EXECUTION, resends: 1 }) });
    expect(await expireInvitation(context, { ...payload, execution: RESENT_EXECUTION, reason: 'InvitationExpired' })).toEqual({ ended: true });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('resendInvitation and Step Functions', () => {
  const deps = { db, sfn: context.sfn, stateMachineArn: STATE_MACHINE_ARN };

  it('changes nothing when the new execution cannot be started (503)', async () => {
    sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));
    await expect(resendInvitation(deps, site, INVITATION, 'usr_ada', new Date())).rejects.toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });

  it('starts the new execution before recording the resend, and stops the old one only after', async () => {
    const order: string[] = [];
    sfnMock.on(StartExecutionCommand).callsFake(() => (order.push('start'), { executionArn: 'arn', startDate: new Date() }));
    ddbMock.on(TransactWriteCommand).callsFake(() => (order.push('record'), {}));
    sfnMock.on(StopExecutionCommand).callsFake((input: { executionArn: string }) => (order.push(`stop ${input.executionArn.split(':').at(-1)}`), { stopDate: new Date() }));
    await resendInvitation(deps, site, INVITATION, 'usr_ada', new Date());
    expect(order).toEqual(['start', 'record', `stop ${INVITATION}`]);
  });

  it('still answers when stopping the old execution fails: the old one can no longer act', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
    sfnMock.on(StopExecutionCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(resendInvitation(deps, site, INVITATION, 'usr_ada', new Date())).resolves.toMatchObject({ invitationId: INVITATION });
  });
});
