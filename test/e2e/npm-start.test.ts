import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../../infra/local/services';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/local/paths';

/** `npm start` as a developer runs it: everything comes up, every printed URL answers, Ctrl-C stops it all. */

const stateDir = mkdtempSync(join(tmpdir(), 'guestpass-start-'));
let child: ChildProcess | undefined;
let output = '';

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('starts the whole stack, seeds the demo site, and stops every process on Ctrl-C', async () => {
    const ports = { api: await freePort(), ses: await freePort(), sfn: await freePort(), dynamo: await freePort() };
    child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/local/start.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        GUESTPASS_STATE_DIR: stateDir,
        GUESTPASS_API_PORT: String(ports.api),
        GUESTPASS_SES_PORT: String(ports.ses),
        GUESTPASS_SFN_PORT: String(ports.sfn),
        GUESTPASS_DYNAMODB_PORT: String(ports.dynamo),
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const localFile = join(stateDir, 'local.json');
    const deadline = Date.now() + 90_000;
    while (!output.includes('Ctrl-C stops it all')) {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(existsSync(localFile)).toBe(true);
    const local = JSON.parse(readFileSync(localFile, 'utf8')) as Record<string, string>;
    expect(Object.keys(local)).toEqual(expect.arrayContaining(['apiUrl', 'mailUrl', 'siteId', 'adminToken', 'serviceToken', 'operatorToken']));
    for (const key of ['apiUrl', 'mailUrl', 'sfnUrl', 'dynamodbUrl']) expect(output).toContain(local[key]);

    // Every printed URL answers
    const seats = await fetch(`${local.apiUrl}/sites/${local.siteId}/seats`, { headers: { authorization: `Bearer ${local.adminToken}` } });
    expect(seats.status).toBe(200);
    expect(await seats.json()).toMatchObject({ paid: 4, guests: 0, plan: 'standard' });
    const mail = await fetch(local.mailUrl!);
    expect(mail.status).toBe(200);
    expect((await (await fetch(`${local.mailUrl}/store`)).json()) as { emails: unknown[] }).toMatchObject({ emails: expect.any(Array) });
    const sfn = await fetch(local.sfnUrl!, { method: 'POST', headers: { 'x-amz-target': 'AWSStepFunctions.DescribeExecution', 'content-type': 'application/x-amz-json-1.0' }, body: '{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:Onboarding:none"}' });
    expect(sfn.status).toBe(400);
    expect(await sfn.json()).toMatchObject({ __type: expect.stringContaining('ExecutionDoesNotExist') });
    const dynamo = await fetch(local.dynamodbUrl!, { method: 'POST' });
    expect(dynamo.status).toBeGreaterThanOrEqual(400); // answering: DynamoDB wants a signed request
    const spaces = await fetch(`${local.apiUrl}/sites/${local.siteId}/spaces`, { headers: { authorization: `Bearer ${local.adminToken}` } });
    expect(((await spaces.json()) as { spaces: { key: string; anonymousAccess: boolean }[] }).spaces).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'PUB', anonymousAccess: true })]),
    );

    // `npm run job -- <name>` runs each scheduled job once against the running stack; the demo
    // site has nobody due, so each visits it and finishes having done nothing.
    const expectedRuns: Record<string, unknown> = { 'reverify-external-users': { sites: 1, sent: 0, suspended: 0, finished: true }, 'erase-deleted-people': { erased: 0 } };
    for (const [job, expected] of Object.entries(expectedRuns)) {
      const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/local/job.ts', job], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, GUESTPASS_STATE_DIR: stateDir, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, `${job}: ${run.stderr}`).toBe(0);
      expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject(expected as object);
    }

    // Ctrl-C stops everything it started, DynamoDB Local's Java process included
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) {
      await expect.poll(() => portIsFree(port), { timeout: 10_000 }).toBe(true);
    }
  }, 150_000);
});
