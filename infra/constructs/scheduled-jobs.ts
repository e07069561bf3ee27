import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceUse, TableUse } from '../../shared/capabilities';
import { JOBS } from '../../shared/jobs';
import { type FunctionDefaults, GuestpassFunction, type ServiceTargets } from './guestpass-function';
import { acknowledgeNagRule } from './nag';

/** A scheduled job: one function run by one EventBridge Scheduler schedule (see `JOBS`). */
export interface JobDefinition {
  /** Unique; names the schedule, the function's construct and its place in `functions`. */
  readonly name: string;
  /** Folder under `functions/`; the entry point is `functions/<handler>/handler.ts` (no input). */
  readonly handler: string;
  /** An EventBridge Scheduler expression in UTC: `rate(…)`, `cron(…)` or `at(…)`. */
  readonly schedule: string;
  readonly table: TableUse;
  /** AWS services the job talks to besides the table (see `ServiceUse`). */
  readonly uses: readonly ServiceUse[];
  readonly summary: string;
}

/**
 * Delivery of a due run to Lambda (throttled, Lambda unavailable): EventBridge Scheduler retries
 * with backoff for up to two hours, then sends the event to the dead-letter queue.
 */
export const JOB_SCHEDULE_RETRY = { retryAttempts: 10, maxEventAge: Duration.hours(2) } as const;

/**
 * The run itself (Scheduler invokes asynchronously, so a job that throws or times out does not
 * come back to the schedule): Lambda retries it twice, then records it in the dead-letter queue.
 * Jobs only act on what is due when they run, so a retry redoes nothing that already succeeded.
 */
export const JOB_RUN_RETRY = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

export interface ScheduledJobsProps extends ServiceTargets {
  readonly table: ITable;
  readonly functionDefaults: FunctionDefaults;
  /** Defaults to `JOBS`. */
  readonly jobs?: readonly JobDefinition[];
}

/**
 * The scheduled jobs: for each `JOBS` entry a `GuestpassFunction` (kind `job`) with the entry's
 * table access, and an EventBridge Scheduler schedule that invokes it through a role of its own
 * that may invoke only that function. Runs that could not be delivered, and runs that failed
 * after Lambda's retries, land in one encrypted, TLS-only dead-letter queue.
 */
export class ScheduledJobs extends Construct {
  /** The job functions, keyed by job name. */
  readonly functions: ReadonlyMap<string, GuestpassFunction>;
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ScheduledJobsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNagRule(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue: of the job schedules (undeliverable runs) and of the job functions’ asynchronous invocations (failed runs).',
    );

    const functions = new Map<string, GuestpassFunction>();
    const schedules = new Map<string, Schedule>();
    for (const job of props.jobs ?? JOBS) {
      if (functions.has(job.name)) throw new Error(`Job ${job.name} is defined twice`);

      const fn = new GuestpassFunction(this, job.name, {
        ...props.functionDefaults,
        handler: job.handler,
        kind: 'job',
        description: `Scheduled job ${job.name} (${job.schedule}): ${job.summary}`,
      });
      if (job.table !== 'none') fn.bindTable(props.table, job.table);
      fn.allowUses(job.uses, props);
      fn.configureAsyncInvoke({ ...JOB_RUN_RETRY, onFailure: new SqsDestination(this.deadLetterQueue) });
      functions.set(job.name, fn);

      // Only the scheduler, acting for a schedule of this account's default group, may assume it.
      const role = new Role(this, `${job.name}SchedulerRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: {
            StringEquals: {
              'aws:SourceAccount': stack.account,
              'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
            },
          },
        }),
        description: `Lets EventBridge Scheduler run the ${job.name} job`,
      });
      const schedule = new Schedule(this, `${job.name}Schedule`, {
        schedule: ScheduleExpression.expression(job.schedule),
        description: `${job.name}: ${job.summary}`,
        target: new LambdaInvoke(fn, { role, deadLetterQueue: this.deadLetterQueue, ...JOB_SCHEDULE_RETRY }),
      });
      schedules.set(job.name, schedule);

      const cfnFunction = fn.node.defaultChild;
      if (!(cfnFunction instanceof CfnElement)) throw new Error(`Function ${fn.node.path} has no CloudFormation resource`);
      acknowledgeNagRule(
        role,
        'AwsSolutions-IAM5',
        'The LambdaInvoke target grants invoke on `<function arn>:*` (versions and aliases) of this one job function; the schedule invokes its unqualified ARN.',
        [`Resource::<${stack.getLogicalId(cfnFunction)}.Arn>:*`],
      );
    }
    this.functions = functions;
    this.schedules = schedules;
  }
}
