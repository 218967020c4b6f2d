import type { EnvironmentStacks } from './app';
import { DOCUMENTDB_PORT } from './data-stack';
import { LOG_STREAM } from './identity-stack';
import { INGRESS_CLASSES, INGRESS_NAMESPACE, POD_IDENTITY_AGENT_CIDR } from './names';

/** What only a deployment knows: stack outputs, by the stack part and output key they come from. */
export const DEPLOYED_OUTPUTS = {
  distributionId: { part: 'Edge', key: 'DistributionId' },
  openSearchEndpoint: { part: 'Data', key: 'OpenSearchEndpoint' },
  documentDbEndpoint: { part: 'Data', key: 'DocumentDbEndpoint' },
  documentDbSecretArn: { part: 'Data', key: 'DocumentDbSecretArn' },
  serviceRoleArn: { part: 'Identity', key: 'ServiceRoleArn' },
  shipperRoleArn: { part: 'Identity', key: 'ShipperRoleArn' },
} as const;

export type DeployedOutputs = Record<keyof typeof DEPLOYED_OUTPUTS, string>;

/** `cdk deploy --outputs-file` content: stack name → output key → value. */
export type OutputsFile = Record<string, Record<string, string>>;

/** Stack name of one part of an environment (lib/app.ts names them so). */
export function stackName(envName: string, part: string): string {
  return `SponsoredAgents-${envName}-${part}`;
}

export function readOutputs(envName: string, file: OutputsFile): DeployedOutputs {
  const entries = Object.entries(DEPLOYED_OUTPUTS).map(([name, { part, key }]) => {
    const value = file[stackName(envName, part)]?.[key];
    if (!value) throw new Error(`outputs file lacks ${stackName(envName, part)}.${key}`);
    return [name, value];
  });
  return Object.fromEntries(entries) as DeployedOutputs;
}

/** Name of the Kubernetes Secret holding MONGODB_URI and ADMIN_TOKEN (made by the operator). */
export const APP_SECRET_NAME = 'sponsored-agents';

/**
 * The chart values the infrastructure decides, for one environment: identities, endpoints,
 * ingress classes, the admin source range and the NetworkPolicy's egress to the data subnets.
 * Image, hosts, TLS secret names and the admin token stay the operator's (docs/deploy.md).
 */
export function chartValues(
  stacks: EnvironmentStacks,
  outputs: DeployedOutputs,
): Record<string, unknown> {
  const { config, cluster, access, identity } = stacks;
  const dataCidrs = cluster.dataSubnets.map((s) => s.ipv4CidrBlock);
  const replicas = config.chart.replicas;
  return {
    serviceAccount: {
      create: true,
      // EKS Pod Identity binds the role to this name (identity-stack.ts); no annotation needed.
      name: identity.serviceAccountName,
      roleArn: '',
    },
    config: {
      awsRegion: config.region,
      opensearch: { url: `https://${outputs.openSearchEndpoint}`, sigv4: true, service: 'es' },
      logIndex: LOG_STREAM,
      logShipperEnabled: false,
      cloudfront: { distributionId: outputs.distributionId },
      // ingress-nginx pods have VPC addresses in the pod subnets (VPC CNI).
      auth: { trustedProxies: cluster.podSubnets.map((s) => s.ipv4CidrBlock).join(',') },
    },
    secret: { existingSecret: APP_SECRET_NAME },
    documentdb: { caBundle: { enabled: true } },
    ingress: {
      public: { className: INGRESS_CLASSES.public },
      admin: { className: INGRESS_CLASSES.internal, vpnCidrs: access.vpnCidrs },
    },
    networkPolicy: {
      apiFrom: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': INGRESS_NAMESPACE } },
          podSelector: {
            matchLabels: {
              'app.kubernetes.io/name': 'ingress-nginx',
              'app.kubernetes.io/component': 'controller',
            },
          },
        },
      ],
      egress: {
        documentdb: { port: DOCUMENTDB_PORT, cidrs: dataCidrs },
        opensearch: { port: 443, cidrs: dataCidrs },
      },
      // EKS Pod Identity: the SDK fetches the role's credentials from the node's agent.
      extraEgress: [
        {
          to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }],
          ports: [{ protocol: 'TCP', port: 80 }],
        },
      ],
    },
    ...(replicas
      ? { autoscaling: { enabled: true, minReplicas: replicas.min, maxReplicas: replicas.max } }
      : {}),
    fluentBit: {
      enabled: true,
      namespace: config.chart.fluentBitNamespace,
      opensearch: { awsAuth: true, awsRegion: config.region },
    },
  };
}

/**
 * Fine-grained access control role mappings (OpenSearch security plugin API), applied by the
 * master user: the service's role reads, Fluent Bit's role writes. Role definitions:
 * docs/deploy.md, "OpenSearch access".
 */
export function searchRoleMappings(
  outputs: DeployedOutputs,
): Record<string, { backend_roles: string[] }> {
  return {
    sponsored_agents_app: { backend_roles: [outputs.serviceRoleArn] },
    sponsored_agents_shipper: { backend_roles: [outputs.shipperRoleArn] },
  };
}
