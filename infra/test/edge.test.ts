import { Match } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DENY_FUNCTION_CODE,
  ERROR_503_CACHING_SECONDS,
  PUBLIC_PATH_PATTERN,
} from '../lib/edge-stack';
import { ENV_NAMES } from './app-model';
import { ASSEMBLY_DIR, template } from './assembly';

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
}

/** Query parameters of the operations CloudFront serves: every path under /v1/. */
function publicQueryParameters(): string[] {
  const doc = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'),
  ) as OpenApi;
  const names = new Set<string>();
  for (const [p, ops] of Object.entries(doc.paths)) {
    if (!p.startsWith('/v1/')) continue;
    for (const op of Object.values(ops)) {
      for (const param of op.parameters ?? []) if (param.in === 'query') names.add(param.name);
    }
  }
  return [...names].sort();
}

function distributionConfig(envName: string): Record<string, any> {
  const t = template(`SponsoredAgents-${envName}-Edge`);
  const [d] = Object.values(t.findResources('AWS::CloudFront::Distribution')) as any[];
  return d.Properties.DistributionConfig;
}

describe.each(ENV_NAMES)('edge stack (%s)', (envName) => {
  const stack = `SponsoredAgents-${envName}-Edge`;

  it('keys the /v1 cache on exactly the query parameters the public operations declare', () => {
    const expected = publicQueryParameters();
    expect(expected.length).toBeGreaterThan(0);
    const t = template(stack);
    const [policy] = Object.values(t.findResources('AWS::CloudFront::CachePolicy')) as any[];
    const key = policy.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin;
    expect(key.QueryStringsConfig.QueryStringBehavior).toBe('whitelist');
    expect([...key.QueryStringsConfig.QueryStrings].sort()).toEqual(expected);
    expect(key.HeadersConfig).toEqual({ HeaderBehavior: 'none' });
    expect(key.CookiesConfig).toEqual({ CookieBehavior: 'none' });
    expect(key.EnableAcceptEncodingGzip).toBe(true);
    expect(key.EnableAcceptEncodingBrotli).toBe(true);
    expect(policy.Properties.CachePolicyConfig.MinTTL).toBe(0);
    expect(policy.Properties.CachePolicyConfig.DefaultTTL).toBe(0);
    // The origin's s-maxage (300) + stale-while-revalidate (60) must fit under the max TTL.
    expect(policy.Properties.CachePolicyConfig.MaxTTL).toBeGreaterThanOrEqual(360);
  });

  it('routes only /v1/* to the origin, through that cache policy, over HTTPS', () => {
    const cfg = distributionConfig(envName);
    expect(cfg.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual([PUBLIC_PATH_PATTERN]);
    const [v1] = cfg.CacheBehaviors;
    expect(v1.CachePolicyId).toEqual({ Ref: expect.stringMatching(/^PublicApiCache/) });
    expect(v1.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    for (const b of [v1, cfg.DefaultCacheBehavior])
      expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('answers 403 at the edge for every path outside /v1/* (admin, docs, metrics, health)', () => {
    const cfg = distributionConfig(envName);
    const t = template(stack);
    const fns = t.findResources('AWS::CloudFront::Function');
    const [assoc] = cfg.DefaultCacheBehavior.FunctionAssociations;
    expect(assoc.EventType).toBe('viewer-request');
    const fnId = assoc.FunctionARN['Fn::GetAtt'][0];
    const code: string = (fns[fnId] as any).Properties.FunctionCode;
    expect(code).toBe(DENY_FUNCTION_CODE);
    // Run the function as CloudFront would: a returned response short-circuits the origin.
    const handler = new Function(`${code}; return handler;`)() as (e: unknown) => any;
    for (const uri of [
      '/admin/v1/pages',
      '/docs',
      '/docs-json',
      '/metrics',
      '/health/ready',
      '/',
    ]) {
      expect(handler({ request: { uri, method: 'GET', headers: {} } })).toEqual(
        expect.objectContaining({ statusCode: 403 }),
      );
    }
  });

  it('caches a 503 only briefly', () => {
    expect(distributionConfig(envName).CustomErrorResponses).toEqual([
      { ErrorCode: 503, ErrorCachingMinTTL: ERROR_503_CACHING_SECONDS },
    ]);
    expect(ERROR_503_CACHING_SECONDS).toBeLessThanOrEqual(10);
  });

  it('reaches the origin only as a VPC origin (no public origin), with Origin Shield', () => {
    const cfg = distributionConfig(envName);
    expect(cfg.Origins).toHaveLength(1);
    expect(cfg.Origins[0].VpcOriginConfig).toBeDefined();
    expect(cfg.Origins[0].CustomOriginConfig).toBeUndefined();
    expect(cfg.Origins[0].OriginShield).toEqual({ Enabled: true, OriginShieldRegion: 'eu-west-1' });
    template(stack).hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({
        OriginProtocolPolicy: 'http-only',
        HTTPPort: 80,
      }),
    });
  });

  it('writes access logs to an encrypted, private bucket that accepts CloudFront log ACLs', () => {
    const cfg = distributionConfig(envName);
    expect(cfg.Logging.Bucket['Fn::GetAtt'][1]).toBe('RegionalDomainName');
    template(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
    });
  });

  it('is protected by the web ACL', () => {
    expect(distributionConfig(envName).WebACLId).toBeDefined();
  });
});

describe('viewer TLS', () => {
  it('requires TLS 1.2 (TLSv1.2_2021) with the custom domain and certificate of production', () => {
    const cfg = distributionConfig('production');
    expect(cfg.Aliases).toEqual(['pages.example.com']);
    expect(cfg.ViewerCertificate).toEqual(
      expect.objectContaining({
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      }),
    );
  });
});

describe.each(ENV_NAMES)('web ACL (%s)', (envName) => {
  const t = () => template(`SponsoredAgents-${envName}-Waf`);

  it('is CLOUDFRONT-scoped in us-east-1 with the managed rule groups', () => {
    const [acl] = Object.values(t().findResources('AWS::WAFv2::WebACL')) as any[];
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    const groups = acl.Properties.Rules.filter(
      (r: any) => r.Statement.ManagedRuleGroupStatement,
    ).map((r: any) => r.Statement.ManagedRuleGroupStatement.Name);
    expect(groups.sort()).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(ASSEMBLY_DIR, 'manifest.json'), 'utf8'),
    ) as { artifacts: Record<string, { environment?: string }> };
    expect(manifest.artifacts[`SponsoredAgents-${envName}-Waf`].environment).toMatch(
      /\/us-east-1$/,
    );
  });

  it('blocks per-IP floods, tighter on the schedule windows', () => {
    const [acl] = Object.values(t().findResources('AWS::WAFv2::WebACL')) as any[];
    const rate = acl.Properties.Rules.filter((r: any) => r.Statement.RateBasedStatement);
    expect(rate).toHaveLength(2);
    for (const r of rate) expect(r.Action).toEqual({ Block: {} });
    const scoped = rate.find((r: any) => r.Statement.RateBasedStatement.ScopeDownStatement);
    const overall = rate.find((r: any) => !r.Statement.RateBasedStatement.ScopeDownStatement);
    expect(scoped.Statement.RateBasedStatement.ScopeDownStatement.ByteMatchStatement).toEqual(
      expect.objectContaining({ SearchString: '/schedule', FieldToMatch: { UriPath: {} } }),
    );
    expect(scoped.Statement.RateBasedStatement.Limit).toBeLessThan(
      overall.Statement.RateBasedStatement.Limit,
    );
    // The scoped rule must be evaluated before the overall one can let the request through.
    expect(scoped.Priority).toBeLessThan(overall.Priority);
  });
});
