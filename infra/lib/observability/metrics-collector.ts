import * as cdk from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { stringify } from 'yaml';

/**
 * Namespace of the collector. The chart's NetworkPolicy admits the metrics port from the
 * namespace `monitoring` by default (`networkPolicy.metricsFrom`), so no chart value changes.
 */
export const COLLECTOR_NAMESPACE = 'monitoring';
export const COLLECTOR_NAME = 'cloudwatch-metrics-collector';
/** AWS Distro for OpenTelemetry collector: has the prometheus receiver and the awsemf exporter. */
export const COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0';

/** The CloudWatch namespace of the service's metrics in one environment. */
export function serviceNamespace(envName: string): string {
  return `SponsoredAgents/${envName}`;
}

/** The service's metrics the alarms and the dashboard use; nothing else is sent (cost). */
export const SERVICE_METRICS = [
  'http_requests_total',
  'http_request_errors_total',
  'http_request_duration_p99_seconds',
  'cache_invalidation_oldest_pending_age_seconds',
  'cache_invalidation_backlog',
  'cache_invalidation_failed_total',
  'cache_invalidation_deferred_total',
  'page_actions_oldest_lateness_seconds',
  'page_actions_due',
  'log_shipper_dropped_total',
  'nodejs_eventloop_lag_p99_seconds',
] as const;

/** Fluent Bit's output counters the logs-dropped alarm reads (its `name` label: the output alias). */
export const FLUENT_BIT_METRICS = [
  'fluentbit_output_dropped_records_total',
  'fluentbit_output_retries_failed_total',
] as const;
export const FLUENT_BIT_OUTPUT = 'sponsored_agents_opensearch';

export interface MetricsCollectorProps {
  readonly cluster: eks.ICluster;
  readonly envName: string;
  /** Namespace and Service (the chart's full name) of the release; its port `metrics` is scraped. */
  readonly appNamespace: string;
  readonly appService: string;
  /** Namespace of the Fluent Bit DaemonSet (HTTP server on 2020). */
  readonly fluentBitNamespace: string;
  /** Encrypts the EMF log group. */
  readonly key: kms.IKey;
}

/**
 * An ADOT collector in the cluster that scrapes the release's pods (and Fluent Bit's) and writes
 * the chosen metrics as embedded metric format to one log group, from which CloudWatch extracts
 * them into `SponsoredAgents/<env>`. Why this pipeline and not another: docs/deploy.md,
 * "Service metrics in CloudWatch".
 */
export class MetricsCollector extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly namespace: string;
  readonly config: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: MetricsCollectorProps) {
    super(scope, id);
    const stack = cdk.Stack.of(this);
    this.namespace = serviceNamespace(props.envName);

    const logGroupName = `/sponsored-agents/${props.envName}/metrics`;
    this.logGroup = new logs.LogGroup(this, 'EmfLogGroup', {
      logGroupName,
      // CloudWatch extracts the metrics on ingestion and keeps them 15 months; the raw EMF
      // events only matter for debugging the collector.
      retention: logs.RetentionDays.ONE_WEEK,
      encryptionKey: props.key,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    // EKS Pod Identity: the role is assumed by the agent for this ServiceAccount only.
    this.role = new iam.Role(this, 'Role', {
      description: 'ADOT collector: writes EMF metric events to its own log group',
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }).withSessionTags(),
    });
    // awsemf creates its stream (log group pre-created here) and puts events; nothing else.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's ARN ends in `:*`: its streams, of this one group.
        resources: [this.logGroup.logGroupArn],
      }),
    );
    new eks.CfnPodIdentityAssociation(this, 'PodIdentity', {
      clusterName: props.cluster.clusterName,
      namespace: COLLECTOR_NAMESPACE,
      serviceAccount: COLLECTOR_NAME,
      roleArn: this.role.roleArn,
    });

    this.config = collectorConfig({
      ...props,
      namespace: this.namespace,
      logGroup: logGroupName,
      region: stack.region,
    });

    const labels = { 'app.kubernetes.io/name': COLLECTOR_NAME };
    const ns = new eks.KubernetesManifest(this, 'Namespace', {
      cluster: props.cluster,
      // Its own, and the two it reads (their Roles below): the chart and Fluent Bit are installed
      // after this stack, so these may not exist yet. Any may exist already (a Prometheus stack,
      // a release): apply, and leave them on delete.
      overwrite: true,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
      manifest: [
        ...new Set([COLLECTOR_NAMESPACE, props.appNamespace, props.fluentBitNamespace]),
      ].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    });
    const workload = new eks.KubernetesManifest(this, 'Workload', {
      cluster: props.cluster,
      overwrite: true,
      manifest: [
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: COLLECTOR_NAME, namespace: COLLECTOR_NAMESPACE, labels },
        },
        // Service discovery in the two namespaces it scrapes, read-only; no ClusterRole.
        ...discoveryRbac(props.appNamespace, ['endpointslices', 'services', 'pods']),
        ...discoveryRbac(props.fluentBitNamespace, ['pods']),
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: COLLECTOR_NAME, namespace: COLLECTOR_NAMESPACE, labels },
          data: { 'collector.yaml': stringify(this.config) },
        },
        deployment(labels),
      ],
    });
    workload.node.addDependency(ns);
  }
}

function discoveryRbac(namespace: string, resources: readonly string[]): Record<string, unknown>[] {
  const name = `${COLLECTOR_NAME}-discovery`;
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: [
        {
          apiGroups: [''],
          resources: resources.filter((r) => r !== 'endpointslices'),
          verbs: ['get', 'list', 'watch'],
        },
        ...(resources.includes('endpointslices')
          ? [
              {
                apiGroups: ['discovery.k8s.io'],
                resources: ['endpointslices'],
                verbs: ['get', 'list', 'watch'],
              },
            ]
          : []),
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: COLLECTOR_NAME, namespace: COLLECTOR_NAMESPACE }],
    },
  ];
}

function deployment(labels: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: COLLECTOR_NAME, namespace: COLLECTOR_NAMESPACE, labels },
    spec: {
      // One scraper: two would send every sample twice (CloudWatch would sum the counters).
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: COLLECTOR_NAME,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'collector',
              image: COLLECTOR_IMAGE,
              args: ['--config=/conf/collector.yaml'],
              ports: [{ name: 'health', containerPort: 13133 }],
              livenessProbe: { httpGet: { path: '/', port: 'health' }, periodSeconds: 30 },
              readinessProbe: { httpGet: { path: '/', port: 'health' }, periodSeconds: 10 },
              resources: {
                requests: { cpu: '100m', memory: '200Mi' },
                limits: { memory: '400Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'config', mountPath: '/conf', readOnly: true }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: COLLECTOR_NAME } }],
        },
      },
    },
  };
}

/** The collector's configuration (OpenTelemetry Collector YAML, as an object). */
export function collectorConfig(props: {
  envName: string;
  appNamespace: string;
  appService: string;
  fluentBitNamespace: string;
  namespace: string;
  logGroup: string;
  region: string;
}): Record<string, unknown> {
  const keep = (names: readonly string[]) => ({
    source_labels: ['__name__'],
    regex: `(${names.join('|')})`,
    action: 'keep',
  });
  return {
    extensions: { health_check: { endpoint: '0.0.0.0:13133' } },
    receivers: {
      // Keeps the Prometheus names as they are (`trim_metric_suffixes` is off by default), so
      // `http_requests_total` reaches CloudWatch under that name.
      prometheus: {
        config: {
          global: { scrape_interval: '30s', scrape_timeout: '10s' },
          scrape_configs: [
            {
              job_name: 'sponsored-agents',
              kubernetes_sd_configs: [
                { role: 'endpointslice', namespaces: { names: [props.appNamespace] } },
              ],
              relabel_configs: [
                {
                  source_labels: [
                    '__meta_kubernetes_service_name',
                    '__meta_kubernetes_endpointslice_port_name',
                  ],
                  regex: `${props.appService};metrics`,
                  action: 'keep',
                },
                // On every series, `up` included, so the release's `up` is told from Fluent Bit's.
                { target_label: 'release', replacement: props.appService },
                // Per pod, so the exporter's counter deltas never mix two pods' totals.
                { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
                // Unready pods are scraped too: `up{ready="false"}` is the not-ready alarm.
                {
                  source_labels: ['__meta_kubernetes_endpointslice_endpoint_conditions_ready'],
                  target_label: 'ready',
                },
              ],
              metric_relabel_configs: [keep(SERVICE_METRICS)],
            },
            {
              job_name: 'fluent-bit',
              metrics_path: '/api/v1/metrics/prometheus',
              kubernetes_sd_configs: [
                { role: 'pod', namespaces: { names: [props.fluentBitNamespace] } },
              ],
              relabel_configs: [
                {
                  source_labels: ['__meta_kubernetes_pod_container_port_number'],
                  regex: '2020',
                  action: 'keep',
                },
                { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
              ],
              metric_relabel_configs: [
                keep(FLUENT_BIT_METRICS),
                { source_labels: ['name'], regex: FLUENT_BIT_OUTPUT, action: 'keep' },
              ],
            },
          ],
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
      batch: { timeout: '30s' },
    },
    exporters: {
      awsemf: {
        region: props.region,
        namespace: props.namespace,
        log_group_name: props.logGroup,
        log_stream_name: COLLECTOR_NAME,
        dimension_rollup_option: 'NoDimensionRollup',
        metric_declarations: [
          // Fleet-wide series: CloudWatch sums the pods' deltas (counters) or keeps each pod's
          // value as a sample (gauges: Maximum is the worst pod).
          { dimensions: [[]], metric_name_selectors: SERVICE_METRICS.map((n) => `^${n}$`) },
          {
            dimensions: [['release'], ['release', 'ready']],
            metric_name_selectors: ['^up$'],
            label_matchers: [{ label_names: ['release'], regex: `^${props.appService}$` }],
          },
          {
            dimensions: [['name']],
            metric_name_selectors: FLUENT_BIT_METRICS.map((n) => `^${n}$`),
          },
        ],
      },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        metrics: {
          receivers: ['prometheus'],
          processors: ['memory_limiter', 'batch'],
          exporters: ['awsemf'],
        },
      },
    },
  };
}
