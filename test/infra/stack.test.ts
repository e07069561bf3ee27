import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, TABLE_DEFINITION } from '../../shared/directory/table';
import type { ServiceUse, TableUse } from '../../shared/capabilities';
import { ROUTE_SCOPE } from '../../shared/http/declaration';
import { ROUTES } from '../../shared/http/routes';
import { EVENT_FUNCTIONS } from '../../shared/events';
import { JOBS } from '../../shared/jobs';
import { WORKFLOW_TASKS } from '../../shared/workflow/functions';
import {
  actionsOf,
  allFunctions,
  type BuiltStack,
  buildStack,
  findDependencyCycle,
  logicalIdOf,
  resources,
  statementsOfFunction,
  statementsOfRole,
  TEST_CONFIG,
} from './support';

let built: BuiltStack;
beforeAll(() => {
  built = buildStack();
}, 120_000);

/** What each function was declared to use, by handler folder, workflow state name or job name. */
const declaredUses = new Map<string, readonly ServiceUse[]>([
  ...ROUTES.map((route) => [route.name, route.uses ?? []] as const),
  ...Object.entries(WORKFLOW_TASKS).map(([state, task]) => [state, task.uses] as const),
  ...JOBS.map((job) => [job.name, job.uses] as const),
  ...EVENT_FUNCTIONS.map((fn) => [fn.name, fn.uses] as const),
]);

/** Each function's declared table access (workflow tasks all write). */
const declaredTable = new Map<string, TableUse>([
  ...ROUTES.map((route) => [route.name, route.table] as const),
  ...Object.keys(WORKFLOW_TASKS).map((state) => [state, 'write'] as const),
  ...JOBS.map((job) => [job.name, job.table] as const),
  ...EVENT_FUNCTIONS.map((fn) => [fn.name, fn.table] as const),
]);

function functionProperties(name: string): Record<string, unknown> {
  const fn = allFunctions(built.stack).get(name);
  if (!fn) throw new Error(`No function ${name}`);
  const properties = resources(built.template, 'AWS::Lambda::Function')[logicalIdOf(built.stack, fn)]?.Properties;
  if (!properties) throw new Error(`No properties for ${name}`);
  return properties;
}

const environmentOf = (name: string) => (functionProperties(name).Environment as { Variables: Record<string, unknown> }).Variables;
const statementsOf = (name: string) => statementsOfFunction(built.template, logicalIdOf(built.stack, allFunctions(built.stack).get(name)!));

describe('directory table', () => {
  it('is on-demand, point-in-time recoverable, deletion-protected, encrypted and retained', () => {
    built.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    built.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.ttlAttribute, Enabled: true },
      }),
    });
  });

  it('has the keys and GSIs of TABLE_DEFINITION, like the local table', () => {
    const [table] = Object.values(resources(built.template, 'AWS::DynamoDB::Table'));
    const local = createTableInput('local');
    const byName = <T extends { AttributeName?: string; IndexName?: string }>(items: readonly T[]) =>
      [...items].sort((a, b) => String(a.IndexName ?? a.AttributeName).localeCompare(String(b.IndexName ?? b.AttributeName)));

    expect(table?.Properties?.KeySchema).toEqual(local.KeySchema);
    expect(byName(table?.Properties?.AttributeDefinitions as { AttributeName: string }[])).toEqual(byName(local.AttributeDefinitions));
    expect(byName(table?.Properties?.GlobalSecondaryIndexes as { IndexName: string }[])).toEqual(byName(local.GlobalSecondaryIndexes));
    expect(local.GlobalSecondaryIndexes.map((index) => index.Projection.ProjectionType)).toEqual(
      TABLE_DEFINITION.globalSecondaryIndexes.map(() => 'ALL'),
    );
  });
});

describe('HTTP API', () => {
  it('has one route per ROUTES entry, integrated with that route’s own function', () => {
    const routes = resources(built.template, 'AWS::ApiGatewayV2::Route');
    const integrations = resources(built.template, 'AWS::ApiGatewayV2::Integration');
    expect(Object.keys(routes)).toHaveLength(ROUTES.length);

    for (const route of ROUTES) {
      const [cfnRoute] = Object.values(routes).filter((r) => r.Properties?.RouteKey === `${route.method} ${route.path}`);
      expect(cfnRoute, `${route.method} ${route.path}`).toBeDefined();
      const target = JSON.stringify(cfnRoute?.Properties?.Target);
      const [integrationId] = Object.keys(integrations).filter((id) => target.includes(id));
      const uri = JSON.stringify(integrations[integrationId!]?.Properties?.IntegrationUri);
      expect(uri).toContain(logicalIdOf(built.stack, built.stack.api.functions.get(route.name)!));
    }
  });

  it('puts the JWT authorizer, with the right scopes, on every route but the public ones', () => {
    const routes = Object.values(resources(built.template, 'AWS::ApiGatewayV2::Route'));
    for (const route of ROUTES) {
      const properties = routes.find((r) => r.Properties?.RouteKey === `${route.method} ${route.path}`)?.Properties;
      const name = `${route.method} ${route.path}`;
      if (route.auth === 'public') {
        expect(properties?.AuthorizationType, name).toBe('NONE');
        expect(properties?.AuthorizerId, name).toBeUndefined();
        continue;
      }
      expect(properties?.AuthorizationType, name).toBe('JWT');
      expect(properties?.AuthorizerId, name).toBeDefined();
      const scope = ROUTE_SCOPE[route.auth];
      expect(properties?.AuthorizationScopes ?? [], name).toEqual(scope ? [scope] : []);
    }
    expect(ROUTE_SCOPE).toEqual({ admin: undefined, operator: 'sites:manage', service: 'access:decide', public: undefined });
  });

  it('validates tokens against the configured issuer and audience', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [TEST_CONFIG.jwtAudience], Issuer: TEST_CONFIG.jwtIssuer },
    });
  });

  it('serves a throttled $default stage with access logs that never log the raw path', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
    const [stage] = Object.values(resources(built.template, 'AWS::ApiGatewayV2::Stage'));
    const format = String((stage?.Properties?.AccessLogSettings as { Format: string }).Format);
    expect(format).not.toContain('$context.path');
  });

  it('outputs the API URL', () => {
    built.template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});

describe('functions', () => {
  const names = [...ROUTES.map((route) => route.name), ...Object.keys(WORKFLOW_TASKS), ...JOBS.map((job) => job.name), ...EVENT_FUNCTIONS.map((fn) => fn.name)];
  const jobNames: ReadonlySet<string> = new Set(JOBS.map((job) => job.name));
  const eventNames: ReadonlySet<string> = new Set(EVENT_FUNCTIONS.map((fn) => fn.name));
  const timeoutOf = (name: string) => (name in WORKFLOW_TASKS || eventNames.has(name) ? 30 : jobNames.has(name) ? 300 : 10);

  it('are one per route, workflow task, scheduled job and event function, besides CDK’s copier of the console', () => {
    expect(new Set(names).size).toBe(names.length);
    built.template.resourceCountIs('AWS::Lambda::Function', names.length + 1);
    expect(Object.keys(resources(built.template, 'AWS::Lambda::Function')).filter((id) => id.startsWith('CustomCDKBucketDeployment'))).toHaveLength(1);
  });

  it.each(names)('%s runs Node.js 24 on arm64 with 256 MB, source maps and its own log group', (name) => {
    const properties = functionProperties(name);
    expect(properties.Runtime).toBe('nodejs24.x');
    expect(properties.Architectures).toEqual(['arm64']);
    expect(properties.MemorySize).toBe(256);
    expect(properties.Timeout).toBe(timeoutOf(name));
    expect(properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) } });
    expect(environmentOf(name)).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      PUBLIC_BASE_URL: TEST_CONFIG.publicBaseUrl,
    });
    expect(environmentOf(name).TABLE_NAME).toEqual(
      declaredTable.get(name) === 'none' ? undefined : { Ref: logicalIdOf(built.stack, built.stack.table) },
    );
  });

  it('log groups keep their logs for a bounded time', () => {
    for (const logGroup of Object.values(resources(built.template, 'AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties?.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('get the state machine ARN and sender address only where they use them', () => {
    for (const name of names) {
      const uses = declaredUses.get(name) ?? [];
      const environment = environmentOf(name);
      expect('STATE_MACHINE_ARN' in environment, name).toBe(uses.includes('sfn-start') || uses.includes('sfn-stop'));
      expect(environment.SENDER_ADDRESS, name).toBe(uses.includes('ses') ? TEST_CONFIG.senderAddress : undefined);
      // Whoever sends, sends through the configuration set that reports delivery
      expect(environment.SES_CONFIGURATION_SET, name).toEqual(uses.includes('ses') ? { Ref: logicalIdOf(built.stack, built.stack.emailEvents.configurationSet) } : undefined);
      expect(environment.INVITE_EXPIRY_SECONDS, name).toBeUndefined();
    }
  });
});

describe('IAM', () => {
  const READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'];
  const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

  it('gives read routes (get-seats among them) read access and nothing that writes', () => {
    const readRoutes = ROUTES.filter((route) => route.table === 'read').map((route) => route.name);
    expect(readRoutes).toContain('get-seats');
    for (const handler of readRoutes) {
      const dynamodb = [...actionsOf(statementsOf(handler))].filter((action) => action.startsWith('dynamodb:'));
      expect(dynamodb.sort(), handler).toEqual([...READ].sort());
    }
  });

  it('gives write routes, workflow tasks and write jobs item access only: no Scan, no table administration', () => {
    const writers = [...declaredTable].filter(([, table]) => table === 'write').map(([name]) => name);
    expect(writers).toEqual(expect.arrayContaining(Object.keys(WORKFLOW_TASKS)));
    for (const name of writers) {
      const dynamodb = [...actionsOf(statementsOf(name))].filter((action) => action.startsWith('dynamodb:'));
      expect(dynamodb.sort(), name).toEqual([...READ, ...WRITE].sort());
    }
  });

  it('grants table access on the directory table and its indexes only', () => {
    const tableArn = { 'Fn::GetAtt': [logicalIdOf(built.stack, built.stack.table), 'Arn'] };
    for (const name of allFunctions(built.stack).keys()) {
      if (declaredTable.get(name) === 'none') continue;
      const statements = statementsOf(name).filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
      expect(statements.map((s) => s.Resource), name).toEqual([[tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }]]);
    }
  });

  it('gives routes with table: none (GET /openapi.json) no DynamoDB action and no TABLE_NAME', () => {
    const tableless = ROUTES.filter((route) => route.table === 'none').map((route) => route.name);
    expect(tableless).toContain('openapi');
    for (const handler of tableless) {
      const dynamodb = [...actionsOf(statementsOf(handler))].filter((action) => action.startsWith('dynamodb:'));
      expect(dynamodb, handler).toEqual([]);
      expect(JSON.stringify(statementsOf(handler)), handler).not.toContain('dynamodb');
      expect(environmentOf(handler), handler).not.toHaveProperty('TABLE_NAME');
    }
  });

  /** Which functions' policies allow `action`, checked across every policy in the template. */
  function holdersOf(action: string): string[] {
    return [...allFunctions(built.stack).keys()].filter((name) => actionsOf(statementsOf(name)).has(action)).sort();
  }
  const declaring = (use: ServiceUse) => [...declaredUses].filter(([, uses]) => uses.includes(use)).map(([name]) => name).sort();

  it('lets only the functions that use SES send email, from the sender address through its identity', () => {
    expect(holdersOf('ses:SendEmail')).toEqual(declaring('ses'));
    for (const name of declaring('ses')) {
      const statement = statementsOf(name).find((s) => JSON.stringify(s.Action).includes('ses:'));
      expect(statement?.Action).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(statement?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': TEST_CONFIG.senderAddress } });
      expect(JSON.stringify(statement?.Resource)).toContain(':identity/guestpass.example.com');
      // SES authorises a send through a configuration set on the set too: this one, and no other
      expect(statement?.Resource).toHaveLength(2);
      expect(JSON.stringify(statement?.Resource)).toContain(`:configuration-set/",${JSON.stringify({ Ref: logicalIdOf(built.stack, built.stack.emailEvents.configurationSet) })}]`);
    }
  });

  it('lets only sfn-start functions start executions, and only sfn-callback ones answer task tokens', () => {
    expect(declaring('sfn-start')).toContain('invite');
    expect(holdersOf('states:StartExecution')).toEqual(declaring('sfn-start'));
    expect(holdersOf('states:SendTaskSuccess')).toEqual(declaring('sfn-callback'));
    expect(holdersOf('states:SendTaskFailure')).toEqual(declaring('sfn-callback'));
    expect(declaring('sfn-stop')).toEqual(['resend-invitation', 'withdraw-invitation']);
    expect(holdersOf('states:StopExecution')).toEqual(declaring('sfn-stop'));
  });

  it('lets sfn-stop functions stop executions of the onboarding state machine only', () => {
    const machineName = { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalIdOf(built.stack, built.stack.workflow.stateMachine) }] }] };
    for (const name of declaring('sfn-stop')) {
      const stop = statementsOf(name).filter((s) => JSON.stringify(s.Action).includes('states:StopExecution'));
      expect(stop, name).toHaveLength(1);
      expect(stop[0]?.Action, name).toBe('states:StopExecution');
      expect(JSON.stringify(stop[0]?.Resource), name).toContain(`:execution:",${JSON.stringify(machineName)},":*"`);
    }
  });

  it('grants nothing outside the function roles, the state machine role, one scheduler role per job (event rules need none) and the console copier’s', () => {
    const roles = Object.keys(resources(built.template, 'AWS::IAM::Role'));
    expect(roles).toHaveLength(allFunctions(built.stack).size + 1 + JOBS.length + 1);
    // Only CDK's copier carries a managed policy (the basic execution role, for its logs).
    const managed = Object.entries(resources(built.template, 'AWS::IAM::Role')).filter(([, role]) => role.Properties?.ManagedPolicyArns !== undefined);
    expect(managed.map(([id]) => id)).toEqual([expect.stringMatching(/^CustomCDKBucketDeployment/)]);
  });

  it('lets the state machine invoke exactly the workflow functions', () => {
    const role = built.stack.workflow.stateMachine.role;
    const invoke = statementsOfRole(built.template, logicalIdOf(built.stack, role)).filter((s) =>
      JSON.stringify(s.Action).includes('lambda:InvokeFunction'),
    );
    const invoked = new Set(JSON.stringify(invoke).match(/Onboarding\w+/g));
    const expected = Object.values(built.stack.workflow.functions).map((fn) => logicalIdOf(built.stack, fn));
    expect([...invoked].sort()).toEqual(expected.sort());
  });
});

describe('onboarding state machine', () => {
  it('is a traced Standard state machine that logs every event', () => {
    built.template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    built.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  it('has one function per WORKFLOW_TASKS entry, built from that task’s handler folder', () => {
    expect(Object.keys(built.stack.workflow.functions).sort()).toEqual(Object.keys(WORKFLOW_TASKS).sort());
    for (const [state, fn] of Object.entries(built.stack.workflow.functions)) {
      expect(fn.kind).toBe('workflow');
      expect(functionProperties(state).Description).toContain(state);
    }
  });
});

it('has no dependency cycle (the callback grants would close one through the state machine)', () => {
  expect(findDependencyCycle(built.template)).toBeUndefined();
});
