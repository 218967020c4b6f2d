import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';

export interface ClusterStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
}

/** VPC over 3 AZs and the EKS cluster with its add-ons and ingress controllers. */
export class ClusterStack extends cdk.Stack {
  readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(
        config.network.mode === 'create' ? config.network.vpcCidr : '10.0.0.0/16',
      ),
      availabilityZones: [...config.availabilityZones],
    });
  }
}
