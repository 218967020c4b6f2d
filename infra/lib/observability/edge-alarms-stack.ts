import * as cdk from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { AlarmFactory } from './alarm-factory';
import { AlarmTopic } from './alarm-topic';
import { cloudFrontAlarms } from './alarms';

export interface EdgeAlarmsStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
  readonly distribution: cloudfront.IDistribution;
}

/**
 * CloudFront's alarms, in us-east-1: CloudFront publishes its metrics there only, and a
 * CloudWatch alarm can only watch metrics of its own region. So this region has its own topic
 * (same subscribers). It also turns on the distribution's additional metrics (OriginLatency,
 * CacheHitRate, error rates by status), which the origin-latency alarm needs.
 */
export class EdgeAlarmsStack extends cdk.Stack {
  readonly alarms: AlarmFactory;
  readonly topic: AlarmTopic;

  constructor(scope: Construct, id: string, props: EdgeAlarmsStackProps) {
    super(scope, id, props);
    const { config, distribution } = props;
    this.topic = new AlarmTopic(this, 'Alarms', {
      envName: config.envName,
      emails: config.observability.alarmEmails,
    });
    new cloudfront.CfnMonitoringSubscription(this, 'AdditionalMetrics', {
      distributionId: distribution.distributionId,
      monitoringSubscription: {
        realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: 'Enabled' },
      },
    });
    this.alarms = new AlarmFactory(this, 'Edge', {
      envName: config.envName,
      topic: this.topic.topic,
    });
    this.alarms.addAll(cloudFrontAlarms(distribution.distributionId));
  }
}
