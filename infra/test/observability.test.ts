import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { environments } from '../config';
import { anchorOf, RUNBOOK_DOC } from '../lib/observability/alarm-factory';
import { DASHBOARD_BOXES } from '../lib/observability/dashboard';
import { FLUENT_BIT_METRICS, SERVICE_METRICS } from '../lib/observability/metrics-collector';
import { SERVICE_THRESHOLDS } from '../lib/observability/thresholds';
import { ASSEMBLY_DIR, template } from './assembly';
import { validationFindings } from './validation-report';

const REPO = path.join(__dirname, '..', '..');
const production = environments.find((e) => e.envName === 'production')!;
const regional = (env = 'production') => template(`SponsoredAgents-${env}-Observability`);
const usEast1 = (env = 'production') => template(`SponsoredAgents-${env}-Observability-UsEast1`);

// CloudFormation properties are untyped JSON that the assertions read several levels deep.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function alarms(t: Template): Json[] {
  return Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties as Json);
}

function alarm(t: Template, name: string): Json {
  const found = alarms(t).find((a) => a.AlarmName === name);
  if (!found) throw new Error(`no alarm ${name}`);
  return found;
}

interface Watched {
  namespace: string;
  metricName: string;
  dimensions: Record<string, unknown>;
  stat: string;
  period: number;
}

/** The metrics an alarm reads, whether it watches one metric or a metric-math expression. */
function watched(a: Json): Watched[] {
  const dims = (list: Json[] | undefined) =>
    Object.fromEntries((list ?? []).map((d) => [d.Name as string, d.Value as unknown]));
  if (a.MetricName) {
    return [
      {
        namespace: a.Namespace,
        metricName: a.MetricName,
        dimensions: dims(a.Dimensions),
        stat: a.Statistic ?? a.ExtendedStatistic,
        period: a.Period,
      },
    ];
  }
  return (a.Metrics as Json[])
    .filter((m) => m.MetricStat)
    .map((m) => ({
      namespace: m.MetricStat.Metric.Namespace,
      metricName: m.MetricStat.Metric.MetricName,
      dimensions: dims(m.MetricStat.Metric.Dimensions),
      stat: m.MetricStat.Stat,
      period: m.MetricStat.Period,
    }));
}

function expression(a: Json): string | undefined {
  return (a.Metrics as Json[] | undefined)?.find((m) => m.Expression)?.Expression;
}

/** The topic of a template: its one AWS::SNS::Topic's logical id. */
function topicId(t: Template): string {
  const ids = Object.keys(t.findResources('AWS::SNS::Topic'));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('alarm topics', () => {
  it.each([
    ['regional', regional],
    ['us-east-1', usEast1],
  ])('the %s topic is encrypted with a rotated key CloudWatch may use', (_, stack) => {
    const t = stack();
    const [keyId] = Object.keys(t.findResources('AWS::KMS::Key'));
    t.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    // Publishers must use TLS.
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    for (const email of production.observability.alarmEmails) {
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
    }
  });

  it("every alarm notifies its own region's topic on ALARM and on OK", () => {
    for (const t of [regional(), usEast1()]) {
      const topic = { Ref: topicId(t) };
      const all = alarms(t);
      expect(all.length).toBeGreaterThan(0);
      for (const a of all) {
        expect({ name: a.AlarmName, actions: a.AlarmActions }).toEqual({
          name: a.AlarmName,
          actions: [topic],
        });
        expect(a.OKActions).toEqual([topic]);
      }
    }
  });
});

describe('alarms on the boxes', () => {
  it('CloudFront: 5xxErrorRate and OriginLatency p99, in us-east-1, DistributionId + Region=Global', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ASSEMBLY_DIR, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts['SponsoredAgents-production-Observability-UsEast1'].environment).toBe(
      `aws://${production.account}/us-east-1`,
    );
    const t = usEast1();
    const errors = alarm(t, 'production-CloudFront5xxErrorRate');
    expect(errors.Threshold).toBe(5);
    expect(errors.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(expression(errors)).toBe('IF(requests >= 30, rate, 0)');
    const byName = Object.fromEntries(watched(errors).map((w) => [w.metricName, w]));
    expect(Object.keys(byName).sort()).toEqual(['5xxErrorRate', 'Requests']);
    for (const w of watched(errors)) {
      expect(w.namespace).toBe('AWS/CloudFront');
      expect(w.dimensions).toEqual({ DistributionId: expect.anything(), Region: 'Global' });
    }
    const latency = alarm(t, 'production-CloudFrontOriginLatency');
    expect(latency).toMatchObject({
      Namespace: 'AWS/CloudFront',
      MetricName: 'OriginLatency',
      ExtendedStatistic: 'p99',
      Threshold: 1500,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // OriginLatency exists only with the distribution's additional metrics.
    t.hasResourceProperties('AWS::CloudFront::MonitoringSubscription', {
      DistributionId: watched(latency)[0].dimensions.DistributionId,
      MonitoringSubscription: {
        RealtimeMetricsSubscriptionConfig: { RealtimeMetricsSubscriptionStatus: 'Enabled' },
      },
    });
  });

  it("NLB: UnHealthyHostCount of the origin's target group", () => {
    const a = alarm(regional(), 'production-OriginNlbUnhealthyHosts');
    expect(a).toMatchObject({
      Namespace: 'AWS/NetworkELB',
      MetricName: 'UnHealthyHostCount',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
    });
    expect(Object.keys(watched(a)[0].dimensions).sort()).toEqual(['LoadBalancer', 'TargetGroup']);
  });

  it('DocumentDB: CPU, DBInstanceReplicaLag, connections and freeable memory over every instance', () => {
    const t = regional();
    const cases = [
      ['DocumentDbCpuHigh', 'CPUUtilization', 'MAX', 80, 'GreaterThanThreshold'],
      ['DocumentDbReplicaLag', 'DBInstanceReplicaLag', 'MAX', 1000, 'GreaterThanThreshold'],
      // r6g.large: 1,700 connections, 16 GiB.
      ['DocumentDbConnectionsHigh', 'DatabaseConnections', 'MAX', 1360, 'GreaterThanThreshold'],
      ['DocumentDbFreeableMemoryLow', 'FreeableMemory', 'MIN', 1717986918, 'LessThanThreshold'],
    ] as const;
    expect(production.documentdb.instanceType.replace(/^db\./, '')).toBe('r6g.large');
    for (const [key, metric, fn, threshold, comparison] of cases) {
      const a = alarm(t, `production-${key}`);
      expect([a.Threshold, a.ComparisonOperator]).toEqual([threshold, comparison]);
      const w = watched(a);
      expect(w).toHaveLength(production.documentdb.instances);
      expect(expression(a)).toMatch(new RegExp(`^${fn}\\(\\[`));
      for (const m of w) {
        expect([m.namespace, m.metricName]).toEqual(['AWS/DocDB', metric]);
        expect(Object.keys(m.dimensions)).toEqual(['DBInstanceIdentifier']);
      }
      // One metric per instance, not the same one thrice.
      expect(new Set(w.map((m) => JSON.stringify(m.dimensions))).size).toBe(w.length);
    }
  });

  it('OpenSearch: cluster status, free storage, JVM pressure, writes blocked (AWS/ES, DomainName + ClientId)', () => {
    const t = regional();
    const freeStorageMb = production.opensearch.volumeSizeGiB * 1024 * 0.25;
    const cases = [
      ['OpenSearchClusterRed', 'ClusterStatus.red', 'Maximum', 1, 'GreaterThanOrEqualToThreshold'],
      [
        'OpenSearchClusterYellow',
        'ClusterStatus.yellow',
        'Maximum',
        1,
        'GreaterThanOrEqualToThreshold',
      ],
      [
        'OpenSearchFreeStorageLow',
        'FreeStorageSpace',
        'Minimum',
        freeStorageMb,
        'LessThanThreshold',
      ],
      [
        'OpenSearchJvmMemoryPressure',
        'JVMMemoryPressure',
        'Maximum',
        95,
        'GreaterThanOrEqualToThreshold',
      ],
      [
        'OpenSearchIndexWritesBlocked',
        'ClusterIndexWritesBlocked',
        'Maximum',
        1,
        'GreaterThanOrEqualToThreshold',
      ],
    ] as const;
    for (const [key, metric, stat, threshold, comparison] of cases) {
      const a = alarm(t, `production-${key}`);
      expect(a).toMatchObject({
        Namespace: 'AWS/ES',
        MetricName: metric,
        Statistic: stat,
        Threshold: threshold,
        ComparisonOperator: comparison,
      });
      expect(watched(a)[0].dimensions).toEqual({
        DomainName: expect.anything(),
        ClientId: production.account,
      });
    }
  });
});

describe("alarms on the service's own signals", () => {
  const ns = 'SponsoredAgents/production';
  const release = 'pages-sponsored-agents';

  it('match the PrometheusRule: metric, statistic, threshold, comparison and duration', () => {
    const t = regional();
    // [alert, metrics read (name, stat, period s, dims), threshold, comparison, periods]
    const cases: [string, [string, string, number, Json?][], number, string, number][] = [
      [
        'SponsoredAgentsHigh5xxRate',
        [
          ['http_request_errors_total', 'Sum', 300],
          ['http_requests_total', 'Sum', 300],
        ],
        0.05,
        'GreaterThanThreshold',
        2,
      ],
      [
        'SponsoredAgentsHighLatencyP99',
        [['http_request_duration_p99_seconds', 'Maximum', 60]],
        1,
        'GreaterThanThreshold',
        10,
      ],
      [
        'SponsoredAgentsPodNotReady',
        [['up', 'SampleCount', 60, { release, ready: 'false' }]],
        1,
        'GreaterThanOrEqualToThreshold',
        10,
      ],
      ['SponsoredAgentsDown', [['up', 'Maximum', 60, { release }]], 1, 'LessThanThreshold', 3],
      [
        'SponsoredAgentsInvalidationBacklogStale',
        [['cache_invalidation_oldest_pending_age_seconds', 'Maximum', 60]],
        900,
        'GreaterThanThreshold',
        10,
      ],
      [
        'SponsoredAgentsScheduledActionsLate',
        [['page_actions_oldest_lateness_seconds', 'Maximum', 60]],
        60,
        'GreaterThanThreshold',
        1,
      ],
      [
        'SponsoredAgentsInvalidationFailing',
        [['cache_invalidation_failed_total', 'Sum', 900]],
        0,
        'GreaterThanThreshold',
        2,
      ],
      [
        'SponsoredAgentsInvalidationDeferred',
        [['cache_invalidation_deferred_total', 'Sum', 300]],
        0,
        'GreaterThanThreshold',
        7,
      ],
      [
        'SponsoredAgentsLogsDropped',
        [
          ['log_shipper_dropped_total', 'Sum', 600],
          [
            'fluentbit_output_dropped_records_total',
            'Sum',
            600,
            { name: 'sponsored_agents_opensearch' },
          ],
          [
            'fluentbit_output_retries_failed_total',
            'Sum',
            600,
            { name: 'sponsored_agents_opensearch' },
          ],
        ],
        0,
        'GreaterThanThreshold',
        2,
      ],
      [
        'SponsoredAgentsEventLoopLag',
        [['nodejs_eventloop_lag_p99_seconds', 'Maximum', 60]],
        0.5,
        'GreaterThanThreshold',
        10,
      ],
    ];
    for (const [alert, metrics, threshold, comparison, periods] of cases) {
      const a = alarm(t, `production-${alert}`);
      expect([
        alert,
        a.Threshold,
        a.ComparisonOperator,
        a.EvaluationPeriods,
        a.DatapointsToAlarm,
      ]).toEqual([alert, threshold, comparison, periods, periods]);
      expect(
        watched(a).map((w) => [w.namespace, w.metricName, w.stat, w.period, w.dimensions]),
      ).toEqual(metrics.map(([name, stat, period, dims]) => [ns, name, stat, period, dims ?? {}]));
    }
    expect(expression(alarm(t, 'production-SponsoredAgentsHigh5xxRate'))).toBe(
      'IF(requests / PERIOD(requests) > 0.1, errors / requests, 0)',
    );
    expect(expression(alarm(t, 'production-SponsoredAgentsLogsDropped'))).toBe(
      'SUM([shipper, fbDropped, fbRetriesFailed])',
    );
    // absent(up == 1): no data at all is the outage.
    expect(alarm(t, 'production-SponsoredAgentsDown').TreatMissingData).toBe('breaching');
  });

  it('read only metrics the collector keeps and sends', () => {
    const config = collectorConfig();
    const sent = new Set<string>([...SERVICE_METRICS, ...FLUENT_BIT_METRICS, 'up']);
    const jobs = config.receivers.prometheus.config.scrape_configs as Json[];
    const kept = jobs.flatMap((j) =>
      (j.metric_relabel_configs as Json[]).filter(
        (r) => r.action === 'keep' && r.source_labels[0] === '__name__',
      ),
    );
    const declared = (config.exporters.awsemf.metric_declarations as Json[]).flatMap(
      (d) => d.metric_name_selectors as string[],
    );
    for (const a of alarms(regional()).filter((x) => watched(x)[0].namespace === ns)) {
      for (const w of watched(a)) {
        expect(sent).toContain(w.metricName);
        expect(declared).toContain(`^${w.metricName}$`);
        if (w.metricName !== 'up') {
          expect(kept.some((k) => new RegExp(`^${k.regex}$`).test(w.metricName))).toBe(true);
        }
      }
    }
    expect(config.exporters.awsemf.namespace).toBe(ns);
  });

  it("exist: every metric the collector keeps is declared in the service's code (or prom-client's)", () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
          sources.push(fs.readFileSync(p, 'utf8'));
      }
    };
    walk(path.join(REPO, 'src'));
    const code = sources.join('\n');
    // Event-loop lag comes with prom-client's default metrics (collectDefaultMetrics).
    const promClient = fs.readFileSync(
      path.join(REPO, 'node_modules/prom-client/lib/metrics/eventLoopLag.js'),
      'utf8',
    );
    for (const name of SERVICE_METRICS) {
      const declared = code.includes(`'${name}'`) || promClient.includes(`'${name}'`);
      expect([name, declared]).toEqual([name, true]);
    }
  });

  it("use the chart's PrometheusRule thresholds and durations (values.yaml)", () => {
    const values = parse(
      fs.readFileSync(path.join(REPO, 'charts/sponsored-agents/values.yaml'), 'utf8'),
    ) as Json;
    const chart = values.metrics.prometheusRule.alerts as Record<string, Json>;
    const minutesOf = (d: string) => {
      const m = /^(\d+)([smh])$/.exec(d);
      if (!m) throw new Error(`duration ${d}`);
      return Number(m[1]) * { s: 1 / 60, m: 1, h: 60 }[m[2] as 's' | 'm' | 'h'];
    };
    expect(Object.keys(SERVICE_THRESHOLDS).sort()).toEqual(Object.keys(chart).sort());
    for (const [key, ours] of Object.entries(SERVICE_THRESHOLDS) as [string, Json][]) {
      const theirs = chart[key];
      expect([key, ours.forMinutes]).toEqual([key, minutesOf(theirs.for)]);
      for (const field of ['threshold', 'minRequestRate', 'thresholdSeconds']) {
        if (field in theirs || field in ours)
          expect([key, field, ours[field]]).toEqual([key, field, theirs[field]]);
      }
    }
    // The windows are the PromQL ranges of the template's expressions.
    const rule = fs.readFileSync(
      path.join(REPO, 'charts/sponsored-agents/templates/prometheusrule.yaml'),
      'utf8',
    );
    const rangeOf = (metric: string) =>
      Number(new RegExp(`${metric}[^\\[]*\\[(\\d+)m\\]`).exec(rule)?.[1]);
    expect(rangeOf('http_requests_total')).toBe(SERVICE_THRESHOLDS.http5xxRate.windowMinutes);
    expect(rangeOf('cache_invalidation_failed_total')).toBe(
      SERVICE_THRESHOLDS.invalidationFailures.windowMinutes,
    );
    expect(rangeOf('cache_invalidation_deferred_total')).toBe(
      SERVICE_THRESHOLDS.invalidationDeferred.windowMinutes,
    );
    expect(rangeOf('log_shipper_dropped_total')).toBe(
      SERVICE_THRESHOLDS.logShipperDrops.windowMinutes,
    );
  });
});

describe('runbooks (docs/deploy.md)', () => {
  const doc = fs.readFileSync(path.join(REPO, RUNBOOK_DOC), 'utf8');
  const sections = new Map<string, string>();
  for (const part of doc.split(/^### /m).slice(1)) {
    const [heading, ...body] = part.split('\n');
    sections.set(anchorOf(heading), body.join('\n').split(/^## /m)[0]);
  }

  it('every alarm links a section that names it', () => {
    for (const env of environments.map((e) => e.envName)) {
      for (const a of [...alarms(regional(env)), ...alarms(usEast1(env))]) {
        const link = /Runbook: docs\/deploy\.md#([a-z0-9-]+)$/.exec(a.AlarmDescription as string);
        expect([a.AlarmName, link?.[1] !== undefined]).toEqual([a.AlarmName, true]);
        const section = sections.get(link![1]);
        expect([a.AlarmName, section !== undefined]).toEqual([a.AlarmName, true]);
        const key = (a.AlarmName as string).slice(env.length + 1);
        expect(section).toContain(`\`<env>-${key}\``);
      }
    }
  });

  it('every PrometheusRule alert has a section and a CloudWatch alarm of the same name', () => {
    const rule = fs.readFileSync(
      path.join(REPO, 'charts/sponsored-agents/templates/prometheusrule.yaml'),
      'utf8',
    );
    const alerts = [...rule.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    const names = alarms(regional()).map((a) => a.AlarmName);
    for (const alert of alerts) {
      expect([alert, sections.has(anchorOf(`Alert: ${alert}`))]).toEqual([alert, true]);
      expect(names).toContain(`production-${alert}`);
    }
  });
});

describe('dashboard', () => {
  it('has a row of widgets for each box', () => {
    const t = regional();
    const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = dashboards[0].Properties.DashboardBody as Json;
    // The body is a JSON string joined with tokens (ids from other stacks): keep the text.
    const text = (body['Fn::Join'][1] as unknown[]).filter((p) => typeof p === 'string').join('');
    expect(dashboards[0].Properties.DashboardName).toBe('sponsored-agents-production');
    for (const box of DASHBOARD_BOXES) {
      expect([box, text.includes(`"markdown":"## ${box}\\n`)]).toEqual([box, true]);
      expect([box, text.includes(`"title":"${box}: `)]).toEqual([box, true]);
    }
    expect(text).toContain('"type":"alarm"');
  });
});

function collectorManifests(): Json[] {
  const t = regional();
  const workload = Object.entries(t.findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(
    ([id]) => id.startsWith('MetricsCollectorWorkload'),
  )![1];
  const manifest = workload.Properties.Manifest;
  expect(typeof manifest).toBe('string'); // no token inside: the config is literal
  return JSON.parse(manifest as string) as Json[];
}

function collectorConfig(): Json {
  const cm = collectorManifests().find((m) => m.kind === 'ConfigMap')!;
  return parse(cm.data['collector.yaml'] as string) as Json;
}

describe('metrics collector', () => {
  it('creates every namespace its Roles go into before them (the chart is installed after this stack)', () => {
    const t = regional();
    const resources = Object.entries(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    const [nsId, ns] = resources.find(([id]) => id.startsWith('MetricsCollectorNamespace'))!;
    const created = (JSON.parse(ns.Properties.Manifest as string) as Json[]).map(
      (m) => m.metadata.name as string,
    );
    const used = collectorManifests().map((m) => m.metadata.namespace as string);
    expect(created.sort()).toEqual([...new Set(used)].sort());
    const [, workload] = resources.find(([id]) => id.startsWith('MetricsCollectorWorkload'))!;
    expect(workload.DependsOn).toContain(nsId);
  });

  it("has least privilege: its log group's streams only, through EKS Pod Identity", () => {
    const t = regional();
    const [logGroupId] = Object.keys(t.findResources('AWS::Logs::LogGroup'));
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/sponsored-agents/production/metrics',
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 7,
    });
    const roles = t.findResources('AWS::IAM::Role');
    const [roleId, role] = Object.entries(roles).find(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('pods.eks.amazonaws.com'),
    )!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': production.account } },
      }),
    ]);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      },
    ]);
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'monitoring',
      ServiceAccount: 'cloudwatch-metrics-collector',
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
  });

  it("encrypts its log group with the stack's key, which CloudWatch Logs may use for it only", () => {
    const t = regional();
    const [keyId] = Object.keys(t.findResources('AWS::KMS::Key'));
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: `logs.${production.region}.amazonaws.com` },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      `:logs:${production.region}:${production.account}:log-group:/sponsored-agents/production/*`,
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('reads the cluster with namespace-scoped read-only roles and runs restricted', () => {
    const manifests = collectorManifests();
    expect(
      manifests.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding'),
    ).toEqual([]);
    const roles = manifests.filter((m) => m.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(
      [production.chart.namespace, production.chart.fluentBitNamespace].sort(),
    );
    for (const r of roles) {
      for (const rule of r.rules as Json[]) expect(rule.verbs).toEqual(['get', 'list', 'watch']);
    }
    const deployment = manifests.find((m) => m.kind === 'Deployment')!;
    expect(deployment.spec.replicas).toBe(1);
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('cloudwatch-metrics-collector');
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.containers[0].image).toMatch(
      /^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v\d+\.\d+\.\d+$/,
    );
  });

  it("scrapes the release's metrics port and writes EMF to its log group", () => {
    const config = collectorConfig();
    const app = (config.receivers.prometheus.config.scrape_configs as Json[])[0];
    expect(app.kubernetes_sd_configs).toEqual([
      { role: 'endpointslice', namespaces: { names: [production.chart.namespace] } },
    ]);
    expect(app.relabel_configs[0]).toEqual({
      source_labels: [
        '__meta_kubernetes_service_name',
        '__meta_kubernetes_endpointslice_port_name',
      ],
      regex: 'pages-sponsored-agents;metrics',
      action: 'keep',
    });
    expect(config.exporters.awsemf).toMatchObject({
      region: production.region,
      log_group_name: '/sponsored-agents/production/metrics',
      dimension_rollup_option: 'NoDimensionRollup',
    });
    expect(config.service.pipelines.metrics.exporters).toEqual(['awsemf']);
  });
});

describe('cdk-nag', () => {
  it('has no unacknowledged AwsSolutions finding in the observability stacks', () => {
    expect(validationFindings().filter((f) => f.includes('-Observability'))).toEqual([]);
  });
});
