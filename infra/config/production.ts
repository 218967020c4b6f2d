import type { EnvironmentConfig } from './types';

// Example ids: replace the account, ARNs and names with your own before deploying.
export const production: EnvironmentConfig = {
  envName: 'production',
  account: '222222222222',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  network: { mode: 'create', vpcCidr: '10.20.0.0/16', natGateways: 3 },
  cluster: {
    kubernetesVersion: '1.35',
    nodeInstanceTypes: ['m7g.large'],
    nodes: { min: 3, desired: 3, max: 9 },
    adminPrincipalArns: ['arn:aws:iam::222222222222:role/PlatformAdmin'],
    publicEndpointCidrs: [],
  },
  chart: {
    releaseName: 'pages',
    namespace: 'sponsored-agents',
    fluentBitNamespace: 'logging',
    fluentBitServiceAccount: 'fluent-bit',
  },
  documentdb: {
    engineVersion: '5.0.0',
    instanceType: 'r6g.large',
    instances: 3,
    backupRetentionDays: 14,
  },
  // Sizes from the capacity model in docs/capacity.md (log volume, retention, shards).
  opensearch: {
    engineVersion: '2.19',
    dataNodeInstanceType: 'r7g.large.search',
    dataNodes: 3,
    masterNodeInstanceType: 'm7g.large.search',
    volumeSizeGiB: 100,
    cloudWatchLogRetentionDays: 30,
    masterUserArn: 'arn:aws:iam::222222222222:role/PlatformAdmin',
  },
  edge: {
    domainNames: ['pages.example.com'],
    certificateArn:
      'arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-0000-0000-000000000000',
    originFacingPrefixListId: 'pl-4fa04526',
    rateLimitPer5Min: 2000,
    scheduleRateLimitPer5Min: 300,
    maxTtlSeconds: 86400,
  },
  vpn: {
    clientCidr: '10.250.0.0/22',
    serverCertificateArn:
      'arn:aws:acm:eu-west-1:222222222222:certificate/11111111-1111-1111-1111-111111111111',
    authentication: {
      type: 'saml',
      samlProviderArn: 'arn:aws:iam::222222222222:saml-provider/StaffIdP',
    },
  },
  observability: { alarmEmails: ['oncall@example.com'] },
};
