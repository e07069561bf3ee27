import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetEnvironmentCache } from '../../shared/config';
import type { RouteDeclaration } from '../../shared/http/declaration';
import { ROUTES } from '../../shared/http/routes';
import { EVENT_FUNCTIONS } from '../../shared/events';
import { JOBS } from '../../shared/jobs';
import { WORKFLOW_TASKS } from '../../shared/workflow/functions';

const FUNCTIONS_DIR = join(import.meta.dirname, '..', '..', 'functions');

beforeAll(() => {
  // Handlers read their configuration when they load; none of these values is ever called.
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    TABLE_NAME: 'declarations-test',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding',
    SENDER_ADDRESS: 'no-reply@guestpass.example',
    PUBLIC_BASE_URL: 'https://guestpass.example',
  });
  resetEnvironmentCache();
});

describe('route declarations', () => {
  it('declare each endpoint once: one method and path, one function folder', () => {
    const keys = ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(ROUTES.map((route) => route.name)).size).toBe(ROUTES.length);
  });

  it('cover every function folder, with the workflow tasks, jobs and event functions, and nothing else', () => {
    const declared = [
      ...ROUTES.map((route) => route.name),
      ...Object.values(WORKFLOW_TASKS).map((task) => task.handler),
      ...JOBS.map((job) => job.handler),
      ...EVENT_FUNCTIONS.map((fn) => fn.handler),
    ];
    const folders = readdirSync(FUNCTIONS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect([...declared].sort()).toEqual([...folders].sort());
  });

  it('put a path parameter schema on every route whose path has parameters, naming exactly those parameters', () => {
    for (const route of ROUTES) {
      const inPath = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      const declared = route.params ? Object.keys(route.params.shape).sort() : [];
      expect(declared, `${route.method} ${route.path}`).toEqual(inPath);
    }
  });

  it('give admin routes a siteId, which the chain uses for the site-admin lookup', () => {
    for (const route of ROUTES.filter((r) => r.auth === 'admin')) expect(route.params?.shape, route.path).toHaveProperty('siteId');
  });

  // The chain parses with `handler.route`'s schemas and nothing else, so the identity of the
  // declaration object proves a handler parses with exactly the schemas its declaration lists.
  it.each(ROUTES.map((route) => [route.name, route] as const))('functions/%s/handler.ts is built from its own declaration', async (name, route) => {
    const module = (await import(join(FUNCTIONS_DIR, name, 'handler.ts'))) as { handler: { route?: RouteDeclaration } };
    expect(module.handler.route).toBe(route);
  });
});
