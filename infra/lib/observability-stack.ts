import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as docdb from 'aws-cdk-lib/aws-docdb';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { allowLogsToUse } from './log-key';
import { chartFullName } from './names';
import { AlarmFactory } from './observability/alarm-factory';
import { AlarmTopic } from './observability/alarm-topic';
import {
  documentDbAlarms,
  nlbAlarms,
  openSearchAlarms,
  serviceAlarms,
} from './observability/alarms';
import { serviceDashboard } from './observability/dashboard';
import { EdgeAlarmsStack } from './observability/edge-alarms-stack';
import { MetricsCollector } from './observability/metrics-collector';

/** What bin/app.ts hands the observability stack. */
export interface ObservabilityStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
  readonly cluster: eks.ICluster;
  /** The internal NLB behind the CloudFront VPC origin (public ingress-nginx). */
  readonly originNlb: elbv2.NetworkLoadBalancer;
  /**
   * The origin NLB's target group (UnHealthyHostCount needs it as a dimension). Default: the one
   * NetworkTargetGroup in the NLB's stack.
   */
  readonly originTargetGroup?: elbv2.INetworkTargetGroup;
  readonly distribution: cloudfront.Distribution;
  readonly docdb: docdb.DatabaseCluster;
  readonly searchDomain: opensearch.Domain;
  /** Prefix of the runbook links in alarm descriptions (a repository browser URL of docs/deploy.md). */
  readonly runbookBase?: string;
}

/**
 * CloudWatch for one environment: the alarm topic, alarms on every box (NLB, DocumentDB,
 * OpenSearch here; CloudFront in the us-east-1 stack beside this one) and on the service's own
 * signals, which an ADOT collector in the cluster brings to CloudWatch; one dashboard.
 */
export class ObservabilityStack extends cdk.Stack {
  readonly topic: AlarmTopic;
  readonly alarms: AlarmFactory;
  readonly collector: MetricsCollector;
  readonly edge: EdgeAlarmsStack;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const release = chartFullName(config.chart.releaseName);

    this.topic = new AlarmTopic(this, 'Alarms', {
      envName: config.envName,
      emails: config.observability.alarmEmails,
    });

    this.collector = new MetricsCollector(this, 'MetricsCollector', {
      cluster: props.cluster,
      envName: config.envName,
      appNamespace: config.chart.namespace,
      appService: release,
      fluentBitNamespace: config.chart.fluentBitNamespace,
      key: this.topic.key,
    });
    allowLogsToUse(
      this.topic.key,
      this.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `/sponsored-agents/${config.envName}/*`,
        arnFormat: cdk.ArnFormat.COLON_RESOURCE_NAME,
      }),
      'CloudWatchLogsEncrypt',
    );

    const targetGroup = props.originTargetGroup ?? onlyTargetGroup(props.originNlb);
    const unhealthyHosts = targetGroup.metrics.unHealthyHostCount({
      statistic: 'Maximum',
      period: cdk.Duration.minutes(1),
    });
    const instanceIds = props.docdb.instanceIdentifiers;

    this.alarms = new AlarmFactory(this, 'Regional', {
      envName: config.envName,
      topic: this.topic.topic,
      runbookBase: props.runbookBase,
    });
    this.alarms.addAll([
      ...serviceAlarms(this.collector.namespace, release),
      ...nlbAlarms(unhealthyHosts),
      ...documentDbAlarms({ instanceIds, instanceType: config.documentdb.instanceType }),
      ...openSearchAlarms({
        domainName: props.searchDomain.domainName,
        account: this.account,
        volumeSizeGiB: config.opensearch.volumeSizeGiB,
      }),
    ]);

    // CloudFront's alarms live in us-east-1, where its metrics are.
    this.edge = new EdgeAlarmsStack(scope, `${id}-UsEast1`, {
      env: { account: config.account, region: 'us-east-1' },
      crossRegionReferences: true,
      config,
      distribution: props.distribution,
    });

    this.dashboard = serviceDashboard(this, 'Dashboard', {
      envName: config.envName,
      namespace: this.collector.namespace,
      release,
      distributionId: props.distribution.distributionId,
      targetGroup,
      instanceIds,
      domainName: props.searchDomain.domainName,
      account: this.account,
      alarms: this.alarms.alarms,
    });
  }
}

/** The origin NLB's target group when the caller did not pass it: the only one in its stack. */
function onlyTargetGroup(nlb: elbv2.NetworkLoadBalancer): elbv2.INetworkTargetGroup {
  const groups = cdk.Stack.of(nlb)
    .node.findAll()
    .filter((c): c is elbv2.NetworkTargetGroup => c instanceof elbv2.NetworkTargetGroup);
  if (groups.length !== 1) {
    throw new Error(
      `ObservabilityStack: pass originTargetGroup (found ${groups.length} target groups beside the origin NLB)`,
    );
  }
  return groups[0];
}
