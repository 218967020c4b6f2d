import * as cdk from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { EnvironmentConfig } from '../config';
import { ClusterStack } from './cluster-stack';

export interface EnvironmentStacks {
  readonly cluster: ClusterStack;
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

/** Instantiates every stack of every environment in `app`. */
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
    // new ObservabilityStack(app, `${prefix}-Observability`, {
    //   env, config, cluster: cluster.cluster, originNlb: cluster.originNlb,
    //   distribution: edge.distribution, docdb: data.docdb, searchDomain: data.searchDomain,
    // });
    result.set(config.envName, { cluster });
  }
  return result;
}
