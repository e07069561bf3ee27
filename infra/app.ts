import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsole } from '../console/build';
import { GuestpassStack, guestpassConfigFromContext } from './stack';

/**
 * The guestpass CDK app (`npm run synth`). Settings come from CDK context (`guestpass:*` in
 * cdk.json or `-c`); account and region from the CLI's environment, when it has one.
 */
const app = new App();
// The console is built fresh for every synthesis, so what deploys is what the sources say.
const consoleAssetDir = await buildConsole(mkdtempSync(join(tmpdir(), 'guestpass-console-')));

new GuestpassStack(app, 'Guestpass', {
  description: 'guestpass: guest onboarding for the team wiki',
  config: guestpassConfigFromContext(app),
  consoleAssetDir,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

// cdk-nag 3 is a policy validation plugin (no longer an Aspect): any unacknowledged AwsSolutions
// finding fails synthesis. Acknowledgments sit next to the resources they concern.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

app.synth();
