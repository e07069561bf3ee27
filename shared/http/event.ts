import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The API Gateway HTTP API (v2) event, with the JWT authorizer's claims when a route has one. */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null } };
  };
};
