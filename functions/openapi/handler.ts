import { buildOpenApiDocument } from '../../shared/http/openapi';
import { httpRoute } from '../../shared/http/route';
import { openApiRoute } from '../../shared/http/routes/openapi';

/** The document is static: built once per container, from the same schemas the handlers parse with. */
const document = buildOpenApiDocument();

export const handler = httpRoute(openApiRoute, async () => ({ body: document }));
