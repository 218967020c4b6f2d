import { Match } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { INGRESS_CLASSES } from '../lib/names';
import { stacksOf } from './app-model';
import { template } from './assembly';

const PRODUCTION = 'SponsoredAgents-production-Cluster';
const STAGING = 'SponsoredAgents-staging-Cluster';

function helmCharts(stack: string): Record<string, any>[] {
  return Object.values(template(stack).findResources('Custom::AWSCDK-EKS-HelmChart')).map(
    (r: any) => r.Properties,
  );
}

/** Values of a Helm chart resource: a JSON string, possibly joined with tokens. */
function helmValues(chart: Record<string, any>): any {
  const v = chart.Values;
  if (typeof v === 'string') return JSON.parse(v);
  const parts = v['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '"TOKEN"'));
  return JSON.parse(parts.join(''));
}

describe('cluster stack (production: creates the VPC and cluster)', () => {
  it('spreads the VPC over three availability zones', () => {
    const azs = Object.values(template(PRODUCTION).findResources('AWS::EC2::Subnet')).map(
      (s: any) => s.Properties.AvailabilityZone,
    );
    expect(new Set(azs)).toEqual(new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']));
  });

  it('lets staff reach the private API endpoint over the Client VPN (kubectl, helm), HTTPS only', () => {
    const vpnCidrs = stacksOf('production').cluster.vpnSubnets.map((s) => s.ipv4CidrBlock);
    const inline = Object.values(template(PRODUCTION).findResources('AWS::EC2::SecurityGroup'))
      .flatMap((g: any) => (g.Properties.SecurityGroupIngress ?? []) as any[])
      .filter((r) => vpnCidrs.includes(r.CidrIp));
    expect(inline.map((r) => [r.CidrIp, r.FromPort, r.ToPort]).sort()).toEqual(
      vpnCidrs.map((cidr) => [cidr, 443, 443]).sort(),
    );
  });

  it('runs a native EKS cluster with a private endpoint, encrypted Secrets and control-plane logs', () => {
    template(PRODUCTION).hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({
        EndpointPublicAccess: false,
        EndpointPrivateAccess: true,
      }),
      EncryptionConfig: [Match.objectLike({ Resources: ['secrets'] })],
      Logging: {
        ClusterLogging: {
          EnabledTypes: Match.arrayWith([
            { Type: 'api' },
            { Type: 'audit' },
            { Type: 'authenticator' },
          ]),
        },
      },
      AccessConfig: Match.objectLike({ AuthenticationMode: Match.stringLikeRegexp('API') }),
    });
  });

  it('turns on network policy enforcement in the VPC CNI add-on (the chart NetworkPolicy needs it)', () => {
    const addons = template(PRODUCTION).findResources('AWS::EKS::Addon');
    const cni = Object.values(addons).find((a: any) => a.Properties.AddonName === 'vpc-cni') as any;
    expect(JSON.parse(cni.Properties.ConfigurationValues)).toEqual({ enableNetworkPolicy: 'true' });
    const names = Object.values(addons).map((a: any) => a.Properties.AddonName);
    expect(names).toEqual(
      expect.arrayContaining(['eks-pod-identity-agent', 'coredns', 'kube-proxy']),
    );
  });

  it('installs the AWS Load Balancer Controller', () => {
    const charts = helmCharts(PRODUCTION).map((c) => c.Chart);
    expect(charts).toContain('aws-load-balancer-controller');
  });

  it("keeps the origin NLB internal and open to CloudFront's origin-facing prefix list only", () => {
    const t = template(PRODUCTION);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
    });
    const groups = t.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('Origin NLB') },
    });
    const [[sgId, sg]] = Object.entries(groups) as [string, any][];
    const separate = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r: any) => r.Properties)
      .filter((p) => p.GroupId?.['Fn::GetAtt']?.[0] === sgId);
    const rules = [...(sg.Properties.SecurityGroupIngress ?? []), ...separate];
    expect(rules).toEqual([
      expect.objectContaining({ SourcePrefixListId: 'pl-4fa04526', FromPort: 80, ToPort: 80 }),
    ]);
  });
});

describe.each([PRODUCTION, STAGING])('ingress controllers (%s)', (stack) => {
  it('installs the two ingress-nginx classes the chart names, the internal one for the VPN only', () => {
    const nginx = helmCharts(stack).filter((c) => c.Chart === 'ingress-nginx');
    const byClass = new Map(
      nginx.map((c) => [helmValues(c).controller.ingressClassResource.name, c]),
    );
    expect([...byClass.keys()].sort()).toEqual(
      [INGRESS_CLASSES.public, INGRESS_CLASSES.internal].sort(),
    );
    const chartDefaults = parse(
      fs.readFileSync(
        path.join(__dirname, '..', '..', 'charts', 'sponsored-agents', 'values.yaml'),
        'utf8',
      ),
    );
    expect(chartDefaults.ingress.public.className).toBe(INGRESS_CLASSES.public);
    expect(chartDefaults.ingress.admin.className).toBe(INGRESS_CLASSES.internal);

    const internal = helmValues(byClass.get(INGRESS_CLASSES.internal)!).controller;
    expect(
      internal.service.annotations['service.beta.kubernetes.io/aws-load-balancer-scheme'],
    ).toBe('internal');
    expect(internal.service.loadBalancerSourceRanges.length).toBeGreaterThan(0);
    const publicController = helmValues(byClass.get(INGRESS_CLASSES.public)!).controller;
    expect(publicController.service.type).toBe('ClusterIP');
  });

  it('binds the public controller to the origin NLB target group', () => {
    const manifests = Object.values(
      template(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource'),
    );
    const binding = manifests
      .map((m: any) => JSON.stringify(m.Properties.Manifest))
      .find((m) => m.includes('TargetGroupBinding'));
    expect(binding).toBeDefined();
    expect(binding).toContain('ingress-nginx-controller');
    // The target health checks reach the controller's /healthz port through the same group.
    expect(binding).toContain('10254');
  });
});

describe('cluster stack (staging: adopts a VPC and a cluster by attributes)', () => {
  it('creates neither a VPC nor a cluster', () => {
    const t = template(STAGING);
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.resourceCountIs('AWS::EKS::Cluster', 0);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
  });
});
