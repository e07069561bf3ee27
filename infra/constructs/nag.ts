import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag rule on `scope` and everything below it (cdk-nag 3 reads CDK's
 * `Validations` acknowledgments). With `findings`, only those findings of the rule are
 * acknowledged (`AwsSolutions-IAM5[Resource::…]`), so any other wildcard still fails synthesis.
 */
export function acknowledgeNagRule(scope: IConstruct, rule: string, reason: string, findings?: readonly string[]): void {
  const ids = findings ? findings.map((finding) => `${rule}[${finding}]`) : [rule];
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The region and account as cdk-nag writes them in a finding: `<AWS::Region>` for a stack without
 * a fixed environment, the literal value when the CLI gave the stack one (`CDK_DEFAULT_REGION`).
 */
export function nagEnvironment(scope: IConstruct): { readonly region: string; readonly account: string } {
  const stack = Stack.of(scope);
  return {
    region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
    account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
  };
}
