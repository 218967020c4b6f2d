import * as cdk from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { acknowledge } from './nag';

export interface EdgeStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
  /** Internal NLB in front of the public ingress-nginx controller. */
  readonly originNlb: elbv2.INetworkLoadBalancer;
  readonly originPort: number;
  /** CLOUDFRONT-scope web ACL (config, or the us-east-1 WAF stack). */
  readonly webAclArn: string;
}

/**
 * The query parameters that the public operations (`/v1/...` in docs/openapi.json) declare: the
 * whole cache key besides the path. test/edge.test.ts holds this to the OpenAPI document.
 */
export const PUBLIC_QUERY_PARAMETERS = ['cursor', 'from', 'limit', 'to'] as const;

/** Path pattern of the only behaviour that reaches the origin. */
export const PUBLIC_PATH_PATTERN = '/v1/*';

/** Seconds a 503 (load shedding, `Retry-After`) stays cached at the edge. */
export const ERROR_503_CACHING_SECONDS = 5;

/**
 * Viewer-request function of the default behaviour: every path outside /v1/* (/admin, /docs,
 * /metrics, /health, ...) is answered 403 at the edge and never reaches the origin.
 */
export const DENY_FUNCTION_CODE = `function handler(event) {
  return { statusCode: 403, statusDescription: 'Forbidden' };
}`;

/** CloudFront in front of the public API, with WAF, access logs and a VPC origin. */
export class EdgeStack extends cdk.Stack {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;

    const logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging writes with an ACL: the bucket must accept object ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { expiration: cdk.Duration.days(90), noncurrentVersionExpiration: cdk.Duration.days(7) },
      ],
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    acknowledge(
      logBucket,
      'AwsSolutions-S1',
      'This bucket holds CloudFront access logs; logging access to the log bucket itself would only add a second log bucket.',
    );

    const cachePolicy = new cloudfront.CachePolicy(this, 'PublicApiCache', {
      comment:
        'Public API: query parameters the API declares, no headers or cookies; origin Cache-Control decides',
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList(
        ...PUBLIC_QUERY_PARAMETERS,
      ),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
      minTtl: cdk.Duration.seconds(0),
      defaultTtl: cdk.Duration.seconds(0),
      maxTtl: cdk.Duration.seconds(config.edge.maxTtlSeconds),
    });

    const origin = origins.VpcOrigin.withNetworkLoadBalancer(props.originNlb, {
      vpcOriginName: `sponsored-agents-${config.envName}`,
      // Plain HTTP inside the VPC: the NLB is internal and admits CloudFront only (docs/deploy.md).
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      httpPort: props.originPort,
      readTimeout: cdk.Duration.seconds(30),
      // One cache layer in the origin's region asks the origin, not each regional edge cache:
      // the production sizing in docs/capacity.md assumes it.
      originShieldEnabled: true,
      originShieldRegion: config.region,
    });

    const deny = new cloudfront.Function(this, 'DenyOutsidePublicApi', {
      code: cloudfront.FunctionCode.fromInline(DENY_FUNCTION_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Answers 403 to every path outside /v1/*',
    });

    const customDomain = config.edge.domainNames.length > 0;
    if (customDomain && !config.edge.certificateArn) {
      throw new Error(
        `config ${config.envName}: edge.domainNames needs edge.certificateArn (ACM, us-east-1)`,
      );
    }
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `sponsored-agents ${config.envName} public API`,
      webAclId: props.webAclArn,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(customDomain
        ? {
            domainNames: [...config.edge.domainNames],
            certificate: acm.Certificate.fromCertificateArn(
              this,
              'Certificate',
              config.edge.certificateArn!,
            ),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        functionAssociations: [
          { function: deny, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        [PUBLIC_PATH_PATTERN]: {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
          cachePolicy,
          compress: true,
        },
      },
      errorResponses: [{ httpStatus: 503, ttl: cdk.Duration.seconds(ERROR_503_CACHING_SECONDS) }],
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'The pages are public to every country; no geo restriction is wanted.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR5',
      'The origin is a VPC origin on an internal NLB that admits CloudFront only; the hop stays inside the VPC, so plain HTTP carries no public traffic.',
    );
    if (!customDomain) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'No custom domain in this environment: the default cloudfront.net certificate fixes the minimum viewer protocol (TLSv1); environments with a domain use TLSv1.2_2021.',
      );
    }
    new cdk.CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId });
    new cdk.CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
    });
  }
}
