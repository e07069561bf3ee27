import { beforeAll, describe, expect, it } from 'vitest';
import { JOB_RUN_RETRY, JOB_SCHEDULE_RETRY } from '../../infra/constructs/scheduled-jobs';
import { JOBS } from '../../shared/jobs';
import { actionsOf, type BuiltStack, buildStack, logicalIdOf, resources, type Statement, statementsOfFunction, statementsOfRole } from './support';

let built: BuiltStack;
beforeAll(() => {
  built = buildStack();
}, 120_000);

const READ_WRITE = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

function jobFunction(name: string) {
  const fn = built.stack.jobs.functions.get(name);
  if (!fn) throw new Error(`No job function ${name}`);
  return fn;
}
const functionLogicalId = (name: string) => logicalIdOf(built.stack, jobFunction(name));
const functionArn = (name: string) => ({ 'Fn::GetAtt': [functionLogicalId(name), 'Arn'] });
const queueArn = () => ({ 'Fn::GetAtt': [logicalIdOf(built.stack, built.stack.jobs.deadLetterQueue), 'Arn'] });

interface ScheduleProperties {
  readonly ScheduleExpression: string;
  readonly State: string;
  readonly FlexibleTimeWindow: { readonly Mode: string };
  readonly Target: {
    readonly Arn: unknown;
    readonly RoleArn: { 'Fn::GetAtt': [string, string] };
    readonly RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
    readonly DeadLetterConfig?: { Arn: unknown };
  };
}

function scheduleOf(name: string): ScheduleProperties {
  const schedule = built.stack.jobs.schedules.get(name);
  if (!schedule) throw new Error(`No schedule for ${name}`);
  const properties = resources(built.template, 'AWS::Scheduler::Schedule')[logicalIdOf(built.stack, schedule)]?.Properties;
  if (!properties) throw new Error(`No schedule resource for ${name}`);
  return properties as unknown as ScheduleProperties;
}

describe('scheduled jobs', () => {
  it('has one function and one schedule per JOBS entry (erase-deleted-people among them)', () => {
    expect(JOBS.map((job) => job.name)).toContain('erase-deleted-people');
    expect([...built.stack.jobs.functions.keys()].sort()).toEqual(JOBS.map((job) => job.name).sort());
    built.template.resourceCountIs('AWS::Scheduler::Schedule', JOBS.length);
  });

  it.each(JOBS.map((job) => [job.name, job] as const))('%s runs on its JOBS schedule and invokes its own function', (name, job) => {
    const schedule = scheduleOf(name);
    expect(schedule.ScheduleExpression).toBe(job.schedule);
    expect(schedule.State).toBe('ENABLED');
    expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(schedule.Target.Arn).toEqual(functionArn(name));
  });

  it.each(JOBS.map((job) => job.name))('%s retries delivery, then dead-letters to the encrypted queue', (name) => {
    const { Target } = scheduleOf(name);
    expect(Target.RetryPolicy).toEqual({
      MaximumRetryAttempts: JOB_SCHEDULE_RETRY.retryAttempts,
      MaximumEventAgeInSeconds: JOB_SCHEDULE_RETRY.maxEventAge.toSeconds(),
    });
    expect(Target.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(Target.DeadLetterConfig).toEqual({ Arn: queueArn() });
  });

  it.each(JOBS.map((job) => job.name))('%s sends failed runs (after Lambda’s retries) to the same queue', (name) => {
    const configs = Object.values(resources(built.template, 'AWS::Lambda::EventInvokeConfig')).filter(
      (config) => JSON.stringify(config.Properties?.FunctionName) === JSON.stringify({ Ref: functionLogicalId(name) }),
    );
    expect(configs).toHaveLength(1);
    expect(configs[0]?.Properties).toMatchObject({
      MaximumRetryAttempts: JOB_RUN_RETRY.retryAttempts,
      MaximumEventAgeInSeconds: JOB_RUN_RETRY.maxEventAge.toSeconds(),
      DestinationConfig: { OnFailure: { Destination: queueArn() } },
    });
  });

  it.each(JOBS.map((job) => job.name))('%s is invoked through a role of its own that may invoke only that function', (name) => {
    const roleId = scheduleOf(name).Target.RoleArn['Fn::GetAtt'][0];
    const role = resources(built.template, 'AWS::IAM::Role')[roleId];
    const trust = (role?.Properties?.AssumeRolePolicyDocument as { Statement: Statement[] & { Principal: unknown }[] }).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Action: 'sts:AssumeRole',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });

    const statements = statementsOfRole(built.template, roleId);
    expect([...actionsOf(statements)].sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    const invoke = statements.find((s) => JSON.stringify(s.Action).includes('lambda:'));
    expect(invoke?.Resource).toEqual([functionArn(name), { 'Fn::Join': ['', [functionArn(name), ':*']] }]);
    const sendToDlq = statements.find((s) => JSON.stringify(s.Action).includes('sqs:'));
    expect(sendToDlq?.Resource).toEqual(queueArn());
  });

  it('has the re-verification job among them, daily', () => {
    expect(JOBS.find((job) => job.name === 'reverify-external-users')).toMatchObject({ handler: 'job-reverify', schedule: 'rate(1 day)', uses: ['ses'] });
  });

  it.each(JOBS.map((job) => [job.name, job] as const))('%s: a 5-minute job with its JOBS table access, SES only if it declares it, never Step Functions', (name, job) => {
    const fn = jobFunction(name);
    expect(fn.kind).toBe('job');
    const properties = resources(built.template, 'AWS::Lambda::Function')[functionLogicalId(name)]?.Properties;
    expect(properties?.Timeout).toBe(300);
    expect(properties?.Runtime).toBe('nodejs24.x');
    expect(String(properties?.Description)).toContain(name);
    expect((properties?.Environment as { Variables: Record<string, unknown> }).Variables.TABLE_NAME).toEqual({
      Ref: logicalIdOf(built.stack, built.stack.table),
    });

    const statements = statementsOfFunction(built.template, functionLogicalId(name));
    const actions = [...actionsOf(statements)];
    const dynamodb = actions.filter((action) => action.startsWith('dynamodb:'));
    expect(job.table).toBe('write');
    expect(dynamodb.sort()).toEqual([...READ_WRITE].sort());
    expect(actions.filter((action) => action.startsWith('states:'))).toEqual([]);
    const usesSes = (job.uses as readonly string[]).includes('ses');
    expect(actions.filter((action) => action.startsWith('ses:')).sort()).toEqual(usesSes ? ['ses:SendEmail', 'ses:SendRawEmail'] : []);
    const variables = (properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.SENDER_ADDRESS !== undefined).toBe(usesSes);
    if (usesSes) {
      const sesStatement = statements.find((s) => JSON.stringify(s.Action).includes('ses:'));
      expect(sesStatement?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': variables.SENDER_ADDRESS } });
    }
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('dead-letters to an SQS queue that is encrypted, TLS-only and keeps messages 14 days', () => {
    // The jobs' queue, and the email events' own (test/infra/email-events.test.ts)
    built.template.resourceCountIs('AWS::SQS::Queue', 2);
    const queueId = logicalIdOf(built.stack, built.stack.jobs.deadLetterQueue);
    expect(resources(built.template, 'AWS::SQS::Queue')[queueId]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    const policies = Object.values(resources(built.template, 'AWS::SQS::QueuePolicy')).filter(
      (policy) => JSON.stringify(policy.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]),
    );
    expect(policies).toHaveLength(1);
    expect((policies[0]?.Properties?.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});
