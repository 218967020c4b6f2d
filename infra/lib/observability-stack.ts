import * as cdk from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as docdb from 'aws-cdk-lib/aws-docdb';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';

/** What bin/app.ts hands the observability stack. */
export interface ObservabilityStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
  readonly cluster: eks.ICluster;
  /** The internal NLB behind the CloudFront VPC origin (public ingress-nginx). */
  readonly originNlb: elbv2.NetworkLoadBalancer;
  readonly distribution: cloudfront.Distribution;
  readonly docdb: docdb.DatabaseCluster;
  readonly searchDomain: opensearch.Domain;
}

/** CloudWatch alarms, dashboard and alarm topic (placeholder until its owner fills it in). */
export class ObservabilityStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
  }
}
