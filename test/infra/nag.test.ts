import { App, Validations } from 'aws-cdk-lib';
import { Table, AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { GuestpassStack } from '../../infra/stack';
import { TEST_CONFIG } from './support';

/** Rule ids of the findings cdk-nag reports, with the resources, for a readable failure. */
function findings(stack: GuestpassStack): string[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const stack = new GuestpassStack(new App(), 'GuestpassNag', { config: TEST_CONFIG, bundle: false });
    expect(findings(stack)).toEqual([]);
  }, 120_000);

  it('fails synthesis of the app when a finding is not acknowledged (so `npm run synth` is a real gate)', () => {
    const app = new App();
    const stack = new GuestpassStack(app, 'GuestpassNag', { config: TEST_CONFIG, bundle: false });
    // A table without point-in-time recovery: AwsSolutions-DDB3.
    new Table(stack, 'Unchecked', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    expect(findings(stack)).toEqual([expect.stringMatching(/^warning AwsSolutions-DDB3 at GuestpassNag\/Unchecked\//)]);

    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  }, 120_000);
});
