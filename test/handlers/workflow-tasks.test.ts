import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { MessageRejected, SESClient, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-ses';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { emailClaimKey } from '../../shared/directory/entities/email-claim';
import { invitationKey, type InvitationItem } from '../../shared/directory/entities/invitation';
import { personKey, type PersonItem } from '../../shared/directory/entities/person';
import { siteKey, type SiteItem } from '../../shared/directory/entities/site';
import { spaceKey as spaceItemKey, type SpaceItem } from '../../shared/directory/entities/space';
import { completeTask, failTask } from '../../shared/workflow/client';
import { activate, awaitAcceptance, awaitSpaceAssignment, expireInvitation, SES_RETRY_WINDOW_MS, sendInvitation, type WorkflowContext } from '../../shared/workflow/tasks';

// ---------------------------------------------------------------------------------------------
// Mocked AWS clients and a tiny key-value stand-in for GetCommand
// ---------------------------------------------------------------------------------------------

const ddbMock = mockClient(DynamoDBDocumentClient);
const sesMock = mockClient(SESClient);
const sfnMock = mockClient(SFNClient);

const TABLE = 'guestpass-test';
const SITE = 'acme';
const INVITATION = 'inv_01';
const USER = 'usr_pat';
const ADMIN = 'usr_ada';
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAcbZ…task-token';

const context: WorkflowContext = {
  db: { client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), tableName: TABLE },
  ses: new SESClient({ region: 'us-east-1' }),
  sfn: new SFNClient({ region: 'us-east-1' }),
  senderAddress: 'Acme Wiki <noreply@wiki.example.com>',
  publicBaseUrl: 'https://wiki.example.com/',
};

let table: Map<string, Record<string, unknown>>;
const keyOf = (key: { pk: unknown; sk: unknown }) => `${String(key.pk)}|${String(key.sk)}`;
const put = (key: { pk: string; sk: string }, item: Record<string, unknown>) => table.set(keyOf(key), { ...key, ...item });

const MESSAGE = 'Welcome aboard — the launch plan is in ENG.';
const FUTURE = new Date(Date.now() + 7 * 86_400_000).toISOString();

function invitation(over: Partial<InvitationItem> = {}): InvitationItem {
  return {
    siteId: SITE,
    invitationId: INVITATION,
    userId: USER,
    email: 'pat@partner.example',
    kind: 'guest',
    status: 'pending',
    invitedBy: ADMIN,
    inviterName: 'Ada Admin',
    spaceKey: 'ENG',
    message: MESSAGE,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: FUTURE,
    ...over,
  };
}

const site: SiteItem = {
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
};

const space: SpaceItem = { siteId: SITE, key: 'ENG', name: 'Engineering', anonymousAccess: false, guestCount: 3, createdAt: '2025-12-01T00:00:00.000Z' };

function person(over: Partial<PersonItem> = {}): PersonItem {
  return {
    siteId: SITE,
    userId: USER,
    email: 'pat@partner.example',
    kind: 'guest',
    status: 'invited',
    roles: { wiki: 'guest' },
    groups: [],
    spaceKey: 'ENG',
    invitedBy: ADMIN,
    invitedAt: '2026-01-01T00:00:00.000Z',
    twoStepEnrolled: false,
    invitationId: INVITATION,
    ...over,
  };
}

const admin: PersonItem = person({ userId: ADMIN, email: 'ada@acme.example', displayName: 'Ada Lovelace', kind: 'paid', status: 'active', roles: { wiki: 'user' }, spaceKey: undefined });

const sdkError = (name: string, httpStatusCode = 400) => Object.assign(new Error(`${name}: something about pat@partner.example`), { name, $metadata: { httpStatusCode } });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const updates = () => ddbMock.commandCalls(UpdateCommand).map((call) => call.args[0].input as UpdateCommandInput);
/** An expression with its placeholders replaced by the names and (JSON) values they stand for. */
function resolved(
  expression: string | undefined,
  input: { readonly ExpressionAttributeNames?: Record<string, string> | undefined; readonly ExpressionAttributeValues?: Record<string, unknown> | undefined } | undefined,
): string {
  const names = input?.ExpressionAttributeNames ?? {};
  const values = input?.ExpressionAttributeValues ?? {};
  return (expression ?? '').replace(/#[A-Za-z0-9_]+/g, (name) => names[name] ?? name).replace(/:[A-Za-z0-9_]+/g, (value) => (value in values ? JSON.stringify(values[value]) : value));
}
const resolvedUpdates = () => updates().map((input) => resolved(input.UpdateExpression, input));
const emailInput = () => sesMock.commandCalls(SendEmailCommand)[0]!.args[0].input as SendEmailCommandInput;

/** A clock that moves only when the code under test sleeps on it: retry windows cost no real time. */
function fakeClock(start = Date.now()) {
  let at = start;
  return {
    context: { clock: () => new Date(at), sleep: async (ms: number) => void (at += ms) },
    waited: () => at - start,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

beforeEach(() => {
  table = new Map();
  put(invitationKey(SITE, INVITATION), { type: 'invitation', ...invitation() });
  put(siteKey(SITE), { type: 'site', ...site });
  put(spaceItemKey(SITE, 'ENG'), { type: 'space', ...space });
  put(personKey(SITE, ADMIN), { type: 'person', ...admin });
  put(personKey(SITE, USER), { type: 'person', ...person() });
  ddbMock.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    const item = table.get(keyOf(input.Key));
    return item ? { Item: structuredClone(item) } : {};
  });
  ddbMock.on(TransactWriteCommand).resolves({});
  ddbMock.on(UpdateCommand).resolves({});
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-msg-1' });
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  ddbMock.reset();
  sesMock.reset();
  sfnMock.reset();
  vi.restoreAllMocks();
});

const payload = { siteId: SITE, userId: USER, invitationId: INVITATION };

// ---------------------------------------------------------------------------------------------

describe('sendInvitation', () => {
  it('emails the invitee a fresh link whose SHA-256 is what gets stored, never the token itself', async () => {
    // Act
    const result = await sendInvitation(context, payload);

    // Assess: one email, to the invitee, from the configured sender
    expect(result).toEqual({ sent: true });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    const email = emailInput();
    expect(email.Destination?.ToAddresses).toEqual(['pat@partner.example']);
    expect(email.Source).toBe('"Acme Wiki" <noreply@wiki.example.com>');
    expect(email.Message?.Subject?.Data).toBe('Ada Lovelace invited you to Acme Wiki');
    const text = email.Message?.Body?.Text?.Data ?? '';
    const html = email.Message?.Body?.Html?.Data ?? '';
    expect(text).toContain(MESSAGE);
    expect(text).toContain('Engineering');
    const match = /https:\/\/wiki\.example\.com\/invitations\/([A-Za-z0-9_-]+)/.exec(text);
    expect(match).not.toBeNull();
    const token = match![1]!;
    expect(token).toHaveLength(43);
    expect(text).toContain(`https://wiki.example.com/invitations/${token}\n`);
    expect(html).toContain(`https://wiki.example.com/invitations/${token}`);

    // Assess: the claim stores only the digest (on the invitation and as the link item's key)
    const transacts = ddbMock.commandCalls(TransactWriteCommand);
    expect(transacts).toHaveLength(1);
    const [claim, link] = transacts[0]!.args[0].input.TransactItems ?? [];
    const digest = createHash('sha256').update(token).digest('hex');
    expect(claim?.Update?.Key).toEqual(invitationKey(SITE, INVITATION));
    expect(resolved(claim?.Update?.UpdateExpression, claim?.Update)).toMatch(new RegExp(`^SET tokenDigest = "${digest}", sendingUntil = "[^"]+"$`));
    expect(link?.Put?.Item).toMatchObject({ pk: `LINK#${digest}`, sk: 'LINK', purpose: 'invitation', siteId: SITE, invitationId: INVITATION, userId: USER });

    // Assess: the raw token appears in no DynamoDB command at all
    const everyInput = JSON.stringify(ddbMock.calls().map((call) => call.args[0].input));
    expect(everyInput).not.toContain(token);

    // Assess: the send is recorded with SES's message id and the lease is given back, for this link only
    expect(updates().map((input) => input.Key)).toEqual([invitationKey(SITE, INVITATION)]);
    expect(resolvedUpdates()).toEqual([expect.stringMatching(/^SET emailSentAt = "[^"]+", emailMessageId = "ses-msg-1" REMOVE sendingUntil$/)]);
    expect(resolved(updates()[0]?.ConditionExpression, updates()[0])).toBe(`tokenDigest = "${digest}"`);

    // Assess: the email is tagged with its invitation and which of its emails it is (SES events carry the tags)
    expect(email.Tags).toEqual([
      { Name: 'kind', Value: 'invitation' },
      { Name: 'site', Value: SITE },
      { Name: 'invitation', Value: INVITATION },
      { Name: 'resend', Value: '0' },
    ]);
  });

  it('issues a different token on every send', async () => {
    await sendInvitation(context, payload);
    await sendInvitation(context, payload);
    const tokens = sesMock
      .commandCalls(SendEmailCommand)
      .map((call) => /\/invitations\/([A-Za-z0-9_-]{43})/.exec(call.args[0].input.Message?.Body?.Text?.Data ?? '')?.[1]);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('throws EmailTransient once SES throttling outlasts the retry window, and releases the lease without marking the email sent', async () => {
    // Prepare: SES throttles every call; the attempt's clock moves only by its own waits
    sesMock.on(SendEmailCommand).rejects(sdkError('Throttling'));
    const clock = fakeClock();
    // Act
    const error = await rejection(sendInvitation({ ...context, ...clock.context }, payload));
    // Assess: retried within the attempt, never waiting past the window
    expect(error.name).toBe('EmailTransient');
    expect(sesMock.commandCalls(SendEmailCommand).length).toBeGreaterThan(2);
    expect(clock.waited()).toBeLessThan(SES_RETRY_WINDOW_MS);
    expect(error.message).not.toContain('pat@partner.example');
    expect(updates()).toEqual([expect.objectContaining({ TableName: TABLE, Key: invitationKey(SITE, INVITATION) })]);
    // Given back only while the link it claimed is still the invitation's (a resend replaces it)
    expect(resolved(updates()[0]?.ConditionExpression, updates()[0])).toMatch(/^tokenDigest = "[0-9a-f]{64}"$/);
    expect(resolvedUpdates()).toEqual(['REMOVE sendingUntil']);
  });

  it('rides out throttling inside the window: one email, recorded as sent, the lease never given back', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).rejectsOnce(sdkError('Throttling')).rejectsOnce(sdkError('ServiceUnavailable', 503)).resolves({ MessageId: 'ses-msg-3' });
    const clock = fakeClock();
    // Act
    const result = await sendInvitation({ ...context, ...clock.context }, payload);
    // Assess
    expect(result).toEqual({ sent: true });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(3);
    expect(clock.waited()).toBeGreaterThan(0);
    expect(resolvedUpdates()).toEqual([expect.stringMatching(/^SET emailSentAt = "[^"]+", emailMessageId = "ses-msg-3" REMOVE sendingUntil$/)]);
  });

  it('does not retry within the attempt when its window is zero', async () => {
    sesMock.on(SendEmailCommand).rejectsOnce(sdkError('Throttling')).resolves({ MessageId: 'ses-msg-4' });
    const error = await rejection(sendInvitation({ ...context, ...fakeClock().context, sesRetryWindowMs: 0 }, payload));
    expect(error.name).toBe('EmailTransient');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('throws EmailRejected when SES answers MessageRejected, and releases the lease', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).rejects(new MessageRejected({ message: 'Email address is not verified: pat@partner.example', $metadata: { httpStatusCode: 400 } }));
    // Act
    const error = await rejection(sendInvitation(context, payload));
    // Assess
    expect(error.name).toBe('EmailRejected');
    expect(error.message).not.toContain('pat@partner.example');
    expect(resolvedUpdates()).toEqual(['REMOVE sendingUntil']);
  });

  it('does nothing when the invitation email was already sent', async () => {
    // Prepare
    put(invitationKey(SITE, INVITATION), { ...invitation({ emailSentAt: '2026-01-01T00:01:00.000Z', emailMessageId: 'old' }) });
    // Act
    const result = await sendInvitation(context, payload);
    // Assess
    expect(result).toEqual({ sent: false });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it.each(['revoked', 'expired', 'accepted'] as const)('does nothing for a %s invitation', async (status) => {
    put(invitationKey(SITE, INVITATION), { ...invitation({ status }) });
    expect(await sendInvitation(context, payload)).toEqual({ sent: false });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('throws EmailTransient without sending while another attempt holds the lease', async () => {
    // Prepare: the claim's condition fails, and the re-read shows a pending, unsent invitation
    ddbMock
      .on(TransactWriteCommand)
      .rejects(new TransactionCanceledException({ message: 'x', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }));
    // Act
    const error = await rejection(sendInvitation(context, payload));
    // Assess
    expect(error.name).toBe('EmailTransient');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('returns sent:false when the claim loses to an attempt that already sent', async () => {
    ddbMock
      .on(TransactWriteCommand)
      .callsFake(() => {
        // Another attempt finished between our read and our write.
        put(invitationKey(SITE, INVITATION), { ...invitation({ emailSentAt: '2026-01-01T00:01:00.000Z' }) });
        throw new TransactionCanceledException({ message: 'x', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] });
      });
    expect(await sendInvitation(context, payload)).toEqual({ sent: false });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('awaitAcceptance', () => {
  const callback = { ...payload, taskToken: TASK_TOKEN };

  it('stores the task token on the pending invitation and does not call Step Functions', async () => {
    // Act
    await awaitAcceptance(context, callback);
    // Assess
    expect(updates().map((input) => input.Key)).toEqual([invitationKey(SITE, INVITATION)]);
    expect(resolvedUpdates()).toEqual([`SET acceptTaskToken = "${TASK_TOKEN}"`]);
    // Only while pending, and only by the execution that drives the invitation (the first one: no resend yet)
    expect(resolved(updates()[0]?.ConditionExpression, updates()[0])).toBe('status = "pending" AND attribute_not_exists(execution)');
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('completes the task at once when the guest accepted before the wait began', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    put(invitationKey(SITE, INVITATION), { ...invitation({ status: 'accepted', acceptedAt: '2026-01-02T00:00:00.000Z' }) });
    // Act
    await awaitAcceptance(context, callback);
    // Assess
    const successes = sfnMock.commandCalls(SendTaskSuccessCommand);
    expect(successes).toHaveLength(1);
    expect(successes[0]!.args[0].input).toEqual({ taskToken: TASK_TOKEN, output: JSON.stringify({ acceptedBeforeWait: true }) });
    expect(sfnMock.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });

  it.each([
    ['revoked', (): Record<string, unknown> | null => invitation({ status: 'revoked' })],
    ['expired', (): Record<string, unknown> | null => invitation({ status: 'expired' })],
    ['deleted', (): Record<string, unknown> | null => null],
  ])('fails the task with Revoked when the invitation is %s', async (_state, current) => {
    // Prepare
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    const item = current();
    if (item) put(invitationKey(SITE, INVITATION), item);
    else table.delete(keyOf(invitationKey(SITE, INVITATION)));
    // Act
    await awaitAcceptance(context, callback);
    // Assess
    const failures = sfnMock.commandCalls(SendTaskFailureCommand);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.args[0].input).toMatchObject({ taskToken: TASK_TOKEN, error: 'Revoked' });
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('swallows TaskTimedOut from SendTaskSuccess (the workflow moved on)', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    put(invitationKey(SITE, INVITATION), { ...invitation({ status: 'accepted' }) });
    sfnMock.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    // Act / Assess
    await expect(awaitAcceptance(context, callback)).resolves.toBeUndefined();
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('propagates an SFN throttling error so the task is retried', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    put(invitationKey(SITE, INVITATION), { ...invitation({ status: 'accepted' }) });
    const throttled = sdkError('ThrottlingException');
    sfnMock.on(SendTaskSuccessCommand).rejects(throttled);
    // Act
    const error = await rejection(awaitAcceptance(context, callback));
    // Assess
    expect(error).toBe(throttled);
  });

  it('propagates a DynamoDB error other than a condition failure, without calling Step Functions', async () => {
    const throttled = sdkError('ProvisionedThroughputExceededException');
    ddbMock.on(UpdateCommand).rejects(throttled);
    expect(await rejection(awaitAcceptance(context, callback))).toBe(throttled);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('completeTask / failTask', () => {
  it('completeTask returns true on success and false when the task timed out', async () => {
    // Prepare
    sfnMock
      .on(SendTaskSuccessCommand)
      .resolvesOnce({})
      .rejectsOnce(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    // Act
    const first = await completeTask(context.sfn, TASK_TOKEN, { ok: 1 }, { invitationId: INVITATION });
    const second = await completeTask(context.sfn, TASK_TOKEN, { ok: 2 }, { invitationId: INVITATION });
    // Assess
    expect(first).toBe(true);
    expect(second).toBe(false);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.output)).toEqual(['{"ok":1}', '{"ok":2}']);
  });

  it.each(['TaskDoesNotExist', 'InvalidToken'])('completeTask returns false for %s', async (name) => {
    sfnMock.on(SendTaskSuccessCommand).rejects(sdkError(name));
    expect(await completeTask(context.sfn, TASK_TOKEN, {}, {})).toBe(false);
  });

  it('completeTask rethrows a throttling error', async () => {
    const throttled = sdkError('ThrottlingException');
    sfnMock.on(SendTaskSuccessCommand).rejects(throttled);
    expect(await rejection(completeTask(context.sfn, TASK_TOKEN, {}, {}))).toBe(throttled);
  });

  it('failTask sends error and cause, swallows a gone task and rethrows throttling', async () => {
    // Prepare
    const throttled = sdkError('ThrottlingException');
    sfnMock.on(SendTaskFailureCommand).resolvesOnce({}).rejectsOnce(sdkError('TaskDoesNotExist')).rejectsOnce(throttled);
    // Act
    const sent = await failTask(context.sfn, TASK_TOKEN, 'Revoked', 'An admin revoked the invitation', {});
    const gone = await failTask(context.sfn, TASK_TOKEN, 'Revoked', 'again', {});
    const error = await rejection(failTask(context.sfn, TASK_TOKEN, 'Revoked', 'again', {}));
    // Assess
    expect(sent).toBe(true);
    expect(gone).toBe(false);
    expect(error).toBe(throttled);
    expect(sfnMock.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toEqual({
      taskToken: TASK_TOKEN,
      error: 'Revoked',
      cause: 'An admin revoked the invitation',
    });
  });
});

describe('awaitSpaceAssignment', () => {
  const callback = { ...payload, taskToken: TASK_TOKEN };

  it('stores the token on a person without a space', async () => {
    put(personKey(SITE, USER), { ...person({ spaceKey: undefined }) });
    await awaitSpaceAssignment(context, callback);
    expect(updates().map((input) => input.Key)).toEqual([personKey(SITE, USER)]);
    expect(resolvedUpdates()).toEqual([`SET spaceTaskToken = "${TASK_TOKEN}"`]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('completes at once when a space was assigned before the wait began', async () => {
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    await awaitSpaceAssignment(context, callback);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({
      taskToken: TASK_TOKEN,
      output: JSON.stringify({ assignedBeforeWait: true }),
    });
  });

  it('fails with Revoked when the person is gone', async () => {
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    table.delete(keyOf(personKey(SITE, USER)));
    await awaitSpaceAssignment(context, callback);
    expect(sfnMock.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({ taskToken: TASK_TOKEN, error: 'Revoked' });
  });
});

describe('activate', () => {
  it('activates an invited guest once the invitation is accepted and sends one welcome email', async () => {
    // Prepare
    put(invitationKey(SITE, INVITATION), { ...invitation({ status: 'accepted' }) });
    // Act
    const result = await activate(context, payload);
    // Assess
    expect(result).toEqual({ status: 'active' });
    const items = ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.Key).toEqual(personKey(SITE, USER));
    // The kind as read too: the status index key is the guests' one
    expect(resolved(items[0]?.Update?.ConditionExpression, items[0]?.Update)).toBe('status = "invited" AND kind = "guest"');
    expect(resolved(items[0]?.Update?.UpdateExpression, items[0]?.Update)).toMatch(
      // Active now, so the guest enters the re-verification index, counted from the activation.
      new RegExp(
        `^SET status = "active", activatedAt = "([^"]+)", gsi2pk = "SITE#${SITE}#GUEST_STATUS#active", gsi4pk = "SITE#${SITE}#VERIFY#guest#PLAIN", gsi4sk = "\\1#${USER}" REMOVE spaceTaskToken$`,
      ),
    );
    expect(items[1]?.ConditionCheck?.Key).toEqual(invitationKey(SITE, INVITATION));
    expect(resolved(items[1]?.ConditionCheck?.ConditionExpression, items[1]?.ConditionCheck)).toBe('status = "accepted"');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(emailInput().Destination?.ToAddresses).toEqual(['pat@partner.example']);
    expect(emailInput().Message?.Body?.Text?.Data).toContain('Engineering');
    expect(resolvedUpdates()).toEqual([
      expect.stringMatching(/^SET welcomeSendingUntil = "[^"]+"$/),
      expect.stringMatching(/^SET welcomeSentAt = "[^"]+" REMOVE welcomeSendingUntil$/),
    ]);
  });

  it('sends no welcome email when another attempt holds or used the welcome lease', async () => {
    put(personKey(SITE, USER), { ...person({ status: 'active', activatedAt: '2026-01-03T00:00:00.000Z' }) });
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    expect(await activate(context, payload)).toEqual({ status: 'active' });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('skips a person who is gone, without any email', async () => {
    table.delete(keyOf(personKey(SITE, USER)));
    expect(await activate(context, payload)).toEqual({ status: 'missing' });
    expect(sesMock.calls()).toHaveLength(0);
  });
});

describe('expireInvitation', () => {
  it('ends the pending invitation, removes the invited guest and releases a guest seat', async () => {
    // Act
    const result = await expireInvitation(context, { ...payload, reason: 'InvitationExpired' });
    // Assess
    expect(result).toEqual({ ended: true });
    const items = ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems ?? [];
    const update = (key: { pk: string; sk: string }) => items.find((item) => item.Update?.Key?.sk === key.sk)?.Update;
    const deletes = items.flatMap((item) => (item.Delete?.Key ? [item.Delete.Key] : []));
    const ending = update(invitationKey(SITE, INVITATION));
    expect(ending?.Key).toEqual(invitationKey(SITE, INVITATION));
    expect(resolved(ending?.ConditionExpression, ending)).toBe('status = "pending"');
    expect(resolved(ending?.UpdateExpression, ending)).toMatch(/^SET status = "expired", endedAt = "[^"]+", gsi1pk = "SITE#acme#INVITATIONS#expired" REMOVE acceptTaskToken$/);
    expect(deletes).toEqual(expect.arrayContaining([personKey(SITE, USER), emailClaimKey(SITE, 'pat@partner.example')]));
    const seat = update(siteKey(SITE));
    expect(seat?.Key).toEqual(siteKey(SITE));
    expect(resolved(seat?.UpdateExpression, seat)).toBe('ADD paid 0, guests -1, ratioRoom 1, userRoom 1');
    expect(resolved(seat?.ConditionExpression, seat)).toBe('attribute_exists(pk) AND seatRatio = 5');
    // The space's guest count goes down with the guest.
    const space = update(spaceItemKey(SITE, 'ENG'));
    expect(resolved(space?.UpdateExpression, space)).toBe('ADD guestCount -1');
  });

  it('does nothing once the invitee was activated', async () => {
    put(personKey(SITE, USER), { ...person({ status: 'active' }) });
    expect(await expireInvitation(context, { ...payload, reason: 'InvitationExpired' })).toEqual({ ended: false });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
