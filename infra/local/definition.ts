import { App, CfnElement } from 'aws-cdk-lib';
import { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { GuestpassStack, type GuestpassConfig } from '../stack';

/**
 * The state machine the local stack runs is the one the CDK app synthesizes: this module builds
 * the stack in memory and resolves the definition's intrinsics to local function ARNs. It lives
 * apart from the definition itself, which the stack imports, so the two form no cycle.
 */
export const LOCAL_FUNCTION_ARN_PREFIX = 'arn:aws:lambda:us-east-1:000000000000:function:';

const LOCAL_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Configuration of the throwaway stack the local definition comes from; none of it reaches the ASL. */
const LOCAL_CONFIG: GuestpassConfig = {
  jwtIssuer: 'https://auth.guestpass.local/',
  jwtAudience: 'guestpass',
  senderAddress: 'no-reply@guestpass.local',
  publicBaseUrl: 'http://localhost:3000',
};

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Evaluates the few intrinsics a CDK `DefinitionString` contains, with local stand-ins. */
function evaluateIntrinsics(value: unknown, functionArns: ReadonlyMap<string, string>): Json {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => evaluateIntrinsics(item, functionArns));
  if (!isRecord(value)) throw new Error(`Unexpected value in the state machine definition: ${String(value)}`);
  const join = value['Fn::Join'];
  if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => String(evaluateIntrinsics(part, functionArns))).join(join[0]);
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string' && functionArns.has(getAtt[0])) {
    return functionArns.get(getAtt[0])!;
  }
  const ref = value.Ref;
  if (typeof ref === 'string' && ref in LOCAL_PSEUDO_PARAMETERS) return LOCAL_PSEUDO_PARAMETERS[ref]!;
  if (Object.keys(value).some((key) => key.startsWith('Fn::') || key === 'Ref')) {
    throw new Error(`The state machine definition refers to something the local stack cannot stand in for: ${JSON.stringify(value)}`);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateIntrinsics(item, functionArns)]));
}

/**
 * The onboarding ASL of `stack` as the local stack runs it: the definition CloudFormation would
 * get, with each Lambda ARN replaced by `arn:aws:lambda:us-east-1:000000000000:function:<StateName>`
 * and pseudo parameters by fixed values.
 */
export function localDefinitionOf(stack: GuestpassStack): Record<string, unknown> {
  const cfnStateMachine = stack.workflow.stateMachine.node.defaultChild;
  if (!(cfnStateMachine instanceof CfnStateMachine)) throw new Error('The onboarding workflow has no CfnStateMachine');
  const functionArns = new Map<string, string>();
  for (const [stateName, fn] of Object.entries(stack.workflow.functions)) {
    const cfnFunction = fn.node.defaultChild;
    if (!(cfnFunction instanceof CfnElement)) throw new Error(`The ${stateName} function has no CloudFormation resource`);
    functionArns.set(stack.getLogicalId(cfnFunction), `${LOCAL_FUNCTION_ARN_PREFIX}${stateName}`);
  }
  const definitionString = evaluateIntrinsics(stack.resolve(cfnStateMachine.definitionString), functionArns);
  if (typeof definitionString !== 'string') throw new Error('The state machine definition did not resolve to a string');
  const definition: unknown = JSON.parse(definitionString);
  if (!isRecord(definition)) throw new Error('The state machine definition is not a JSON object');
  return definition;
}

/**
 * The onboarding ASL the local stack runs: builds the stack in memory (without bundling, which
 * does not change the definition) and returns `localDefinitionOf` it. Takes well under a second.
 */
export function onboardingDefinitionForLocal(): Record<string, unknown> {
  const app = new App();
  const stack = new GuestpassStack(app, 'GuestpassLocalDefinition', { config: LOCAL_CONFIG, bundle: false });
  return localDefinitionOf(stack);
}
