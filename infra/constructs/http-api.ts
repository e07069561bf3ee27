import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  CorsHttpMethod,
  DomainName,
  EndpointType,
  HttpApi as ApiGatewayHttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Duration } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTE_SCOPE, type RouteAuth, type RouteDeclaration } from '../../shared/http/declaration';
import { ROUTES } from '../../shared/http/routes';
import { type FunctionDefaults, GuestpassFunction, type ServiceTargets } from './guestpass-function';
import { acknowledgeNagRule } from './nag';

export interface HttpApiProps extends ServiceTargets {
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly table: ITable;
  readonly functionDefaults: FunctionDefaults;
  /** Defaults to the route table, `ROUTES`. */
  readonly routes?: readonly RouteDeclaration[];
  /** Steady-state requests per second over the whole stage (default 50, burst 100). */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Serve the API on this domain too (regional endpoint, TLS 1.2), with an ACM certificate of the stack's region. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** Browser origins allowed to call the API (the admin console's); none: no CORS at all. */
  readonly corsOrigins?: readonly string[];
}

/**
 * The HTTP API: one route and one `GuestpassFunction` per entry of the route table, a JWT
 * authorizer for every non-public route, and a throttled `$default` stage with access logs.
 */
export class HttpApi extends Construct {
  readonly api: ApiGatewayHttpApi;
  readonly stage: HttpStage;
  /** The route functions, keyed by handler folder. */
  readonly functions: ReadonlyMap<string, GuestpassFunction>;
  /** The custom domain, when one is configured. */
  readonly domain?: DomainName;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);

    // The stage is built below: the default one cannot be given throttling or access logs.
    this.api = new ApiGatewayHttpApi(this, 'Api', {
      createDefaultStage: false,
      description: 'guestpass: guest onboarding',
      // Only the console's origin: any other page in a browser gets no CORS answer, so cannot read the API's.
      ...(props.corsOrigins && props.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route key, never the raw path: guest paths carry invitation link tokens.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTimeEpoch',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            caller: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    if (props.customDomain) {
      this.domain = new DomainName(this, 'Domain', {
        domainName: props.customDomain.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
      });
      new ApiMapping(this, 'DomainMapping', { api: this.api, domainName: this.domain, stage: this.stage });
    }

    const jwtAuthorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, { jwtAudience: [props.jwtAudience] });
    const functions = new Map<string, GuestpassFunction>();
    for (const route of props.routes ?? ROUTES) {
      const fn = new GuestpassFunction(this, route.name, {
        ...props.functionDefaults,
        handler: route.name,
        kind: 'api',
        description: `${route.method} ${route.path}: ${route.summary}`,
      }).allowUses(route.uses ?? [], props);
      // `none`: no grant and no TABLE_NAME, so the function cannot reach the directory at all.
      if (route.table !== 'none') fn.bindTable(props.table, route.table);
      functions.set(route.name, fn);

      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.name}Integration`, fn),
        ...routeAuthorization(route.auth, jwtAuthorizer),
      });
      if (route.auth === 'public' && httpRoute) {
        acknowledgeNagRule(
          httpRoute,
          'AwsSolutions-APIG4',
          'Guest invitation pages are opened by people who have no account yet: the link’s own single-use token (256 bits, stored hashed, bound to the invited email, expiring) is the credential, checked by the handler.',
        );
      }
    }
    this.functions = functions;
  }

  /** The API's base URL (the `$default` stage). */
  get url(): string {
    return this.stage.url;
  }
}

function routeAuthorization(
  auth: RouteAuth,
  jwtAuthorizer: IHttpRouteAuthorizer,
): { authorizer: IHttpRouteAuthorizer; authorizationScopes?: string[] } {
  if (auth === 'public') return { authorizer: new HttpNoneAuthorizer() };
  const scope = ROUTE_SCOPE[auth];
  return scope ? { authorizer: jwtAuthorizer, authorizationScopes: [scope] } : { authorizer: jwtAuthorizer };
}
