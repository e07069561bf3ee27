import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { MessageRejected, SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import { EmailRejectedError, EmailTransientError, sendEmail, type OutgoingEmail } from '../../shared/email';

const sesMock = mockClient(SESClient);
const ses = new SESClient({ region: 'eu-west-1' });

afterEach(() => {
  sesMock.reset();
});

const email = (over: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  to: 'pat@example.com',
  from: 'Acme Wiki <noreply@wiki.example.com>',
  subject: 'Ada invited you to Acme Wiki',
  html: '<p>Grüße</p>',
  text: 'Grüße',
  ...over,
});

function sdkError(name: string, httpStatusCode: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} for pat@example.com`), { name, $metadata: { httpStatusCode }, ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('sendEmail', () => {
  it('sends both bodies in UTF-8 with sanitised tags and returns the MessageId', async () => {
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'msg-123' });

    const result = await sendEmail(
      ses,
      email({ tags: { invitationId: '01J/abc:def', 'site id': 's-1', empty: '', long: 'x'.repeat(300) } }),
    );

    expect(result).toEqual({ messageId: 'msg-123' });
    const calls = sesMock.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Source: '"Acme Wiki" <noreply@wiki.example.com>',
      Destination: { ToAddresses: ['pat@example.com'] },
      Message: {
        Subject: { Data: 'Ada invited you to Acme Wiki', Charset: 'UTF-8' },
        Body: {
          Html: { Data: '<p>Grüße</p>', Charset: 'UTF-8' },
          Text: { Data: 'Grüße', Charset: 'UTF-8' },
        },
      },
      Tags: [
        { Name: 'invitationId', Value: '01J_abc_def' },
        { Name: 'site_id', Value: 's-1' },
        { Name: 'long', Value: 'x'.repeat(256) },
      ],
    });
  });

  it('omits Tags when none are given and strips CR/LF from the subject', async () => {
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
    await sendEmail(ses, email({ from: 'noreply@wiki.example.com', subject: 'Hello\r\nBcc: x@y.example' }));
    const input = sesMock.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.Tags).toBeUndefined();
    expect(input.Source).toBe('noreply@wiki.example.com');
    expect(input.Message?.Subject?.Data).toBe('Hello Bcc: x@y.example');
  });

  it('encodes a non-ASCII sender name', async () => {
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
    await sendEmail(ses, email({ from: 'Wiki Zürich <noreply@wiki.example.com>' }));
    const input = sesMock.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.Source).toBe(`=?UTF-8?B?${Buffer.from('Wiki Zürich').toString('base64')}?= <noreply@wiki.example.com>`);
  });

  it('maps MessageRejected to EmailRejectedError without leaking the address', async () => {
    const original = new MessageRejected({
      message: 'Email address is not verified: pat@example.com',
      $metadata: { httpStatusCode: 400 },
    });
    sesMock.on(SendEmailCommand).rejects(original);

    const err = await rejection(sendEmail(ses, email()));
    expect(err).toBeInstanceOf(EmailRejectedError);
    expect(err.name).toBe('EmailRejected');
    expect(err.message).toContain('MessageRejected');
    expect(err.message).not.toContain('pat@example.com');
    expect(err.cause).toBe(original);
  });

  it.each(['MailFromDomainNotVerifiedException', 'ConfigurationSetDoesNotExistException', 'AccountSendingPausedException'])(
    'maps %s to EmailRejectedError',
    async (name) => {
      sesMock.on(SendEmailCommand).rejects(sdkError(name, 400));
      await expect(sendEmail(ses, email())).rejects.toBeInstanceOf(EmailRejectedError);
    },
  );

  it('maps throttling to EmailTransientError', async () => {
    sesMock.on(SendEmailCommand).rejects(sdkError('Throttling', 400));
    const err = await rejection(sendEmail(ses, email()));
    expect(err).toBeInstanceOf(EmailTransientError);
    expect(err.name).toBe('EmailTransient');
    expect(err.message).toContain('Throttling');
    expect(err.message).not.toContain('pat@example.com');
  });

  it('maps a 503 to EmailTransientError', async () => {
    sesMock.on(SendEmailCommand).rejects(
      new SESServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } }),
    );
    await expect(sendEmail(ses, email())).rejects.toBeInstanceOf(EmailTransientError);
  });

  it('maps $retryable and network errors to EmailTransientError', async () => {
    sesMock.on(SendEmailCommand).rejects(sdkError('SomethingOdd', 400, { $retryable: {} }));
    await expect(sendEmail(ses, email())).rejects.toBeInstanceOf(EmailTransientError);

    // What the SDK's retry middleware leaves on a socket error: $metadata without a status.
    const network = Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET', $metadata: { attempts: 3 } });
    sesMock.on(SendEmailCommand).rejects(network);
    await expect(sendEmail(ses, email())).rejects.toBeInstanceOf(EmailTransientError);

    sesMock.on(SendEmailCommand).rejects(new TypeError('fetch failed'));
    await expect(sendEmail(ses, email())).rejects.toBeInstanceOf(EmailTransientError);
  });

  it('refuses a header-injection recipient without calling SES', async () => {
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'never' });
    const to = 'a@b.example\r\nBcc: x@y.example';

    const err = await rejection(sendEmail(ses, email({ to })));
    expect(err).toBeInstanceOf(EmailRejectedError);
    expect(err.message).toContain('recipient');
    expect(err.message).not.toContain('a@b.example');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it.each([
    ['to', 'a@b.example, c@d.example'],
    ['to', 'Pat <pat@example.com>'],
    ['to', ''],
    ['from', 'noreply@wiki.example.com\nBcc: x@y.example'],
    ['from', 'A <a@b.example>, c@d.example'],
    ['from', 'Evil "name" <a@b.example>'],
  ] as const)('refuses %s = %j without calling SES', async (field, value) => {
    await expect(sendEmail(ses, email({ [field]: value }))).rejects.toBeInstanceOf(EmailRejectedError);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
