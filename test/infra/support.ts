import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { GuestpassFunction } from '../../infra/constructs/guestpass-function';
import { type GuestpassConfig, GuestpassStack } from '../../infra/stack';

/** Settings of the stacks under test (what an operator passes the real app with `-c`). */
export const TEST_CONFIG = {
  jwtIssuer: 'https://auth.example.com/',
  jwtAudience: 'guestpass',
  senderAddress: 'no-reply@guestpass.example.com',
  publicBaseUrl: 'https://guestpass.example.com',
} as const satisfies GuestpassConfig;

export interface BuiltStack {
  readonly app: App;
  readonly stack: GuestpassStack;
  readonly template: Template;
}

/** The stack with placeholder code (no bundling): same resources, synthesizes in about a second. */
export function buildStack(config: Partial<GuestpassConfig> = {}, bundle = false, base: GuestpassConfig = TEST_CONFIG): BuiltStack {
  const app = new App();
  const stack = new GuestpassStack(app, 'GuestpassTest', { config: { ...base, ...config }, bundle });
  return { app, stack, template: Template.fromStack(stack) };
}

export function logicalIdOf(stack: GuestpassStack, construct: IConstruct): string {
  const element = construct.node.defaultChild ?? construct;
  if (!(element instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(element);
}

/**
 * Every function of the stack by what it was built for: its route's handler, its workflow task's
 * state name, its job's name or its event function's name.
 */
export function allFunctions(stack: GuestpassStack): ReadonlyMap<string, GuestpassFunction> {
  return new Map([...stack.api.functions, ...Object.entries(stack.workflow.functions), ...stack.jobs.functions, ...stack.emailEvents.functions]);
}

type Json = unknown;
interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly DependsOn?: string | string[];
}

export function resources(template: Template, type?: string): Record<string, CfnResource> {
  return template.findResources(type ?? '*') as Record<string, CfnResource>;
}

/** The stack's own functions: every Lambda function but CDK's copier of the console's files. */
export function ownFunctionResources(template: Template): CfnResource[] {
  return Object.entries(resources(template, 'AWS::Lambda::Function'))
    .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
    .map(([, fn]) => fn);
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: Json;
  readonly Condition?: Record<string, Record<string, Json>>;
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The statements of every IAM policy attached to the execution role of the function `fnLogicalId`. */
export function statementsOfFunction(template: Template, fnLogicalId: string): Statement[] {
  const fn = resources(template, 'AWS::Lambda::Function')[fnLogicalId];
  if (!fn) throw new Error(`No function ${fnLogicalId}`);
  const roleArn = fn.Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return statementsOfRole(template, roleArn['Fn::GetAtt'][0]);
}

export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = Object.values(resources(template, 'AWS::IAM::Policy')).filter((policy) =>
    asArray(policy.Properties?.Roles as Json[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })),
  );
  return policies.flatMap((policy) => asArray((policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement));
}

export function actionsOf(statements: readonly Statement[]): Set<string> {
  return new Set(statements.flatMap((statement) => asArray(statement.Action)));
}

/** Logical ids a resource refers to (Ref, Fn::GetAtt, DependsOn). */
function referencesOf(resource: CfnResource, known: ReadonlySet<string>): Set<string> {
  const found = new Set<string>(asArray(resource.DependsOn));
  const walk = (value: Json): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Ref' && typeof inner === 'string' && known.has(inner)) found.add(inner);
        else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') found.add(inner[0]);
        else walk(inner);
      }
    }
  };
  walk(resource.Properties ?? {});
  return found;
}

/** A dependency cycle among the template's resources (CloudFormation refuses those), or undefined. */
export function findDependencyCycle(template: Template): string[] | undefined {
  const all = resources(template);
  const known = new Set(Object.keys(all));
  const edges = new Map(Object.entries(all).map(([id, resource]) => [id, referencesOf(resource, known)]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    state.set(id, 'open');
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 'open') return [...path, id, next];
      if (!state.has(next)) {
        const cycle = visit(next, [...path, id]);
        if (cycle) return cycle;
      }
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of known) {
    if (!state.has(id)) {
      const cycle = visit(id, []);
      if (cycle) return cycle;
    }
  }
  return undefined;
}
