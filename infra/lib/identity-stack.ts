import * as cdk from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { chartFullName, searchDomainArn } from './names';
import { acknowledge } from './nag';

export interface IdentityStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
  readonly cluster: eks.ICluster;
  readonly distribution: cloudfront.IDistribution;
}

/**
 * CloudFront calls the service sends (`new <X>Command(` from @aws-sdk/client-cloudfront in src/);
 * test/identity.test.ts derives the list from the code and compares.
 */
export const SERVICE_CLOUDFRONT_ACTIONS = [
  'cloudfront:CreateInvalidation',
  'cloudfront:GetInvalidation',
  'cloudfront:ListInvalidations',
] as const;

/**
 * HTTP methods the service sends to OpenSearch: search, rollover and the in-app shipper's bulk
 * (POST), cluster health, data stream, mapping and template reads (GET), template install (PUT).
 * test/identity.test.ts derives them from the OpenSearch client calls in src/.
 */
export const SERVICE_SEARCH_ACTIONS = ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut'] as const;

/** Fluent Bit only writes: `POST /_bulk` with create actions into the data stream. */
export const SHIPPER_SEARCH_ACTIONS = ['es:ESHttpPost', 'es:ESHttpPut'] as const;

/** The data stream the service searches and Fluent Bit writes (chart `config.logIndex`). */
export const LOG_STREAM = 'logs-sponsored-agents';

/**
 * IAM roles of the service's pods and of Fluent Bit, bound to their ServiceAccounts with EKS Pod
 * Identity associations (no OIDC provider, no ServiceAccount annotation needed).
 */
export class IdentityStack extends cdk.Stack {
  readonly serviceRole: iam.Role;
  readonly shipperRole: iam.Role;
  /** ServiceAccount of the service: the chart's full name for the release. */
  readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const domainArn = searchDomainArn(config);
    const podIdentity = () =>
      new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags() as iam.IPrincipal;

    this.serviceRole = new iam.Role(this, 'ServiceRole', {
      roleName: `sponsored-agents-${config.envName}-service`,
      description: 'sponsored-agents pods: CloudFront invalidations, OpenSearch log search',
      assumedBy: podIdentity(),
    });
    this.serviceRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvalidatePublicPaths',
        actions: [...SERVICE_CLOUDFRONT_ACTIONS],
        resources: [props.distribution.distributionArn],
      }),
    );
    this.serviceRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LogSearch',
        actions: [...SERVICE_SEARCH_ACTIONS],
        resources: [`${domainArn}/*`],
      }),
    );
    acknowledge(
      this.serviceRole,
      `AwsSolutions-IAM5[Resource::${domainArn}/*]`,
      'OpenSearch HTTP paths of the one log domain (search, _cluster/health, _index_template, _data_stream, rollover); fine-grained access control limits the role to the log stream.',
    );

    this.shipperRole = new iam.Role(this, 'ShipperRole', {
      roleName: `sponsored-agents-${config.envName}-fluent-bit`,
      description: 'Fluent Bit: writes the log stream to OpenSearch',
      assumedBy: podIdentity(),
    });
    const shipperResources = [`${domainArn}/_bulk`, `${domainArn}/${LOG_STREAM}*`];
    this.shipperRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ShipLogs',
        actions: [...SHIPPER_SEARCH_ACTIONS],
        resources: shipperResources,
      }),
    );
    acknowledge(
      this.shipperRole,
      `AwsSolutions-IAM5[Resource::${domainArn}/${LOG_STREAM}*]`,
      'The log data stream and its backing indices (.ds-...), which roll over: names not known in advance.',
    );

    this.serviceAccountName = chartFullName(config.chart.releaseName);
    new eks.CfnPodIdentityAssociation(this, 'ServiceAssociation', {
      clusterName: props.cluster.clusterName,
      namespace: config.chart.namespace,
      serviceAccount: this.serviceAccountName,
      roleArn: this.serviceRole.roleArn,
    });
    new eks.CfnPodIdentityAssociation(this, 'ShipperAssociation', {
      clusterName: props.cluster.clusterName,
      namespace: config.chart.fluentBitNamespace,
      serviceAccount: config.chart.fluentBitServiceAccount,
      roleArn: this.shipperRole.roleArn,
    });
    new cdk.CfnOutput(this, 'ServiceRoleArn', { value: this.serviceRole.roleArn });
    new cdk.CfnOutput(this, 'ShipperRoleArn', { value: this.shipperRole.roleArn });
  }
}
