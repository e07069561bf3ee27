import { Validator } from '@seriousme/openapi-schema-validator';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { ROUTES } from '../../shared/http/routes';
import type { HttpEvent } from '../../shared/http/event';

type Json = Record<string, any>;

let document: Json;

function operation(method: string, path: string): Json {
  const found = document.paths?.[path]?.[method.toLowerCase()];
  if (!found) throw new Error(`No operation ${method} ${path} in the document`);
  return found;
}

/** Every `$ref` in the document, with where it sits. */
function refs(value: unknown, at = '#'): { at: string; ref: string }[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [{ at, ref: inner }] : refs(inner, `${at}/${key}`),
  );
}

function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  const segments = ref.slice(2).split('/').map((segment) => decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~'));
  return segments.reduce<any>((node, segment) => node?.[segment], document);
}

/** A schema behind a `$ref`, or the schema itself. */
function deref(schema: Json): Json {
  return schema.$ref ? (resolve(schema.$ref) as Json) : schema;
}

describe('the OpenAPI document', () => {
  beforeAll(() => {
    document = buildOpenApiDocument({ serverUrl: 'https://api.guestpass.example' }) as Json;
  });

  it('is a valid OpenAPI 3.1 document by the OpenAPI schema validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is rejected by the same validator when broken', async () => {
    const withoutVersion = structuredClone(document);
    delete withoutVersion.openapi;
    expect((await new Validator().validate(withoutVersion)).valid).toBe(false);

    const badResponse = structuredClone(document);
    badResponse.paths['/sites/{siteId}/seats'].get.responses['200'] = { content: 'not a response object' };
    const result = await new Validator().validate(badResponse);
    expect(result.valid).toBe(false);
    expect(JSON.stringify(result.errors)).toContain("must have required property 'description'");
  });

  it('has only references that resolve, and no JSON Schema keywords OpenAPI does not expect at the top of a schema', () => {
    const all = refs(document);
    expect(all.length).toBeGreaterThan(0);
    for (const { at, ref } of all) expect(resolve(ref), `${ref} at ${at}`).toBeDefined();
    const text = JSON.stringify(document);
    expect(text).not.toContain('"$schema"');
    expect(text).not.toContain('"$id"');
    expect(text).not.toContain('"$defs"');
  });

  it('describes every route of ROUTES under its path and method, with the handler as operationId', () => {
    for (const route of ROUTES) {
      expect(operation(route.method, route.path).operationId, `${route.method} ${route.path}`).toBe(route.name);
    }
    const operations = Object.values(document.paths as Record<string, Json>).flatMap((item) => Object.keys(item));
    expect(operations).toHaveLength(ROUTES.length);
  });

  it('declares every path parameter of every path template, and no others', () => {
    for (const route of ROUTES) {
      const inTemplate = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      const declared = ((operation(route.method, route.path).parameters ?? []) as Json[])
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => {
          expect(parameter.required).toBe(true);
          return parameter.name;
        })
        .sort();
      expect(declared, `${route.method} ${route.path}`).toEqual(inTemplate);
    }
  });

  it('secures admin, operator and service routes with the bearer scheme, and leaves guest routes open', () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const route of ROUTES) {
      const { security } = operation(route.method, route.path);
      if (route.auth === 'public') expect(security).toEqual([]);
      else expect(security[0]).toHaveProperty('bearer');
    }
    expect(operation('POST', '/sites').description).toContain('sites:manage');
  });

  it('takes the invite body from the zod schema: 1–10 emails, defaults, and the Idempotency-Key header', () => {
    const invite = operation('POST', '/sites/{siteId}/invitations');
    const body = invite.requestBody.content['application/json'].schema;
    expect(body.properties.emails).toMatchObject({ type: 'array', minItems: 1, maxItems: 10 });
    expect(body.properties.roles.default).toEqual({ wiki: 'none' });
    expect(body.required).toEqual(['emails']);
    expect(invite.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }));
  });

  it('answers Person with kind guest or paid', () => {
    const person = deref(operation('GET', '/sites/{siteId}/users/{userId}').responses['200'].content['application/json'].schema);
    expect(person.properties.kind.enum).toEqual(['guest', 'paid']);
    expect(person.required).toEqual(expect.arrayContaining(['userId', 'email', 'kind', 'status', 'twoStepEnrolled']));
  });

  it('gives error responses the error shape with error.code', () => {
    const notFound = operation('GET', '/sites/{siteId}/users/{userId}').responses['404'];
    const error = deref(notFound.content['application/json'].schema);
    expect(error.required).toEqual(['error']);
    expect(error.properties.error.properties.code).toEqual({ type: 'string' });
    expect(error.properties.error.required).toEqual(['code', 'message']);
  });

  it('documents the invitation page as HTML by default and JSON on request', () => {
    const content = operation('GET', '/invitations/{token}').responses['200'].content;
    expect(Object.keys(content)).toEqual(['text/html', 'application/json']);
    expect(content['application/json'].schema.required).toContain('siteName');
    expect(operation('GET', '/invitations/{token}').responses['410'].content).toHaveProperty('text/html');
  });
});

describe('GET /openapi.json', () => {
  it('answers the document as JSON', async () => {
    const { handler } = await import('../../functions/openapi/handler');
    const event = { version: '2.0', routeKey: 'GET /openapi.json', rawPath: '/openapi.json', rawQueryString: '', headers: {}, isBase64Encoded: false, requestContext: { requestId: 'req-1' } };
    const response = (await handler(event as unknown as HttpEvent, {} as Context)) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(response.body ?? '')).toMatchObject({ openapi: '3.1.0', info: { title: 'guestpass' } });
  });
});
