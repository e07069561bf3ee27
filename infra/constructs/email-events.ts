import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_FUNCTIONS } from '../../shared/events';
import type { ServiceUse, TableUse } from '../../shared/capabilities';
import { type FunctionDefaults, GuestpassFunction, type ServiceTargets } from './guestpass-function';
import { acknowledgeNagRule } from './nag';

/** The SES events that move an invitation email's delivery (see `deliveryForEvent`). */
export const DELIVERY_EVENTS = [EmailSendingEvent.SEND, EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT] as const;

/**
 * Delivery of an event to its function (throttled, Lambda unavailable): EventBridge retries with
 * backoff for up to two hours, then puts the event in the dead-letter queue.
 */
export const EVENT_DELIVERY_RETRY = { retryAttempts: 10, maxEventAge: Duration.hours(2) } as const;

/** A failed run (EventBridge invokes asynchronously): Lambda retries it twice, then dead-letters it. */
export const EVENT_RUN_RETRY = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

/** An `EVENT_FUNCTIONS` entry, as the construct reads it. */
export interface EventFunctionDefinition {
  readonly name: string;
  readonly handler: string;
  readonly source: string;
  readonly detailTypes: readonly string[];
  readonly detail?: Record<string, unknown>;
  readonly table: TableUse;
  readonly uses: readonly ServiceUse[];
  readonly summary: string;
}

export interface EventFunctionsProps {
  readonly table: ITable;
  readonly functionDefaults: FunctionDefaults;
  /** For functions that declare `uses`. */
  readonly targets?: ServiceTargets;
  /** Defaults to `EVENT_FUNCTIONS`. */
  readonly functions?: readonly EventFunctionDefinition[];
}

/**
 * Email events: an SES configuration set that every sending function sends through, publishing
 * each email's send, delivery, bounce and complaint to the default EventBridge bus; and the
 * functions of `EVENT_FUNCTIONS`, each behind a rule on that bus, with retries and one encrypted,
 * TLS-only dead-letter queue for events that could not be delivered or failed after retries.
 *
 * Built in two steps: the configuration set first (senders need its name), the functions once the
 * table exists (`addFunctions`).
 */
export class EmailEvents extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly bus: IEventBus;
  readonly deadLetterQueue: Queue;
  readonly functions = new Map<string, GuestpassFunction>();
  readonly rules = new Map<string, Rule>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE, reputationMetrics: true });
    // SES publishes to the account's default bus only.
    this.bus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.configurationSet.addEventDestination('ToEventBridge', { destination: EventDestination.eventBus(this.bus), events: [...DELIVERY_EVENTS] });

    this.deadLetterQueue = new Queue(this, 'DeadLetters', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledgeNagRule(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue: of the email event rules (undeliverable events) and of the event functions’ asynchronous invocations (failed runs).',
    );
  }

  get configurationSetName(): string {
    return this.configurationSet.configurationSetName;
  }

  addFunctions(props: EventFunctionsProps): this {
    for (const definition of props.functions ?? EVENT_FUNCTIONS) {
      if (this.functions.has(definition.name)) throw new Error(`Event function ${definition.name} is defined twice`);
      const fn = new GuestpassFunction(this, definition.name, {
        ...props.functionDefaults,
        handler: definition.handler,
        kind: 'event',
        description: `Events ${definition.source} (${definition.detailTypes.join(', ')}): ${definition.summary}`,
      });
      if (definition.table !== 'none') fn.bindTable(props.table, definition.table);
      if (definition.uses.length > 0) {
        if (!props.targets) throw new Error(`Event function ${definition.name} uses ${definition.uses.join(', ')} but no targets were given`);
        fn.allowUses(definition.uses, props.targets);
      }
      fn.configureAsyncInvoke({ ...EVENT_RUN_RETRY, onFailure: new SqsDestination(this.deadLetterQueue) });
      const rule = new Rule(this, `${definition.name}Rule`, {
        eventBus: this.bus,
        description: `${definition.name}: ${definition.summary}`,
        eventPattern: { source: [definition.source], detailType: [...definition.detailTypes], ...(definition.detail ? { detail: definition.detail } : {}) },
        targets: [new LambdaFunction(fn, { deadLetterQueue: this.deadLetterQueue, ...EVENT_DELIVERY_RETRY })],
      });
      this.functions.set(definition.name, fn);
      this.rules.set(definition.name, rule);
    }
    return this;
  }
}
