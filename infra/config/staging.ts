import { CHART_NAMES, type EnvironmentConfig } from './types';

// Example ids: replace the account, ARNs and names with your own before deploying. Staging adopts
// an existing shared VPC and cluster, to show (and test) that mode.
export const staging: EnvironmentConfig = {
  envName: 'staging',
  account: '111111111111',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  network: {
    mode: 'adopt',
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidr: '10.30.0.0/16',
    podSubnets: [
      {
        subnetId: 'subnet-0aa00000000000001',
        cidr: '10.30.0.0/19',
        availabilityZone: 'eu-west-1a',
        routeTableId: 'rtb-0aa00000000000001',
      },
      {
        subnetId: 'subnet-0aa00000000000002',
        cidr: '10.30.32.0/19',
        availabilityZone: 'eu-west-1b',
        routeTableId: 'rtb-0aa00000000000002',
      },
      {
        subnetId: 'subnet-0aa00000000000003',
        cidr: '10.30.64.0/19',
        availabilityZone: 'eu-west-1c',
        routeTableId: 'rtb-0aa00000000000003',
      },
    ],
    dataSubnets: [
      {
        subnetId: 'subnet-0bb00000000000001',
        cidr: '10.30.96.0/24',
        availabilityZone: 'eu-west-1a',
        routeTableId: 'rtb-0bb00000000000001',
      },
      {
        subnetId: 'subnet-0bb00000000000002',
        cidr: '10.30.97.0/24',
        availabilityZone: 'eu-west-1b',
        routeTableId: 'rtb-0bb00000000000002',
      },
      {
        subnetId: 'subnet-0bb00000000000003',
        cidr: '10.30.98.0/24',
        availabilityZone: 'eu-west-1c',
        routeTableId: 'rtb-0bb00000000000003',
      },
    ],
    vpnSubnets: [
      {
        subnetId: 'subnet-0cc00000000000001',
        cidr: '10.30.99.0/27',
        availabilityZone: 'eu-west-1a',
        routeTableId: 'rtb-0bb00000000000001',
      },
      {
        subnetId: 'subnet-0cc00000000000002',
        cidr: '10.30.99.32/27',
        availabilityZone: 'eu-west-1b',
        routeTableId: 'rtb-0bb00000000000002',
      },
    ],
    clusterName: 'shared-staging',
    clusterSecurityGroupId: 'sg-0dd00000000000001',
    kubectlRoleArn: 'arn:aws:iam::111111111111:role/shared-staging-kubectl',
  },
  cluster: {
    kubernetesVersion: '1.35',
    nodeInstanceTypes: ['m7g.large'],
    nodes: { min: 2, desired: 2, max: 4 },
    adminPrincipalArns: [],
    publicEndpointCidrs: [],
  },
  chart: { ...CHART_NAMES },
  documentdb: {
    engineVersion: '5.0.0',
    instanceType: 't4g.medium',
    instances: 2,
    backupRetentionDays: 7,
  },
  // Sizes from the capacity model in docs/capacity.md, scaled down for staging traffic.
  opensearch: {
    engineVersion: '2.19',
    dataNodeInstanceType: 't3.medium.search',
    dataNodes: 3,
    masterNodeInstanceType: 'm7g.large.search',
    volumeSizeGiB: 20,
    cloudWatchLogRetentionDays: 14,
    masterUserArn: 'arn:aws:iam::111111111111:role/PlatformAdmin',
  },
  edge: {
    domainNames: [],
    originFacingPrefixListId: 'pl-4fa04526',
    rateLimitPer5Min: 2000,
    scheduleRateLimitPer5Min: 300,
    maxTtlSeconds: 86400,
  },
  vpn: {
    clientCidr: '10.251.0.0/22',
    serverCertificateArn:
      'arn:aws:acm:eu-west-1:111111111111:certificate/22222222-2222-2222-2222-222222222222',
    authentication: {
      type: 'mutual-tls',
      clientRootCertificateArn:
        'arn:aws:acm:eu-west-1:111111111111:certificate/33333333-3333-3333-3333-333333333333',
    },
  },
  observability: { alarmEmails: ['staging-alerts@example.com'] },
};
