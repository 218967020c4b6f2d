import * as cdk from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config';
import { ClusterStack } from './cluster-stack';

export interface EnvironmentStacks {
  readonly cluster: ClusterStack;
}

/** Instantiates every stack of every environment in `app`. */
export function buildApp(
  app: cdk.App,
  configs: readonly EnvironmentConfig[],
): Map<string, EnvironmentStacks> {
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
