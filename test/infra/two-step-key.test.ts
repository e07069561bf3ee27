import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceUse } from '../../shared/capabilities';
import { ROUTES } from '../../shared/http/routes';
import { WORKFLOW_TASKS } from '../../shared/workflow/functions';
import { actionsOf, allFunctions, type BuiltStack, buildStack, logicalIdOf, resources, statementsOfFunction } from './support';

/** The key that wraps two-step secrets, and who may use it. */
let built: BuiltStack;
beforeAll(() => {
  built = buildStack();
}, 120_000);

const declaredUses = new Map<string, readonly ServiceUse[]>([
  ...ROUTES.map((route) => [route.name, route.uses ?? []] as const),
  ...Object.entries(WORKFLOW_TASKS).map(([state, task]) => [state, task.uses] as const),
]);
const declaring = [...declaredUses].filter(([, uses]) => uses.includes('two-step-secrets')).map(([name]) => name).sort();
const keyArn = () => ({ 'Fn::GetAtt': [logicalIdOf(built.stack, built.stack.twoStepKey), 'Arn'] });
const statementsOf = (name: string) => statementsOfFunction(built.template, logicalIdOf(built.stack, allFunctions(built.stack).get(name)!));
const kmsActionsOf = (name: string) => [...actionsOf(statementsOf(name))].filter((action) => action.startsWith('kms:')).sort();
const environmentOf = (name: string) =>
  (resources(built.template, 'AWS::Lambda::Function')[logicalIdOf(built.stack, allFunctions(built.stack).get(name)!)]?.Properties?.Environment as { Variables: Record<string, unknown> })
    .Variables;

describe('the two-step secrets key', () => {
  it('is one symmetric KMS key with rotation on, an alias, and kept when the stack goes (its ciphertexts live in backups)', () => {
    built.template.resourceCountIs('AWS::KMS::Key', 1);
    built.template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    const key = Object.values(resources(built.template, 'AWS::KMS::Key'))[0]!;
    expect(key.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
    built.template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/GuestpassTest/two-step-secrets', TargetKeyId: keyArn() });
  });

  it('is used by accept-invitation, and reset-two-step (which only removes secrets) has no part of it', () => {
    expect(declaring).toContain('accept-invitation');
    expect(declaring).not.toContain('reset-two-step');
    expect(kmsActionsOf('reset-two-step')).toEqual([]);
    expect(environmentOf('reset-two-step')).not.toHaveProperty('TWO_STEP_KEY_ID');
  });

  it('lets exactly the functions that declare two-step-secrets decrypt, on this key, for a site-and-user context only', () => {
    const holders = (action: string) => [...allFunctions(built.stack).keys()].filter((name) => actionsOf(statementsOf(name)).has(action)).sort();
    expect(holders('kms:Decrypt')).toEqual(declaring);
    expect(holders('kms:GenerateDataKey')).toEqual(declaring);
    for (const name of declaring) {
      const statements = statementsOf(name).filter((statement) => JSON.stringify(statement.Action).includes('kms:'));
      expect(statements, name).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: keyArn(),
          Condition: {
            'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['siteId', 'userId'] },
            Null: { 'kms:EncryptionContext:siteId': 'false', 'kms:EncryptionContext:userId': 'false' },
          },
        },
      ]);
      expect(environmentOf(name).TWO_STEP_KEY_ID, name).toEqual(keyArn());
    }
  });

  it('gives those functions no other KMS action, and every other function none at all', () => {
    for (const name of allFunctions(built.stack).keys()) {
      expect(kmsActionsOf(name), name).toEqual(declaring.includes(name) ? ['kms:Decrypt', 'kms:GenerateDataKey'] : []);
      if (!declaring.includes(name)) expect(environmentOf(name), name).not.toHaveProperty('TWO_STEP_KEY_ID');
    }
  });

  it('leaves key administration to the account (the default key policy), granting no function anything through it', () => {
    const [key] = Object.values(resources(built.template, 'AWS::KMS::Key'));
    const policy = JSON.stringify(key?.Properties?.KeyPolicy);
    expect(policy).toContain(':root');
    expect(policy).not.toContain('Role');
  });
});
