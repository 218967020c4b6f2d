import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on a construct (cdk-nag 3 uses CDK's native Validations).
 * Findings with a detail are acknowledged one by one: `AwsSolutions-IAM5[Resource::...]`.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges several findings of one kind, for the same reason. */
export function acknowledgeAll(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) acknowledge(scope, id, reason);
}

/** The finding id of an AWS managed policy attached to a role (AwsSolutions-IAM4). */
export function managedPolicy(name: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
}
