import * as cdk from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { encryptedLogGroup, logsKey } from './log-key';

export interface WafStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
}

/** Path fragment of the costly public requests: schedule windows and the .ics feed. */
export const SCHEDULE_PATH_FRAGMENT = '/schedule';

/**
 * The CloudFront web ACL. CLOUDFRONT scope lives in us-east-1 only, hence a stack of its own
 * there; the edge stack reads its ARN through a cross-region reference.
 */
export class WafStack extends cdk.Stack {
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: WafStackProps) {
    super(scope, id, props);
    const { config } = props;
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `sponsored-agents-${config.envName}`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`sponsored-agents-${config.envName}`),
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        managed('AWSManagedRulesCommonRuleSet', 1),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          // Schedule windows are the costly misses (recurrence expansion): a tighter limit there.
          name: 'RateLimitSchedule',
          priority: 3,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: config.edge.scheduleRateLimitPer5Min,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'CONTAINS',
                  searchString: SCHEDULE_PATH_FRAGMENT,
                  textTransformations: [{ priority: 0, type: 'URL_DECODE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('RateLimitSchedule'),
        },
        {
          name: 'RateLimitAll',
          priority: 4,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: config.edge.rateLimitPer5Min, aggregateKeyType: 'IP' },
          },
          visibilityConfig: visibility('RateLimitAll'),
        },
      ],
    });
    // WAF requires the `aws-waf-logs-` prefix for a log group destination.
    const logGroup = encryptedLogGroup(this, 'WafLogs', logsKey(this), {
      logGroupName: `aws-waf-logs-sponsored-agents-${config.envName}`,
      retention: logs.RetentionDays.THREE_MONTHS,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      logDestinationConfigs: [logGroup.logGroupArn],
      // Viewer credentials never belong in logs (the public API takes none, but be sure).
      redactedFields: [
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'cookie' } },
      ],
    });
    this.webAclArn = acl.attrArn;
  }
}
