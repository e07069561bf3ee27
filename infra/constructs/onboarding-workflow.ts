import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildOnboardingDefinition } from '../definition';
import { WORKFLOW_TASKS, type WorkflowStateName } from '../../shared/workflow/functions';
import { type FunctionDefaults, GuestpassFunction, type SesSender } from './guestpass-function';
import { acknowledgeNagRule } from './nag';

/** Longer than the longest invitation (30 days) plus sending and activation. */
export const ONBOARDING_TIMEOUT = Duration.days(32);

export interface OnboardingWorkflowProps {
  readonly table: ITable;
  readonly ses: SesSender;
  /** For tasks that declare `two-step-secrets` (none so far). */
  readonly twoStepKey: IKey;
  readonly functionDefaults: FunctionDefaults;
}

/**
 * The onboarding workflow: a Standard state machine (definition in `infra/definition.ts`) and one
 * `GuestpassFunction` per Task state, each with write access to the directory and the services
 * its `WORKFLOW_TASKS` entry uses.
 */
export class OnboardingWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: Readonly<Record<WorkflowStateName, GuestpassFunction>>;

  constructor(scope: Construct, id: string, props: OnboardingWorkflowProps) {
    super(scope, id);

    const functionsScope = new Construct(this, 'Functions');
    const build = (stateName: WorkflowStateName): GuestpassFunction =>
      new GuestpassFunction(functionsScope, stateName, {
        ...props.functionDefaults,
        handler: WORKFLOW_TASKS[stateName].handler,
        kind: 'workflow',
        description: `Onboarding workflow: ${stateName}`,
      }).bindTable(props.table, 'write');
    this.functions = {
      SendInvitation: build('SendInvitation'),
      AwaitAcceptance: build('AwaitAcceptance'),
      AwaitSpaceAssignment: build('AwaitSpaceAssignment'),
      Activate: build('Activate'),
      ExpireInvitation: build('ExpireInvitation'),
    };

    // Executions last up to 32 days; their logs are kept a while after the longest one ends.
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(buildOnboardingDefinition(new Construct(this, 'Definition'), this.functions)),
      timeout: ONBOARDING_TIMEOUT,
      tracingEnabled: true,
      // Every event is logged, without payloads: they would copy task tokens into CloudWatch, and
      // the service keeps each Standard execution's full history anyway.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });

    // The callback functions answer their own task when the guest's or admin's action came first.
    for (const [stateName, fn] of Object.entries(this.functions)) {
      fn.allowUses(WORKFLOW_TASKS[stateName as WorkflowStateName].uses, { ses: props.ses, stateMachine: this.stateMachine, twoStepKey: props.twoStepKey });
    }

    this.suppressServiceWildcards();
  }

  /** The state machine role's wildcards come from CDK's own grants; each reason says why they are needed. */
  private suppressServiceWildcards(): void {
    const stack = Stack.of(this);
    const functionVersionResources = Object.values(this.functions).map((fn) => {
      const cfnFunction = fn.node.defaultChild;
      if (!(cfnFunction instanceof CfnElement)) throw new Error(`Function ${fn.node.path} has no CloudFormation resource`);
      return `Resource::<${stack.getLogicalId(cfnFunction)}.Arn>:*`;
    });
    acknowledgeNagRule(
      this.stateMachine.role,
      'AwsSolutions-IAM5',
      'LambdaInvoke grants invoke on `<function arn>:*` (versions and aliases) of the five workflow functions only; the definition invokes their unqualified ARNs.',
      functionVersionResources,
    );
    acknowledgeNagRule(
      this.stateMachine.role,
      'AwsSolutions-IAM5',
      'X-Ray tracing (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs vended log delivery (CreateLogDelivery, DescribeLogGroups, …) have no resource-level permissions, so Step Functions logging and tracing need `*`.',
      ['Resource::*'],
    );
  }
}
