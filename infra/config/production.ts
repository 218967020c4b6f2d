import { capacity } from './capacity';
import { CHART_NAMES, type EnvironmentConfig } from './types';

// Sized for the Origin Shield column of docs/capacity.md (the edge stack enables Origin Shield).
const sized = capacity.productionWithOriginShield;

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
  chart: { ...CHART_NAMES, replicas: { min: sized.minReplicas, max: sized.maxReplicas } },
  documentdb: {
    engineVersion: '5.0.0',
    instanceType: sized.docdbInstanceClass,
    // One per zone: reads spread over the replicas, a zone loss keeps a replica to promote.
    instances: 3,
    backupRetentionDays: 14,
  },
  opensearch: {
    engineVersion: '2.19',
    dataNodeInstanceType: 'r7g.large.search',
    dataNodes: 3,
    masterNodeInstanceType: 'm7g.large.search',
    // The model's storage over 3 data nodes, doubled for growth and the FreeStorageSpace floor.
    volumeSizeGiB: Math.ceil(((sized.openSearchStorageGiB / 3) * 2) / 10) * 10,
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
