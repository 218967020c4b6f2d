import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AWS_FIGURES } from '../../config/capacity';
import { type AlarmSpec, minutes, periodsFor } from './alarm-factory';
import { BOX_THRESHOLDS, SERVICE_THRESHOLDS } from './thresholds';

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;

// ---------------------------------------------------------------------------------------------
// The service's own signals, as the collector writes them (metrics-collector.ts): one namespace
// per environment, no dimensions but where a label tells series apart (`release` and `ready` of
// `up`, `name` of Fluent Bit's outputs).

export function serviceMetric(
  namespace: string,
  metricName: string,
  statistic: string,
  period: cdk.Duration,
  dimensionsMap?: Record<string, string>,
): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace, metricName, statistic, period, dimensionsMap });
}

/** The PrometheusRule's alerts as CloudWatch alarms, with the same thresholds and durations. */
export function serviceAlarms(namespace: string, release: string): AlarmSpec[] {
  const t = SERVICE_THRESHOLDS;
  const m = (name: string, stat: string, period: number, dims?: Record<string, string>) =>
    serviceMetric(namespace, name, stat, minutes(period), dims);
  const heading = (alert: string) => `Alert: ${alert}`;

  const r = t.http5xxRate;
  const errorRate = new cloudwatch.MathExpression({
    label: '5xx share of requests',
    // The PrometheusRule's `and sum(rate(...)) > minRequestRate`: quiet periods count as 0.
    expression: `IF(requests / PERIOD(requests) > ${r.minRequestRate}, errors / requests, 0)`,
    usingMetrics: {
      errors: m('http_request_errors_total', 'Sum', r.windowMinutes),
      requests: m('http_requests_total', 'Sum', r.windowMinutes),
    },
    period: minutes(r.windowMinutes),
  });

  const d = t.logShipperDrops;
  const drops = new cloudwatch.MathExpression({
    label: 'log records dropped',
    // SUM over the array adds whichever series have data in a period: with the in-app shipper
    // Fluent Bit's never exist, and with Fluent Bit the shipper's never do.
    expression: 'SUM([shipper, fbDropped, fbRetriesFailed])',
    usingMetrics: {
      shipper: m('log_shipper_dropped_total', 'Sum', d.windowMinutes),
      fbDropped: m('fluentbit_output_dropped_records_total', 'Sum', d.windowMinutes, {
        name: 'sponsored_agents_opensearch',
      }),
      fbRetriesFailed: m('fluentbit_output_retries_failed_total', 'Sum', d.windowMinutes, {
        name: 'sponsored_agents_opensearch',
      }),
    },
    period: minutes(d.windowMinutes),
  });

  return [
    {
      key: 'SponsoredAgentsHigh5xxRate',
      runbookHeading: heading('SponsoredAgentsHigh5xxRate'),
      summary: `More than ${r.threshold * 100} % of requests answered 5xx over ${r.windowMinutes} minutes.`,
      metric: errorRate,
      threshold: r.threshold,
      comparison: GT,
      evaluationPeriods: periodsFor(r.windowMinutes, r.forMinutes),
    },
    {
      key: 'SponsoredAgentsHighLatencyP99',
      runbookHeading: heading('SponsoredAgentsHighLatencyP99'),
      summary: `p99 request latency above ${t.latencyP99.thresholdSeconds} s on the slowest pod.`,
      // Each pod's p99 over 5 minutes; the fleet's p99 is never above the slowest pod's.
      metric: m('http_request_duration_p99_seconds', 'Maximum', 1),
      threshold: t.latencyP99.thresholdSeconds,
      comparison: GT,
      evaluationPeriods: Math.max(1, t.latencyP99.forMinutes),
    },
    {
      key: 'SponsoredAgentsPodNotReady',
      runbookHeading: heading('SponsoredAgentsPodNotReady'),
      summary: 'A pod of the release has been unready (out of its Service endpoints).',
      // The collector scrapes unready endpoints too and labels them ready="false".
      metric: m('up', 'SampleCount', 1, { release, ready: 'false' }),
      threshold: 1,
      comparison: GTE,
      evaluationPeriods: Math.max(1, t.notReady.forMinutes),
    },
    {
      key: 'SponsoredAgentsDown',
      runbookHeading: heading('SponsoredAgentsDown'),
      summary: 'No pod of the release is being scraped successfully.',
      metric: m('up', 'Maximum', 1, { release }),
      threshold: 1,
      comparison: LT,
      evaluationPeriods: Math.max(1, t.down.forMinutes),
      // absent(up == 1): no data at all is the outage itself.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    },
    {
      key: 'SponsoredAgentsInvalidationBacklogStale',
      runbookHeading: heading('SponsoredAgentsInvalidationBacklogStale'),
      summary: `A CloudFront invalidation has waited more than ${t.invalidationBacklogAge.thresholdSeconds} s.`,
      metric: m('cache_invalidation_oldest_pending_age_seconds', 'Maximum', 1),
      threshold: t.invalidationBacklogAge.thresholdSeconds,
      comparison: GT,
      evaluationPeriods: Math.max(1, t.invalidationBacklogAge.forMinutes),
    },
    {
      key: 'SponsoredAgentsScheduledActionsLate',
      runbookHeading: heading('SponsoredAgentsScheduledActionsLate'),
      summary: `A scheduled page action is more than ${t.scheduledActionsLate.thresholdSeconds} s late.`,
      metric: m('page_actions_oldest_lateness_seconds', 'Maximum', 1),
      threshold: t.scheduledActionsLate.thresholdSeconds,
      comparison: GT,
      evaluationPeriods: Math.max(1, t.scheduledActionsLate.forMinutes),
    },
    {
      key: 'SponsoredAgentsInvalidationFailing',
      runbookHeading: heading('SponsoredAgentsInvalidationFailing'),
      summary: 'CloudFront invalidations keep failing.',
      metric: m('cache_invalidation_failed_total', 'Sum', t.invalidationFailures.windowMinutes),
      threshold: 0,
      comparison: GT,
      evaluationPeriods: periodsFor(
        t.invalidationFailures.windowMinutes,
        t.invalidationFailures.forMinutes,
      ),
    },
    {
      key: 'SponsoredAgentsInvalidationDeferred',
      runbookHeading: heading('SponsoredAgentsInvalidationDeferred'),
      summary:
        'CloudFront keeps deferring invalidations (busy, or the in-progress budget is full).',
      metric: m('cache_invalidation_deferred_total', 'Sum', t.invalidationDeferred.windowMinutes),
      threshold: 0,
      comparison: GT,
      evaluationPeriods: periodsFor(
        t.invalidationDeferred.windowMinutes,
        t.invalidationDeferred.forMinutes,
      ),
    },
    {
      key: 'SponsoredAgentsLogsDropped',
      runbookHeading: heading('SponsoredAgentsLogsDropped'),
      summary: 'Log records are being dropped before reaching OpenSearch.',
      metric: drops,
      threshold: 0,
      comparison: GT,
      evaluationPeriods: periodsFor(d.windowMinutes, d.forMinutes),
    },
    {
      key: 'SponsoredAgentsEventLoopLag',
      runbookHeading: heading('SponsoredAgentsEventLoopLag'),
      summary: `Node.js event-loop p99 lag above ${t.eventLoopLag.thresholdSeconds} s on a pod.`,
      metric: m('nodejs_eventloop_lag_p99_seconds', 'Maximum', 1),
      threshold: t.eventLoopLag.thresholdSeconds,
      comparison: GT,
      evaluationPeriods: Math.max(1, t.eventLoopLag.forMinutes),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The boxes: the AWS services around the pods.

const heading = (key: string) => `Alarm: ${key}`;

/** CloudFront (namespace AWS/CloudFront, us-east-1 only, Region=Global). */
export function cloudFrontMetric(
  distributionId: string,
  metricName: string,
  statistic: string,
  period: cdk.Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/CloudFront',
    metricName,
    statistic,
    period,
    region: 'us-east-1',
    dimensionsMap: { DistributionId: distributionId, Region: 'Global' },
  });
}

export function cloudFrontAlarms(distributionId: string): AlarmSpec[] {
  const t = BOX_THRESHOLDS.cloudFront;
  const five = minutes(5);
  const errorRate = new cloudwatch.MathExpression({
    label: '5xx error rate (%)',
    expression: `IF(requests >= ${t.minRequestsPer5Min}, rate, 0)`,
    usingMetrics: {
      rate: cloudFrontMetric(distributionId, '5xxErrorRate', 'Average', five),
      requests: cloudFrontMetric(distributionId, 'Requests', 'Sum', five),
    },
    period: five,
  });
  return [
    {
      key: 'CloudFront5xxErrorRate',
      runbookHeading: heading('CloudFront5xxErrorRate'),
      summary: `More than ${t.errorRatePercent} % of viewer requests answered 5xx by CloudFront.`,
      metric: errorRate,
      threshold: t.errorRatePercent,
      comparison: GT,
      evaluationPeriods: t.forMinutes / 5,
    },
    {
      key: 'CloudFrontOriginLatency',
      runbookHeading: heading('CloudFrontOriginLatency'),
      summary: `p99 origin latency above ${t.originLatencyP99Ms} ms.`,
      metric: cloudFrontMetric(distributionId, 'OriginLatency', 'p99', five),
      threshold: t.originLatencyP99Ms,
      comparison: GT,
      evaluationPeriods: t.forMinutes / 5,
    },
  ];
}

/** The origin NLB's target group (namespace AWS/NetworkELB, LoadBalancer + TargetGroup). */
export function nlbAlarms(unhealthyHosts: cloudwatch.IMetric): AlarmSpec[] {
  const t = BOX_THRESHOLDS.nlb;
  return [
    {
      key: 'OriginNlbUnhealthyHosts',
      runbookHeading: heading('OriginNlbUnhealthyHosts'),
      summary: 'The origin NLB sees unhealthy ingress-nginx targets.',
      metric: unhealthyHosts,
      threshold: t.unhealthyHosts,
      comparison: GTE,
      evaluationPeriods: t.forMinutes,
    },
  ];
}

/** One DocumentDB metric per instance (namespace AWS/DocDB, DBInstanceIdentifier). */
function perInstance(
  instanceIds: readonly string[],
  metricName: string,
  statistic: string,
  period: cdk.Duration,
  fn: 'MAX' | 'MIN',
  label: string,
): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  instanceIds.forEach((id, i) => {
    usingMetrics[`i${i}`] = new cloudwatch.Metric({
      namespace: 'AWS/DocDB',
      metricName,
      statistic,
      period,
      dimensionsMap: { DBInstanceIdentifier: id },
    });
  });
  return new cloudwatch.MathExpression({
    label,
    expression: `${fn}([${Object.keys(usingMetrics).join(', ')}])`,
    usingMetrics,
    period,
  });
}

export function documentDbAlarms(props: {
  instanceIds: readonly string[];
  instanceType: string;
}): AlarmSpec[] {
  const t = BOX_THRESHOLDS.documentDb;
  const cls = props.instanceType.replace(/^db\./, '');
  const maxConnections = (AWS_FIGURES.docdbMaxConnections as Record<string, number>)[cls];
  const memoryGiB = (AWS_FIGURES.docdbMemoryGiB as Record<string, number>)[cls];
  if (maxConnections === undefined || memoryGiB === undefined) {
    throw new Error(`DocumentDB class ${cls}: add its limits to AWS_FIGURES in config/capacity.ts`);
  }
  const one = minutes(1);
  const five = minutes(5);
  const ids = props.instanceIds;
  return [
    {
      key: 'DocumentDbCpuHigh',
      runbookHeading: heading('DocumentDbCpuHigh'),
      summary: `A DocumentDB instance above ${t.cpuPercent} % CPU.`,
      metric: perInstance(
        ids,
        'CPUUtilization',
        'Average',
        five,
        'MAX',
        'CPU % (busiest instance)',
      ),
      threshold: t.cpuPercent,
      comparison: GT,
      evaluationPeriods: t.cpuForMinutes / 5,
    },
    {
      key: 'DocumentDbReplicaLag',
      runbookHeading: heading('DocumentDbReplicaLag'),
      summary: `A DocumentDB replica lags more than ${t.replicaLagMs} ms (the service's replica-lag allowance).`,
      metric: perInstance(ids, 'DBInstanceReplicaLag', 'Maximum', one, 'MAX', 'replica lag ms'),
      threshold: t.replicaLagMs,
      comparison: GT,
      evaluationPeriods: t.replicaLagForMinutes,
    },
    {
      key: 'DocumentDbConnectionsHigh',
      runbookHeading: heading('DocumentDbConnectionsHigh'),
      summary: `A DocumentDB instance above ${t.connectionsShare * 100} % of its ${maxConnections} connections.`,
      metric: perInstance(ids, 'DatabaseConnections', 'Maximum', five, 'MAX', 'connections'),
      threshold: Math.floor(maxConnections * t.connectionsShare),
      comparison: GT,
      evaluationPeriods: t.forMinutes / 5,
    },
    {
      key: 'DocumentDbFreeableMemoryLow',
      runbookHeading: heading('DocumentDbFreeableMemoryLow'),
      summary: `A DocumentDB instance below ${t.freeableMemoryShare * 100} % freeable memory.`,
      metric: perInstance(ids, 'FreeableMemory', 'Minimum', five, 'MIN', 'freeable memory bytes'),
      threshold: Math.floor(memoryGiB * 2 ** 30 * t.freeableMemoryShare),
      comparison: LT,
      evaluationPeriods: t.forMinutes / 5,
    },
  ];
}

/** OpenSearch Service (namespace AWS/ES, DomainName + ClientId = the account). */
export function openSearchMetric(
  domainName: string,
  account: string,
  metricName: string,
  statistic: string,
  period: cdk.Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ES',
    metricName,
    statistic,
    period,
    dimensionsMap: { DomainName: domainName, ClientId: account },
  });
}

export function openSearchAlarms(props: {
  domainName: string;
  account: string;
  volumeSizeGiB: number;
}): AlarmSpec[] {
  const t = BOX_THRESHOLDS.openSearch;
  const one = minutes(1);
  const m = (name: string, stat: string) =>
    openSearchMetric(props.domainName, props.account, name, stat, one);
  return [
    {
      key: 'OpenSearchClusterRed',
      runbookHeading: heading('OpenSearchClusterRed'),
      summary: 'OpenSearch cluster status red: a primary shard is unassigned.',
      metric: m('ClusterStatus.red', 'Maximum'),
      threshold: 1,
      comparison: GTE,
      evaluationPeriods: t.redForMinutes,
    },
    {
      key: 'OpenSearchClusterYellow',
      runbookHeading: heading('OpenSearchClusterYellow'),
      summary: 'OpenSearch cluster status yellow: a replica shard is unassigned.',
      metric: m('ClusterStatus.yellow', 'Maximum'),
      threshold: 1,
      comparison: GTE,
      evaluationPeriods: t.yellowForMinutes,
    },
    {
      key: 'OpenSearchFreeStorageLow',
      runbookHeading: heading('OpenSearchFreeStorageLow'),
      summary: `An OpenSearch data node below ${t.freeStorageShare * 100} % free storage.`,
      // MB; with DomainName + ClientId the Minimum is the fullest node's.
      metric: m('FreeStorageSpace', 'Minimum'),
      threshold: Math.floor(props.volumeSizeGiB * 1024 * t.freeStorageShare),
      comparison: LT,
      evaluationPeriods: 1,
    },
    {
      key: 'OpenSearchJvmMemoryPressure',
      runbookHeading: heading('OpenSearchJvmMemoryPressure'),
      summary: `OpenSearch JVM memory pressure at or above ${t.jvmMemoryPressurePercent} %.`,
      metric: m('JVMMemoryPressure', 'Maximum'),
      threshold: t.jvmMemoryPressurePercent,
      comparison: GTE,
      evaluationPeriods: t.jvmForMinutes,
    },
    {
      key: 'OpenSearchIndexWritesBlocked',
      runbookHeading: heading('OpenSearchIndexWritesBlocked'),
      summary: 'OpenSearch blocks index writes (disk watermark or memory): logs are not stored.',
      metric: openSearchMetric(
        props.domainName,
        props.account,
        'ClusterIndexWritesBlocked',
        'Maximum',
        minutes(t.writesBlockedForMinutes),
      ),
      threshold: 1,
      comparison: GTE,
      evaluationPeriods: 1,
    },
  ];
}
