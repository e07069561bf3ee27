import { defineRoute } from '../declaration';
import { OpenApiDocument } from '../schemas';

export const openApiRoute = defineRoute({
  name: 'openapi',
  method: 'GET',
  path: '/openapi.json',
  auth: 'public',
  summary: 'This API as OpenAPI 3.1',
  responses: { 200: { description: 'This API as an OpenAPI 3.1 document.', schema: OpenApiDocument } },
  table: 'none',
});
