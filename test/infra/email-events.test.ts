import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_DELIVERY_RETRY, EVENT_RUN_RETRY } from '../../infra/constructs/email-events';
import { EVENT_FUNCTIONS } from '../../shared/events';
import { actionsOf, type BuiltStack, buildStack, logicalIdOf, resources, statementsOfFunction } from './support';

/**
 * Delivery status from SES: the configuration set every sender uses, its EventBridge event
 * destination, the rule that hands invitation emails' events to the email-delivery function,
 * that function's least privilege, and the dead-letter queue behind both the rule and the function.
 */
let built: BuiltStack;
beforeAll(() => {
  built = buildStack();
}, 120_000);

const delivery = () => {
  const fn = built.stack.emailEvents.functions.get('email-delivery');
  if (!fn) throw new Error('No email-delivery function');
  return fn;
};
const fnId = () => logicalIdOf(built.stack, delivery());
const queueArn = () => ({ 'Fn::GetAtt': [logicalIdOf(built.stack, built.stack.emailEvents.deadLetterQueue), 'Arn'] });
const configurationSetRef = () => ({ Ref: logicalIdOf(built.stack, built.stack.emailEvents.configurationSet) });
const defaultBusArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] };

describe('the SES configuration set', () => {
  it('requires TLS and publishes send, delivery, bounce and complaint events to the default bus', () => {
    built.template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    built.template.hasResourceProperties('AWS::SES::ConfigurationSet', { DeliveryOptions: { TlsPolicy: 'REQUIRE' } });
    const destinations = Object.values(resources(built.template, 'AWS::SES::ConfigurationSetEventDestination'));
    expect(destinations).toHaveLength(1);
    expect(destinations[0]?.Properties).toEqual({
      ConfigurationSetName: configurationSetRef(),
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint'],
        EventBridgeDestination: { EventBusArn: defaultBusArn },
      },
    });
  });
});

describe('the email-delivery function', () => {
  it('is declared once, as an event function of its own', () => {
    expect(EVENT_FUNCTIONS.map((fn) => fn.name)).toEqual(['email-delivery']);
    expect(delivery().kind).toBe('event');
    const properties = resources(built.template, 'AWS::Lambda::Function')[fnId()]?.Properties;
    expect(properties).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 30 });
    const environment = (properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(environment.TABLE_NAME).toEqual({ Ref: logicalIdOf(built.stack, built.stack.table) });
    for (const name of ['SENDER_ADDRESS', 'STATE_MACHINE_ARN', 'SES_CONFIGURATION_SET', 'TWO_STEP_KEY_ID']) expect(environment, name).not.toHaveProperty(name);
  });

  it('may read and write the directory’s items, log, and dead-letter a failed run: nothing else', () => {
    const statements = statementsOfFunction(built.template, fnId());
    const actions = [...actionsOf(statements)].sort();
    expect(actions.filter((action) => !action.startsWith('logs:'))).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
    const tableArn = { 'Fn::GetAtt': [logicalIdOf(built.stack, built.stack.table), 'Arn'] };
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:')).map((s) => s.Resource)).toEqual([[tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }]]);
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('sqs:')).map((s) => s.Resource)).toEqual([queueArn()]);
    expect(JSON.stringify(statements)).not.toMatch(/ses:|states:|kms:/);
  });

  it('gets only invitation emails’ SES events, from a rule on the default bus that retries, then dead-letters', () => {
    const rules = Object.values(resources(built.template, 'AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties!;
    expect(rule.EventBusName).toBe('default');
    expect(rule.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': ['Email Sent', 'Email Delivered', 'Email Bounced', 'Email Complaint Received'],
      detail: { mail: { tags: { kind: ['invitation'] } } },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId(), 'Arn'] },
        DeadLetterConfig: { Arn: queueArn() },
        RetryPolicy: { MaximumRetryAttempts: EVENT_DELIVERY_RETRY.retryAttempts, MaximumEventAgeInSeconds: EVENT_DELIVERY_RETRY.maxEventAge.toSeconds() },
      }),
    ]);
    // Only EventBridge, for this rule, may invoke it
    const permissions = Object.values(resources(built.template, 'AWS::Lambda::Permission')).filter(
      (permission) => JSON.stringify(permission.Properties?.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fnId(), 'Arn'] }),
    );
    expect(permissions.map((permission) => permission.Properties)).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [logicalIdOf(built.stack, built.stack.emailEvents.rules.get('email-delivery')!), 'Arn'] } }),
    ]);
  });

  it('sends a run that failed after Lambda’s retries to the dead-letter queue', () => {
    const configs = Object.values(resources(built.template, 'AWS::Lambda::EventInvokeConfig')).filter(
      (config) => JSON.stringify(config.Properties?.FunctionName) === JSON.stringify({ Ref: fnId() }),
    );
    expect(configs.map((config) => config.Properties)).toEqual([
      expect.objectContaining({
        MaximumRetryAttempts: EVENT_RUN_RETRY.retryAttempts,
        MaximumEventAgeInSeconds: EVENT_RUN_RETRY.maxEventAge.toSeconds(),
        DestinationConfig: { OnFailure: { Destination: queueArn() } },
      }),
    ]);
  });
});

describe('the dead-letter queue', () => {
  it('is encrypted, TLS-only, keeps events 14 days and takes them from the rule only', () => {
    const queueId = logicalIdOf(built.stack, built.stack.emailEvents.deadLetterQueue);
    expect(resources(built.template, 'AWS::SQS::Queue')[queueId]?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 60 * 60 });
    const policies = Object.values(resources(built.template, 'AWS::SQS::QueuePolicy')).filter((policy) => JSON.stringify(policy.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]));
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalIdOf(built.stack, built.stack.emailEvents.rules.get('email-delivery')!), 'Arn'] } } },
      }),
    );
  });

  it('is an output of the stack, beside the jobs’ one', () => {
    built.template.hasOutput('EmailEventDeadLetterQueueUrl', { Value: { Ref: logicalIdOf(built.stack, built.stack.emailEvents.deadLetterQueue) } });
  });
});
