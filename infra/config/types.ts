// The typed configuration of one environment. Every id, size and ARN the stacks need comes from
// here, so `cdk synth` needs no AWS access and no context lookups.

/** A subnet of an adopted VPC: ids and CIDRs as the VPC console shows them. */
export interface SubnetAttributes {
  readonly subnetId: string;
  readonly cidr: string;
  readonly availabilityZone: string;
  readonly routeTableId: string;
}

/** The stacks create the VPC (3 AZs) and the EKS cluster. */
export interface CreateNetworkConfig {
  readonly mode: 'create';
  /** /16 recommended: pods take a /19 per AZ with the VPC CNI. */
  readonly vpcCidr: string;
  /** NAT gateways (1 per AZ for production; 1 saves cost in staging). */
  readonly natGateways: number;
}

/** An existing VPC and EKS cluster are adopted by attributes (no lookups). */
export interface AdoptNetworkConfig {
  readonly mode: 'adopt';
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Subnets the pods run in (private, with a route to the internet for the AWS APIs). */
  readonly podSubnets: readonly SubnetAttributes[];
  /** Subnets for DocumentDB and OpenSearch (private). */
  readonly dataSubnets: readonly SubnetAttributes[];
  /** Subnets the Client VPN endpoint is associated with (private). */
  readonly vpnSubnets: readonly SubnetAttributes[];
  readonly clusterName: string;
  /** The cluster security group (EKS creates it; nodes and pods carry it). */
  readonly clusterSecurityGroupId: string;
  /** Role the kubectl handler assumes; it needs an access entry with cluster-admin. */
  readonly kubectlRoleArn: string;
}

export type NetworkConfig = CreateNetworkConfig | AdoptNetworkConfig;

export interface ClusterConfig {
  /** EKS Kubernetes version, e.g. '1.35' (matches the kubectl layer in lib/cluster-stack.ts). */
  readonly kubernetesVersion: string;
  readonly nodeInstanceTypes: readonly string[];
  readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
  /** IAM principals given cluster-admin through EKS access entries (the operators' SSO roles). */
  readonly adminPrincipalArns: readonly string[];
  /** CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private only. */
  readonly publicEndpointCidrs: readonly string[];
}

/** Names the Helm release uses, which the IAM bindings and the chart values must match. */
export interface ChartConfig {
  readonly releaseName: string;
  readonly namespace: string;
  /** Namespace and ServiceAccount of the Fluent Bit DaemonSet that ships the pods' stdout. */
  readonly fluentBitNamespace: string;
  readonly fluentBitServiceAccount: string;
  /** HPA bounds for the chart (`autoscaling`); absent keeps the chart's defaults. */
  readonly replicas?: { readonly min: number; readonly max: number };
}

/** The release names every environment uses (the chart's defaults and the logging namespace). */
export const CHART_NAMES = {
  releaseName: 'pages',
  namespace: 'sponsored-agents',
  fluentBitNamespace: 'logging',
  fluentBitServiceAccount: 'fluent-bit',
} as const;

export interface DocumentDbConfig {
  readonly engineVersion: string;
  readonly instanceType: string;
  /** At least 2: one primary and a replica in another AZ. */
  readonly instances: number;
  /** At least 7. */
  readonly backupRetentionDays: number;
}

export interface OpenSearchConfig {
  readonly engineVersion: string;
  readonly dataNodeInstanceType: string;
  /** A multiple of 3 (zone awareness over 3 AZs). */
  readonly dataNodes: number;
  readonly masterNodeInstanceType: string;
  readonly volumeSizeGiB: number;
  /** Days the domain's slow, error and audit logs stay in CloudWatch Logs. */
  readonly cloudWatchLogRetentionDays: number;
  /** Principal that is the fine-grained access control master user (an operators' role). */
  readonly masterUserArn: string;
}

export interface EdgeConfig {
  /** Viewer host names. Empty: the distribution's cloudfront.net name and certificate. */
  readonly domainNames: readonly string[];
  /** ACM certificate in us-east-1 for `domainNames` (required with them). */
  readonly certificateArn?: string;
  /** An existing CLOUDFRONT-scope web ACL; when absent a WAF stack in us-east-1 creates one. */
  readonly webAclArn?: string;
  /** Requests per 5 minutes per client IP over all paths. */
  readonly rateLimitPer5Min: number;
  /** Requests per 5 minutes per client IP on the schedule windows (costly misses). */
  readonly scheduleRateLimitPer5Min: number;
  /**
   * The region's managed prefix list `com.amazonaws.global.cloudfront.origin-facing` (its id
   * differs per region: `aws ec2 describe-managed-prefix-lists --filters
   * Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing`). The origin NLB's
   * security group admits only it.
   */
  readonly originFacingPrefixListId: string;
  /** Max TTL of the /v1 cache policy; at least CACHE_S_MAXAGE + CACHE_STALE_WHILE_REVALIDATE. */
  readonly maxTtlSeconds: number;
}

export type VpnAuthentication =
  | { readonly type: 'mutual-tls'; readonly clientRootCertificateArn: string }
  | { readonly type: 'saml'; readonly samlProviderArn: string };

export interface VpnConfig {
  /** Addresses handed to clients; must not overlap the VPC. */
  readonly clientCidr: string;
  /** ACM certificate of the endpoint (server side). */
  readonly serverCertificateArn: string;
  readonly authentication: VpnAuthentication;
}

/** Owned by the observability stack (lib/observability-stack.ts). */
export interface ObservabilityConfig {
  /** Addresses subscribed to the alarm topic. */
  readonly alarmEmails: readonly string[];
}

export interface EnvironmentConfig {
  /** Short name used in stack names and tags: 'staging', 'production'. */
  readonly envName: string;
  readonly account: string;
  readonly region: string;
  /** Exactly 3 AZs of `region`. */
  readonly availabilityZones: readonly [string, string, string];
  readonly network: NetworkConfig;
  readonly cluster: ClusterConfig;
  readonly chart: ChartConfig;
  readonly documentdb: DocumentDbConfig;
  readonly opensearch: OpenSearchConfig;
  readonly edge: EdgeConfig;
  readonly vpn: VpnConfig;
  readonly observability: ObservabilityConfig;
}
