import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, logicalIdOf, resources, TEST_CONFIG } from './support';

/** The admin console's static site: private bucket behind CloudFront with OAC, strict headers, CORS to it alone. */
const built = buildStack();
const distributionId = logicalIdOf(built.stack, built.stack.console.distribution);
const consoleOrigin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };

describe('console site', () => {
  it('keeps its files in a private, encrypted bucket that only the distribution reads (origin access control)', () => {
    built.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    built.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    built.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const policies = Object.values(resources(built.template, 'AWS::S3::BucketPolicy')).map((policy) => JSON.stringify(policy.Properties));
    const readByCloudFront = policies.find((policy) => policy.includes('cloudfront.amazonaws.com'));
    expect(readByCloudFront).toContain('s3:GetObject');
    expect(readByCloudFront).toContain('AWS:SourceArn');
    // TLS only, for whoever reads it.
    expect(policies.every((policy) => policy.includes('aws:SecureTransport'))).toBe(true);
  });

  it('serves HTTPS only, with the console’s security headers and its index for the browser’s own routes', () => {
    built.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'console/index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] }),
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/console/index.html', ErrorCachingMinTTL: 0 },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/console/index.html', ErrorCachingMinTTL: 0 },
        ],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    const [policy] = Object.values(resources(built.template, 'AWS::CloudFront::ResponseHeadersPolicy'));
    const security = (policy!.Properties!.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }).SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy!.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain('execute-api');
    // oidc-client-ts calls the provider from the page: its discovery document and token endpoint.
    expect(csp).toMatch(/connect-src 'self' [^;]*https:\/\/auth\.example\.com/);
    expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true });
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(security.ReferrerPolicy).toMatchObject({ ReferrerPolicy: 'no-referrer' });
    expect(security.ContentTypeOptions).toMatchObject({ Override: true });
  });

  it('lets the API answer CORS requests from the console’s origin only', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: [consoleOrigin], AllowHeaders: ['authorization', 'content-type', 'idempotency-key'] }),
    });
  });

  it('deploys the built files and a config.json naming the API, the issuer and the client', () => {
    const [deployment] = Object.values(resources(built.template, 'Custom::CDKBucketDeployment'));
    expect(deployment!.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'console/', DistributionPaths: ['/console/*'] });
    // The client id defaults to the audience the API's authorizer expects.
    expect(built.stack.console.config).toMatchObject({ authority: TEST_CONFIG.jwtIssuer, clientId: TEST_CONFIG.jwtAudience, scope: 'openid email profile' });
    // The API's URL is known at deploy time only: the deployment fills it in (a marker of the API's id).
    const apiId = logicalIdOf(built.stack, built.stack.api.api);
    expect(JSON.stringify(deployment!.Properties!.SourceMarkers)).toContain(apiId);
    built.template.hasOutput('ConsoleUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/console/']] } });
    built.template.hasOutput('ConsoleRedirectUri', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/console/callback']] } });
  });

  it('lets the page reach a token endpoint on another origin when one is configured', () => {
    const custom = buildStack({ consoleIdentityOrigins: ['https://login.example.net'] });
    const [policy] = Object.values(resources(custom.template, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(JSON.stringify(policy!.Properties)).toContain('https://login.example.net');
  }, 120_000);

  it('takes the console’s client id from configuration', () => {
    const custom = buildStack({ consoleClientId: 'console-client-123' });
    expect(custom.stack.console.config?.clientId).toBe('console-client-123');
  }, 120_000);
});
