import * as cdk from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { EnvironmentConfig } from '../config';
import { AccessStack } from './access-stack';
import { ClusterStack } from './cluster-stack';
import { DataStack } from './data-stack';
import { EdgeStack } from './edge-stack';
import { IdentityStack } from './identity-stack';
import { ObservabilityStack } from './observability-stack';
import { WafStack } from './waf-stack';

export interface EnvironmentStacks {
  readonly config: EnvironmentConfig;
  readonly cluster: ClusterStack;
  readonly waf?: WafStack;
  readonly edge: EdgeStack;
  readonly identity: IdentityStack;
  readonly data: DataStack;
  readonly access: AccessStack;
  readonly observability: ObservabilityStack;
}

/** The app with the feature flags the stacks are written for (cdk.json is not read by tests). */
export function newApp(props: cdk.AppProps = {}): cdk.App {
  return new cdk.App({
    ...props,
    context: {
      // IAM OIDC provider as a native resource rather than a Lambda-backed custom resource.
      '@aws-cdk/aws-eks:useNativeOidcProvider': true,
      ...props.context,
    },
  });
}

/**
 * Instantiates every stack of every environment in `app`, in deployment order: cluster, WAF
 * (us-east-1), edge, identity, data, access, observability. Stack names:
 * `SponsoredAgents-<env>-<Part>`.
 */
export function buildApp(
  app: cdk.App,
  configs: readonly EnvironmentConfig[],
): Map<string, EnvironmentStacks> {
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const result = new Map<string, EnvironmentStacks>();
  for (const config of configs) {
    const env = { account: config.account, region: config.region };
    const prefix = `SponsoredAgents-${config.envName}`;
    const cluster = new ClusterStack(app, `${prefix}-Cluster`, { env, config });
    const waf = config.edge.webAclArn
      ? undefined
      : new WafStack(app, `${prefix}-Waf`, {
          env: { account: config.account, region: 'us-east-1' },
          crossRegionReferences: true,
          config,
        });
    const edge = new EdgeStack(app, `${prefix}-Edge`, {
      env,
      config,
      crossRegionReferences: waf !== undefined,
      originNlb: cluster.originNlb,
      originPort: cluster.originPort,
      webAclArn: config.edge.webAclArn ?? waf!.webAclArn,
    });
    const identity = new IdentityStack(app, `${prefix}-Identity`, {
      env,
      config,
      cluster: cluster.cluster,
      distribution: edge.distribution,
    });
    const data = new DataStack(app, `${prefix}-Data`, {
      env,
      config,
      vpc: cluster.vpc,
      dataSubnets: cluster.dataSubnets,
      podSecurityGroup: cluster.podSecurityGroup,
      staffCidrs: cluster.vpnSubnets.map((s) => s.ipv4CidrBlock),
      searchReaderRole: identity.serviceRole,
      searchWriterRole: identity.shipperRole,
    });
    const access = new AccessStack(app, `${prefix}-Access`, {
      env,
      config,
      vpc: cluster.vpc,
      vpnSubnets: cluster.vpnSubnets,
    });
    const observability = new ObservabilityStack(app, `${prefix}-Observability`, {
      env,
      config,
      cluster: cluster.cluster,
      originNlb: cluster.originNlb,
      distribution: edge.distribution,
      docdb: data.docdb,
      searchDomain: data.searchDomain,
    });
    result.set(config.envName, {
      config,
      cluster,
      waf,
      edge,
      identity,
      data,
      access,
      observability,
    });
  }
  return result;
}
