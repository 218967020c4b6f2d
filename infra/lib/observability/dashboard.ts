import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { cloudFrontMetric, openSearchMetric, serviceMetric } from './alarms';

/** The boxes the dashboard has a row for, in request order; a test checks each has widgets. */
export const DASHBOARD_BOXES = [
  'Service',
  'CloudFront',
  'Origin NLB',
  'DocumentDB',
  'OpenSearch',
] as const;

export interface DashboardProps {
  readonly envName: string;
  readonly namespace: string;
  readonly release: string;
  readonly distributionId: string;
  readonly targetGroup: elbv2.INetworkTargetGroup;
  readonly instanceIds: readonly string[];
  readonly domainName: string;
  readonly account: string;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

const W = 6; // four graphs a row
const H = 6;

/** One dashboard: a row of golden signals (traffic, errors, latency, saturation) per box. */
export function serviceDashboard(
  scope: Construct,
  id: string,
  props: DashboardProps,
): cloudwatch.Dashboard {
  const one = cdk.Duration.minutes(1);
  const five = cdk.Duration.minutes(5);
  const svc = (name: string, stat: string, label: string, dims?: Record<string, string>) =>
    serviceMetric(props.namespace, name, stat, one, dims).with({ label });
  const cf = (name: string, stat: string, label: string) =>
    cloudFrontMetric(props.distributionId, name, stat, one).with({ label });
  const docdb = (name: string, stat: string) =>
    props.instanceIds.map(
      (id, i) =>
        new cloudwatch.Metric({
          namespace: 'AWS/DocDB',
          metricName: name,
          statistic: stat,
          period: one,
          dimensionsMap: { DBInstanceIdentifier: id },
          label: `instance ${i + 1}`,
        }),
    );
  const os = (name: string, stat: string, label: string) =>
    openSearchMetric(props.domainName, props.account, name, stat, one).with({ label });
  const graph = (title: string, left: cloudwatch.IMetric[], right?: cloudwatch.IMetric[]) =>
    new cloudwatch.GraphWidget({ title, left, right, width: W, height: H });
  const header = (box: string, text: string) =>
    new cloudwatch.TextWidget({ markdown: `## ${box}\n${text}`, width: 24, height: 1 });

  const errorShare = new cloudwatch.MathExpression({
    label: '5xx share',
    expression: 'errors / requests',
    usingMetrics: {
      errors: svc('http_request_errors_total', 'Sum', '5xx'),
      requests: svc('http_requests_total', 'Sum', 'requests'),
    },
    period: five,
  });

  const dashboard = new cloudwatch.Dashboard(scope, id, {
    dashboardName: `sponsored-agents-${props.envName}`,
    defaultInterval: cdk.Duration.hours(3),
  });
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({
      title: 'Alarms (CloudFront alarms: us-east-1)',
      alarms: [...props.alarms],
      width: 24,
      height: 3,
    }),
  );
  dashboard.addWidgets(
    header('Service', `pods of \`${props.release}\`, namespace \`${props.namespace}\``),
  );
  dashboard.addWidgets(
    graph(
      'Service: requests and 5xx / min',
      [
        svc('http_requests_total', 'Sum', 'requests'),
        svc('http_request_errors_total', 'Sum', '5xx'),
      ],
      [errorShare],
    ),
    graph('Service: p99 latency (s, slowest pod)', [
      svc('http_request_duration_p99_seconds', 'Maximum', 'p99'),
    ]),
    graph(
      'Service: event-loop p99 lag (s) and pods up',
      [svc('nodejs_eventloop_lag_p99_seconds', 'Maximum', 'lag p99')],
      [svc('up', 'SampleCount', 'pods scraped', { release: props.release })],
    ),
    graph(
      'Service: invalidation backlog and scheduled actions',
      [
        svc('cache_invalidation_oldest_pending_age_seconds', 'Maximum', 'oldest invalidation (s)'),
        svc('page_actions_oldest_lateness_seconds', 'Maximum', 'oldest action late (s)'),
      ],
      [
        svc('cache_invalidation_backlog', 'Maximum', 'invalidations pending'),
        svc('cache_invalidation_failed_total', 'Sum', 'invalidations failed'),
      ],
    ),
  );
  dashboard.addWidgets(header('CloudFront', 'viewer side; metrics from us-east-1'));
  dashboard.addWidgets(
    graph('CloudFront: requests', [cf('Requests', 'Sum', 'requests')]),
    graph('CloudFront: error rates (%)', [
      cf('5xxErrorRate', 'Average', '5xx'),
      cf('4xxErrorRate', 'Average', '4xx'),
    ]),
    graph('CloudFront: origin latency (ms)', [
      cf('OriginLatency', 'p50', 'p50'),
      cf('OriginLatency', 'p99', 'p99'),
    ]),
    graph('CloudFront: cache hit rate (%)', [cf('CacheHitRate', 'Average', 'hit rate')]),
  );
  dashboard.addWidgets(header('Origin NLB', 'CloudFront VPC origin to ingress-nginx'));
  dashboard.addWidgets(
    graph('Origin NLB: targets', [
      props.targetGroup.metrics.healthyHostCount({
        statistic: 'Minimum',
        period: one,
        label: 'healthy',
      }),
      props.targetGroup.metrics.unHealthyHostCount({
        statistic: 'Maximum',
        period: one,
        label: 'unhealthy',
      }),
    ]),
  );
  dashboard.addWidgets(header('DocumentDB', 'per instance'));
  dashboard.addWidgets(
    graph('DocumentDB: CPU (%)', docdb('CPUUtilization', 'Average')),
    graph('DocumentDB: connections', docdb('DatabaseConnections', 'Maximum')),
    graph('DocumentDB: freeable memory (bytes)', docdb('FreeableMemory', 'Minimum')),
    graph('DocumentDB: replica lag (ms)', docdb('DBInstanceReplicaLag', 'Maximum')),
  );
  dashboard.addWidgets(header('OpenSearch', `domain \`${props.domainName}\` (logs)`));
  dashboard.addWidgets(
    graph('OpenSearch: cluster status', [
      os('ClusterStatus.red', 'Maximum', 'red'),
      os('ClusterStatus.yellow', 'Maximum', 'yellow'),
      os('ClusterIndexWritesBlocked', 'Maximum', 'writes blocked'),
    ]),
    graph('OpenSearch: free storage (MB, fullest node)', [
      os('FreeStorageSpace', 'Minimum', 'free'),
    ]),
    graph('OpenSearch: JVM memory pressure (%)', [os('JVMMemoryPressure', 'Maximum', 'JVM')]),
    graph('OpenSearch: indexing rate', [os('IndexingRate', 'Average', 'docs/s')]),
  );
  return dashboard;
}
