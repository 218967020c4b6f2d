import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import type { AdoptNetworkConfig, SubnetAttributes } from '../config/types';
import {
  INGRESS_CLASSES,
  INGRESS_NAMESPACE,
  INTERNAL_INGRESS_RELEASE,
  PUBLIC_INGRESS_RELEASE,
} from './names';
import { encryptedLogGroup, logsKey } from './log-key';
import { acknowledge, acknowledgeAll, managedPolicy } from './nag';

export interface ClusterStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
}

/** Pinned chart versions of the controllers the cluster runs. */
const INGRESS_NGINX_CHART_VERSION = '4.13.3';
/** Port the public controller serves plain HTTP on, behind the origin NLB. */
const ORIGIN_PORT = 80;
/** ingress-nginx's health endpoint (/healthz), which the NLB's target health checks use. */
const HEALTH_PORT = 10254;

/**
 * VPC over 3 AZs (or an adopted one), the EKS cluster (or an adopted one) with its add-ons, the
 * two ingress-nginx controllers the chart expects, and the internal NLB that the CloudFront VPC
 * origin reaches the public controller through.
 */
export class ClusterStack extends cdk.Stack {
  readonly vpc: ec2.IVpc;
  /** Private subnets with a NAT route: nodes and pods. */
  readonly podSubnets: ec2.ISubnet[];
  /** Private subnets without a route out: DocumentDB and OpenSearch. */
  readonly dataSubnets: ec2.ISubnet[];
  /** Private subnets the Client VPN endpoint is associated with (one per AZ, 2 AZs). */
  readonly vpnSubnets: ec2.ISubnet[];
  readonly cluster: eks.ICluster;
  /** The security group the nodes, and so the pods (VPC CNI without pod security groups), carry. */
  readonly podSecurityGroup: ec2.ISecurityGroup;
  /** Internal NLB in front of the public ingress-nginx controller; the CloudFront VPC origin. */
  readonly originNlb: elbv2.NetworkLoadBalancer;
  /** Port of the origin NLB's listener (plain HTTP inside the VPC). */
  readonly originPort = ORIGIN_PORT;

  private readonly configuredAzs: readonly string[];

  /** The AZs from config: without this override the VPC asks the account (a context lookup). */
  override get availabilityZones(): string[] {
    return [...this.configuredAzs];
  }

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.configuredAzs = config.availabilityZones;
    const kubectlLayer = new KubectlV35Layer(this, 'KubectlLayer');

    if (config.network.mode === 'create') {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(config.network.vpcCidr),
        availabilityZones: [...config.availabilityZones],
        natGateways: config.network.natGateways,
        subnetConfiguration: [
          // Only the NAT gateways live here; no load balancer is internet-facing.
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          // A /19 per AZ: with the VPC CNI every pod takes a VPC address.
          { name: 'pods', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 19 },
          { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
          { name: 'vpn', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 27 },
        ],
        flowLogs: {
          rejected: {
            destination: ec2.FlowLogDestination.toCloudWatchLogs(
              encryptedLogGroup(this, 'FlowLogs', logsKey(this), {
                retention: logs.RetentionDays.THREE_MONTHS,
              }),
            ),
            trafficType: ec2.FlowLogTrafficType.REJECT,
          },
        },
      });
      acknowledge(
        vpc,
        'CloudFormation-Validate::W3010',
        'The AZ names come from the typed config on purpose: synthesis makes no lookup, and the zone spread is reviewed there.',
      );
      this.vpc = vpc;
      this.podSubnets = vpc.selectSubnets({ subnetGroupName: 'pods' }).subnets;
      this.dataSubnets = vpc.selectSubnets({ subnetGroupName: 'data' }).subnets;
      // Two associations give the endpoint AZ redundancy; each costs by the hour.
      this.vpnSubnets = vpc.selectSubnets({ subnetGroupName: 'vpn' }).subnets.slice(0, 2);

      const secretsKey = new kms.Key(this, 'ClusterSecretsKey', {
        enableKeyRotation: true,
        description: 'EKS envelope encryption of Kubernetes Secrets',
      });
      const publicCidrs = config.cluster.publicEndpointCidrs;
      const cluster = new eks.Cluster(this, 'Cluster', {
        version: eks.KubernetesVersion.of(config.cluster.kubernetesVersion),
        vpc,
        vpcSubnets: [{ subnets: this.podSubnets }],
        endpointAccess:
          publicCidrs.length > 0
            ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...publicCidrs)
            : eks.EndpointAccess.PRIVATE,
        // Managed node groups rather than Auto Mode: the VPC CNI add-on (network policy) and the
        // AWS Load Balancer Controller stay ours to configure.
        defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
        defaultCapacity: 0,
        secretsEncryptionKey: secretsKey,
        clusterLogging: [
          eks.ClusterLoggingTypes.API,
          eks.ClusterLoggingTypes.AUDIT,
          eks.ClusterLoggingTypes.AUTHENTICATOR,
          eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
          eks.ClusterLoggingTypes.SCHEDULER,
        ],
        // The endpoint may be private only: the kubectl handler runs in the pod subnets.
        kubectlProviderOptions: { kubectlLayer, privateSubnets: this.podSubnets },
        albController: { version: eks.AlbControllerVersion.V3_2_2 },
      });
      cluster.addNodegroupCapacity('Workers', {
        instanceTypes: config.cluster.nodeInstanceTypes.map((t) => new ec2.InstanceType(t)),
        amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
        minSize: config.cluster.nodes.min,
        desiredSize: config.cluster.nodes.desired,
        maxSize: config.cluster.nodes.max,
        subnets: { subnets: this.podSubnets },
      });
      config.cluster.adminPrincipalArns.forEach((arn, i) =>
        cluster.grantAccess(`Admin${i}`, arn, [
          eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', {
            accessScopeType: eks.AccessScopeType.CLUSTER,
          }),
        ]),
      );
      // The chart's NetworkPolicy is enforced only with network policy support on in the VPC CNI.
      new eks.Addon(this, 'VpcCni', {
        cluster,
        addonName: 'vpc-cni',
        configurationValues: { enableNetworkPolicy: 'true' },
      });
      new eks.Addon(this, 'CoreDns', { cluster, addonName: 'coredns' });
      new eks.Addon(this, 'KubeProxy', { cluster, addonName: 'kube-proxy' });
      // Staff run kubectl and helm over the Client VPN (clients are source-NATed to its subnets):
      // the endpoint may be private only.
      for (const subnet of this.vpnSubnets)
        cluster.connections.allowFrom(
          ec2.Peer.ipv4(subnet.ipv4CidrBlock),
          ec2.Port.tcp(443),
          'kubectl and helm over the Client VPN',
        );
      // Pod Identity associations (identity-stack.ts) need the agent on every node.
      void cluster.eksPodIdentityAgent;
      this.cluster = cluster;
      this.podSecurityGroup = cluster.clusterSecurityGroup;
      acknowledgeAll(
        cluster,
        [
          managedPolicy('AmazonEKSClusterPolicy'),
          managedPolicy('AmazonEKSWorkerNodePolicy'),
          managedPolicy('AmazonEKS_CNI_Policy'),
          managedPolicy('AmazonEC2ContainerRegistryReadOnly'),
        ],
        'The policies EKS documents for the cluster and node roles; AWS keeps them in step with the service.',
      );
      this.acknowledgeKubectlProvider(cluster.node.findChild('KubectlProvider'));
      acknowledge(
        cluster,
        'CloudFormation-Validate::W9009',
        'aws-eks-v2 writes EncryptionConfig.Resources: ["secrets"], the only value EKS accepts; CloudFormation marks the property deprecated, not unsupported.',
      );
      if (cluster.albController) {
        acknowledgeAll(
          cluster.albController,
          [
            'AwsSolutions-IAM5[Resource::*]',
            'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:*:security-group/*]',
            ...['targetgroup/*/*', 'loadbalancer/net/*/*', 'loadbalancer/app/*/*']
              .concat(
                ['listener', 'listener-rule'].flatMap((k) => [`${k}/net/*/*/*`, `${k}/app/*/*/*`]),
              )
              .map(
                (r) =>
                  `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:*:*:${r}]`,
              ),
          ],
          "The AWS Load Balancer Controller's published policy: it creates load balancers, target groups and security groups whose names are not known in advance; its write statements are conditioned on the elbv2.k8s.aws/cluster tag.",
        );
      }
    } else {
      const net = config.network;
      const subnets = (id: string, list: readonly SubnetAttributes[]) =>
        list.map((s, i) =>
          ec2.Subnet.fromSubnetAttributes(this, `${id}${i}`, {
            subnetId: s.subnetId,
            ipv4CidrBlock: s.cidr,
            availabilityZone: s.availabilityZone,
            routeTableId: s.routeTableId,
          }),
        );
      this.vpc = adoptedVpc(this, net);
      this.podSubnets = subnets('PodSubnet', net.podSubnets);
      this.dataSubnets = subnets('DataSubnet', net.dataSubnets);
      this.vpnSubnets = subnets('VpnSubnet', net.vpnSubnets);
      // An imported cluster runs Helm charts and manifests through a kubectl provider made for
      // it; the role must hold a cluster-admin access entry on the cluster.
      const attributes: eks.ClusterAttributes = {
        clusterName: net.clusterName,
        vpc: this.vpc,
        clusterSecurityGroupId: net.clusterSecurityGroupId,
      };
      const provider = new eks.KubectlProvider(this, 'KubectlProvider', {
        cluster: eks.Cluster.fromClusterAttributes(this, 'ClusterRef', attributes),
        kubectlLayer,
        role: iam.Role.fromRoleArn(this, 'KubectlRole', net.kubectlRoleArn),
        privateSubnets: this.podSubnets,
      });
      this.cluster = eks.Cluster.fromClusterAttributes(this, 'Cluster', {
        ...attributes,
        kubectlProvider: provider,
      });
      this.acknowledgeKubectlProvider(provider);
      acknowledge(
        this,
        'CloudFormation-Validate::W8001',
        "The kubectl provider declares an ECR Public condition for its own role's policy; with an adopted role it attaches none, so the condition is unused.",
      );
      this.podSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
        this,
        'ClusterSecurityGroup',
        net.clusterSecurityGroupId,
      );
    }

    this.originNlb = this.originLoadBalancer(config);
    this.installIngressControllers();
    // For `aws eks update-kubeconfig --name` (README, Deploy to AWS).
    new cdk.CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
  }

  /**
   * The internal NLB in front of the public controller. CloudFront reaches it as a VPC origin, so
   * nothing on the internet can: it has no public address, and its security group admits only
   * CloudFront's origin-facing ranges.
   */
  private originLoadBalancer(config: EnvironmentConfig): elbv2.NetworkLoadBalancer {
    const sg = new ec2.SecurityGroup(this, 'OriginNlbSecurityGroup', {
      vpc: this.vpc,
      description: 'Origin NLB: CloudFront VPC origin only',
      allowAllOutbound: false,
    });
    sg.addIngressRule(
      ec2.Peer.prefixList(config.edge.originFacingPrefixListId),
      ec2.Port.tcp(ORIGIN_PORT),
      'CloudFront origin-facing addresses (VPC origin)',
    );
    acknowledge(
      sg,
      'AwsSolutions-EC23',
      'Not open to the world: the only source is the CloudFront origin-facing prefix list.',
    );
    sg.addEgressRule(
      ec2.Peer.ipv4(this.vpc.vpcCidrBlock),
      ec2.Port.tcp(ORIGIN_PORT),
      'ingress-nginx pods',
    );
    sg.addEgressRule(
      ec2.Peer.ipv4(this.vpc.vpcCidrBlock),
      ec2.Port.tcp(HEALTH_PORT),
      'ingress-nginx health checks',
    );
    const nlb = new elbv2.NetworkLoadBalancer(this, 'OriginNlb', {
      vpc: this.vpc,
      internetFacing: false,
      vpcSubnets: { subnets: this.podSubnets },
      securityGroups: [sg],
      crossZoneEnabled: true,
    });
    // Targets are the public controller's pods, registered by the AWS Load Balancer Controller
    // through the TargetGroupBinding below (IP targets: no node port is opened).
    const targets = new elbv2.NetworkTargetGroup(this, 'OriginTargets', {
      vpc: this.vpc,
      port: ORIGIN_PORT,
      protocol: elbv2.Protocol.TCP,
      targetType: elbv2.TargetType.IP,
      healthCheck: { protocol: elbv2.Protocol.HTTP, path: '/healthz', port: String(HEALTH_PORT) },
    });
    acknowledge(
      nlb,
      'AwsSolutions-ELB2',
      'NLB access logs exist only for TLS listeners; this plain TCP listener is logged at the edge (CloudFront access logs) and in ingress-nginx.',
    );
    nlb.addListener('Http', {
      port: ORIGIN_PORT,
      protocol: elbv2.Protocol.TCP,
      defaultTargetGroups: [targets],
    });
    this.originTargetGroup = targets;
    this.originSecurityGroup = sg;
    return nlb;
  }

  private originTargetGroup!: elbv2.NetworkTargetGroup;
  private originSecurityGroup!: ec2.SecurityGroup;

  /** The kubectl provider is CDK's own Lambda-backed custom resource for manifests and charts. */
  private acknowledgeKubectlProvider(provider: Construct): void {
    const handler = provider.node.findChild('Handler').node.defaultChild as cdk.CfnElement;
    const handlerId = this.getLogicalId(handler);
    // The provider adds ECR Public read access under a condition, scoped to its role's parent.
    const condition = provider.node.findChild('Handler').node.tryFindChild('HasEcrPublic');
    const conditionId = condition ? this.getLogicalId(condition as cdk.CfnElement) : '';
    acknowledgeAll(
      provider,
      [
        managedPolicy('service-role/AWSLambdaBasicExecutionRole'),
        managedPolicy('service-role/AWSLambdaVPCAccessExecutionRole'),
        managedPolicy('AmazonEC2ContainerRegistryReadOnly'),
        `AwsSolutions-IAM4[Policy::{"Fn::If":["${conditionId}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]`,
        `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`,
        'AwsSolutions-L1',
      ],
      "CDK's kubectl provider (aws-eks-v2): its handler's runtime and execution-role policies are set by aws-cdk-lib, and the provider framework may invoke any version of that one handler.",
    );
  }

  /** The two ingress-nginx controllers whose classes the chart's Ingresses name. */
  private installIngressControllers(): void {
    const common = {
      repository: 'https://kubernetes.github.io/ingress-nginx',
      chart: 'ingress-nginx',
      version: INGRESS_NGINX_CHART_VERSION,
      namespace: INGRESS_NAMESPACE,
      createNamespace: true,
    };
    const controller = (
      className: string,
      service: Record<string, unknown>,
      config: Record<string, string>,
    ) => ({
      ingressClassResource: {
        name: className,
        controllerValue: `k8s.io/${className}`,
        enabled: true,
      },
      ingressClass: className,
      electionID: `${className}-leader`,
      replicaCount: 2,
      // Snippets would let an Ingress add routes; the chart refuses them, so does the controller.
      allowSnippetAnnotations: false,
      config,
      service,
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { 'app.kubernetes.io/component': 'controller' } },
        },
      ],
    });
    const publicController = this.cluster.addHelmChart('PublicIngressNginx', {
      ...common,
      release: PUBLIC_INGRESS_RELEASE,
      values: {
        controller: controller(
          INGRESS_CLASSES.public,
          // ClusterIP: the CDK-made origin NLB targets the pods through the TargetGroupBinding.
          { type: 'ClusterIP' },
          // CloudFront's X-Forwarded-For carries the viewer address.
          { 'use-forwarded-headers': 'true', 'server-tokens': 'false' },
        ),
      },
    });
    const internalController = this.cluster.addHelmChart('InternalIngressNginx', {
      ...common,
      release: INTERNAL_INGRESS_RELEASE,
      values: {
        controller: controller(
          INGRESS_CLASSES.internal,
          {
            type: 'LoadBalancer',
            // Only the Client VPN's network interfaces (they source-NAT the staff) may connect.
            loadBalancerSourceRanges: this.vpnSubnets.map((s) => s.ipv4CidrBlock),
            annotations: {
              'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
              'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
              'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
              // The admin Ingress's source allowlist needs the real client address.
              'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*',
            },
          },
          { 'use-proxy-protocol': 'true', 'server-tokens': 'false' },
        ),
      },
    });
    const binding = this.cluster.addManifest('OriginTargetGroupBinding', {
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'origin-nlb', namespace: INGRESS_NAMESPACE },
      spec: {
        serviceRef: { name: `${PUBLIC_INGRESS_RELEASE}-controller`, port: ORIGIN_PORT },
        targetGroupARN: this.originTargetGroup.targetGroupArn,
        targetType: 'ip',
        // The controller opens the pods' security group to the NLB's group only.
        networking: {
          ingress: [
            {
              from: [{ securityGroup: { groupID: this.originSecurityGroup.securityGroupId } }],
              ports: [
                { protocol: 'TCP', port: ORIGIN_PORT },
                { protocol: 'TCP', port: HEALTH_PORT },
              ],
            },
          ],
        },
      },
    });
    binding.node.addDependency(publicController);
    const alb = (this.cluster as { albController?: Construct }).albController;
    if (alb) {
      publicController.node.addDependency(alb);
      internalController.node.addDependency(alb);
    }
  }
}

function adoptedVpc(scope: Construct, net: AdoptNetworkConfig): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
    vpcId: net.vpcId,
    vpcCidrBlock: net.vpcCidr,
    availabilityZones: net.podSubnets.map((s) => s.availabilityZone),
    privateSubnetIds: net.podSubnets.map((s) => s.subnetId),
    privateSubnetIpv4CidrBlocks: net.podSubnets.map((s) => s.cidr),
    privateSubnetRouteTableIds: net.podSubnets.map((s) => s.routeTableId),
    isolatedSubnetIds: net.dataSubnets.map((s) => s.subnetId),
    isolatedSubnetIpv4CidrBlocks: net.dataSubnets.map((s) => s.cidr),
    isolatedSubnetRouteTableIds: net.dataSubnets.map((s) => s.routeTableId),
  });
}
