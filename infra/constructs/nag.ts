import { Validations } from 'aws-cdk-lib';
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
