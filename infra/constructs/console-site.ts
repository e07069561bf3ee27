import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { CONSOLE_BASE_PATH, CONSOLE_CALLBACK_PATH, CONSOLE_SCOPE, consoleContentSecurityPolicy } from '../console-headers';
import { acknowledgeNagRule, nagEnvironment } from './nag';

export interface ConsoleSiteProps {
  /** A folder holding the built console (`buildConsole()`); without one, a page that says it was not built. */
  readonly assetDir?: string;
  /** The API's origin, the one the console's pages may call (a pattern when the API has no domain of its own). */
  readonly apiOrigin: string;
  /** The identity provider's origins the page calls: the issuer's, and its token endpoint's if that is elsewhere. */
  readonly identityOrigins: readonly string[];
}

/**
 * The admin console as a static site: a private S3 bucket read by CloudFront through origin access
 * control, served under `/console/` with the console's security headers. Its `config.json` (where
 * the API and the identity provider are) is written at deploy time by `deploy()`, once the API's
 * URL is known; the API allows CORS from this site's origin only.
 */
export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: the only origin the API answers CORS requests from. */
  readonly origin: string;
  readonly url: string;
  readonly redirectUri: string;
  private readonly assetDir: string | undefined;
  /** What `config.json` says, once `deploy()` wrote it. */
  config?: { readonly apiUrl: string; readonly authority: string; readonly clientId: string; readonly scope: string };

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.assetDir = props.assetDir;
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNagRule(logs, 'AwsSolutions-S1', 'This is the access-log bucket of the console site; logging it to itself would loop.');
    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'guestpass console: CSP, HSTS, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(props.apiOrigin, ...props.identityOrigins), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'guestpass admin console',
      defaultRootObject: 'console/index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // The console routes in the browser: any path below it that is not a file is its index.
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: '/console/index.html', ttl: Duration.seconds(0) })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    acknowledgeNagRule(this.distribution, 'AwsSolutions-CFR1', 'Admins sign in from wherever they work; the site serves static files and every API call needs a signed-in admin.');
    acknowledgeNagRule(this.distribution, 'AwsSolutions-CFR2', 'Static files only: the API behind the console has its own throttling and JWT authorizer; a WAF web ACL can be attached by the operator.');
    acknowledgeNagRule(this.distribution, 'AwsSolutions-CFR4', 'The default *.cloudfront.net certificate: CloudFront then allows TLSv1 on the viewer side whatever the minimum says; a custom domain with an ACM certificate enforces TLS 1.2.');
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}${CONSOLE_BASE_PATH}`;
    this.redirectUri = `${this.origin}${CONSOLE_CALLBACK_PATH}`;
  }

  /** Uploads the built console and its `config.json`, which names the API and the identity provider. */
  deploy(config: { apiUrl: string; authority: string; clientId: string }): BucketDeployment {
    const site = this.assetDir
      ? Source.asset(this.assetDir)
      : Source.data('index.html', '<!doctype html><html lang="en"><title>guestpass console</title><h1>The console was not built for this synthesis</h1></html>');
    this.config = { apiUrl: config.apiUrl.replace(/\/+$/, ''), authority: config.authority, clientId: config.clientId, scope: CONSOLE_SCOPE };
    const deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_BASE_PATH.slice(1),
      sources: [site, Source.jsonData('config.json', this.config)],
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_BASE_PATH}*`],
      memoryLimit: 256,
    });
    // The copying function is CDK's own, one per stack beside the stack's other resources.
    const provider = Stack.of(this).node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!provider) throw new Error('CDK’s BucketDeployment provider was not found in the stack');
    acknowledgeNagRule(provider, 'AwsSolutions-IAM4', 'CDK’s BucketDeployment provider uses the AWS-managed basic execution role for its logs.', [
      'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    ]);
    const bucketArn = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    acknowledgeNagRule(
      provider,
      'AwsSolutions-IAM5',
      'CDK’s BucketDeployment provider reads the CDK asset and replaces the console bucket’s objects (object wildcards of those two buckets only), and invalidates the distribution (CloudFront has no resource-level permission for that).',
      [
        'Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*', 'Resource::*',
        `Resource::<${bucketArn}.Arn>/*`,
        `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${nagEnvironment(this).account}-${nagEnvironment(this).region}/*`,
      ],
    );
    acknowledgeNagRule(provider, 'AwsSolutions-L1', 'CDK’s BucketDeployment provider picks its own Lambda runtime.');
    return deployment;
  }
}
