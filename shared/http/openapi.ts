import * as z from 'zod/mini';
import packageJson from '../../package.json' with { type: 'json' };
import type { RouteAuth, RouteDeclaration, RouteResponse } from './declaration';
import { ROUTES } from './routes';
import { ErrorBody, Group, Person, Seats, Site, Space } from './schemas';

type Json = Record<string, unknown>;

/** The version of this API's document: the package's own. */
export const API_VERSION = packageJson.version;

/** Response schemas emitted once under `components.schemas` and referenced by name. */
const COMPONENTS: Readonly<Record<string, z.ZodMiniType>> = { Error: ErrorBody, Person, Space, Group, Site, Seats };

const AUTH: Record<RouteAuth, { security: Json[]; description: string }> = {
  admin: { security: [{ bearer: [] }], description: 'Admin route: bearer JWT of an org admin of the site’s org or a site admin of the site.' },
  operator: { security: [{ bearer: ['sites:manage'] }], description: 'Operator route: bearer JWT with scope `sites:manage`.' },
  service: { security: [{ bearer: ['access:decide'] }], description: 'Service route: bearer JWT with scope `access:decide`.' },
  public: { security: [], description: 'Guest route: no token; the link’s own token is the credential.' },
};

/**
 * The OpenAPI 3.1 document of every route in `ROUTES`, from the zod schemas of each declaration:
 * request schemas as the handlers accept them (`io: 'input'`), responses as they answer.
 */
export function buildOpenApiDocument(options: { serverUrl?: string } = {}): Json {
  const schemas = new SchemaCollector();
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    const { security, description } = AUTH[route.auth];
    const parameters = [
      ...schemas.parameters(route.params, 'path'),
      ...schemas.parameters(route.query, 'query'),
      ...schemas.parameters(route.headers, 'header'),
    ];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.name,
      summary: route.summary,
      description,
      security,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: schemas.requestBody(route.body, route.form ?? false) } : {}),
      responses: Object.fromEntries(Object.entries(route.responses).map(([status, response]) => [status, schemas.response(response)])),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'guestpass', version: API_VERSION, description: 'Guest (external collaborator) onboarding for a team wiki.' },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: schemas.components,
    },
  };
}

/** Turns zod schemas into OpenAPI schema objects, collecting named ones under `components.schemas`. */
class SchemaCollector {
  readonly components: Record<string, unknown> = {};
  private readonly names = new Map<z.ZodMiniType, string>();

  constructor() {
    for (const [name, schema] of Object.entries(COMPONENTS)) {
      this.define(name, this.convert(schema, 'output'));
      this.names.set(schema, name);
    }
  }

  parameters(object: z.ZodMiniType | undefined, where: 'path' | 'query' | 'header'): Json[] {
    if (!object) return [];
    const json = this.convert(object, 'input');
    const required = new Set((json.required as string[] | undefined) ?? []);
    return Object.entries((json.properties as Record<string, Json> | undefined) ?? {}).map(([name, { description, ...schema }]) => ({
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema,
    }));
  }

  requestBody(body: NonNullable<RouteDeclaration['body']>, form: boolean): Json {
    const schema = this.convert(body, 'input');
    return {
      // The handlers read a missing body as `{}`: the body is optional where `{}` is a valid one.
      required: !body.safeParse({}).success,
      content: {
        'application/json': { schema },
        ...(form ? { 'application/x-www-form-urlencoded': { schema } } : {}),
      },
    };
  }

  response({ description, schema, html }: RouteResponse): Json {
    const content: Json = {
      ...(html ? { 'text/html': { schema: { type: 'string' } } } : {}),
      ...(schema ? { 'application/json': { schema: this.reference(schema) } } : {}),
    };
    return { description, ...(Object.keys(content).length > 0 ? { content } : {}) };
  }

  private reference(schema: z.ZodMiniType): Json {
    const name = this.names.get(schema);
    return name ? { $ref: `#/components/schemas/${name}` } : this.convert(schema, 'output');
  }

  /**
   * One schema object: without `$schema`/`$id` (the document's dialect applies), and with any
   * `$defs` (schemas given an id with `.meta({ id })`) moved to `components.schemas`.
   */
  private convert(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
    const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
    const { $schema: _dialect, $id: _id, $defs, ...json } = rewriteRefs(generated) as Json;
    for (const [name, definition] of Object.entries(($defs as Json | undefined) ?? {})) this.define(name, definition);
    return json;
  }

  private define(name: string, definition: unknown): void {
    if (name in this.components && JSON.stringify(this.components[name]) !== JSON.stringify(definition)) {
      throw new Error(`Two different schemas are named '${name}' in the OpenAPI document; give them distinct ids.`);
    }
    this.components[name] = definition;
  }
}

/** Points zod's `#/$defs/…` references at `components.schemas`; other references could not resolve. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (key !== '$ref') return [key, rewriteRefs(inner)];
      if (typeof inner === 'string' && inner.startsWith('#/$defs/')) return [key, `#/components/schemas/${inner.slice('#/$defs/'.length)}`];
      throw new Error(`The schema reference ${JSON.stringify(inner)} cannot resolve in the OpenAPI document; give the recursive schema an id with .meta({ id }).`);
    }),
  );
}
