import { execFile } from 'node:child_process';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';

/** What one `aws …` run printed and how it ended. */
export interface AwsRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (`{}` when it printed nothing, as many write calls do). */
  readonly json: Record<string, unknown>;
  readonly ms: number;
}

export class AwsCliMissingError extends Error {
  constructor(detail: string) {
    super(
      `The conformance suite drives the AWS CLI, and \`aws\` could not be run (${detail}). ` +
        'Install it (Debian: `apt-get install awscli`; any AWS CLI v1 or v2 will do) and run `npm run test:conformance` again.',
    );
    this.name = 'AwsCliMissingError';
  }
}

/**
 * The AWS CLI's environment: the local stack's credentials and region and nothing of the
 * caller's own AWS set-up (profiles, config files, endpoints, a pager waiting for a terminal).
 */
function cliEnvironment(): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...kept,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    // A refusal has to come back the first time; retries would only hide a slow one.
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  };
}

/**
 * Runs `aws <args> --endpoint-url <endpoint> --output json` without blocking this process (the
 * local Step Functions endpoint answers from it). Fails with AwsCliMissingError when there is no
 * `aws` to run: the suite exists to check the real CLI, so it never skips.
 */
export function aws(endpoint: string, args: readonly string[]): Promise<AwsRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      'aws',
      [...args, '--endpoint-url', endpoint, '--output', 'json', '--cli-read-timeout', '10', '--cli-connect-timeout', '5'],
      { env: cliEnvironment(), timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (error as NodeJS.ErrnoException).code : 0;
        if (code === 'ENOENT' || code === 'EACCES') return reject(new AwsCliMissingError(`${code}: not found on PATH`));
        if (error?.killed) return reject(new Error(`aws ${args.join(' ')} did not finish in 60 s:\n${stderr}`));
        const exitCode = !error ? 0 : typeof code === 'number' ? code : -1;
        let json: Record<string, unknown> = {};
        if (exitCode === 0 && stdout.trim()) json = JSON.parse(stdout) as Record<string, unknown>;
        resolve({ exitCode, stdout, stderr, json, ms: Date.now() - started });
      },
    );
  });
}

/** `aws --version`: what the suite ran against, or AwsCliMissingError. */
export function awsVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('aws', ['--version'], { env: cliEnvironment(), timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (error as NodeJS.ErrnoException).code : 0;
      if (code === 'ENOENT' || code === 'EACCES') return reject(new AwsCliMissingError(`${code}: not found on PATH`));
      if (error) return reject(new AwsCliMissingError(`\`aws --version\` failed: ${stderr || error.message}`));
      // v1 printed its version on stderr, v2 prints it on stdout.
      resolve(`${stdout}${stderr}`.trim());
    });
  });
}
