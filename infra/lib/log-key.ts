import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * A KMS key for a stack's CloudWatch log groups: the Logs service of the stack's region may use
 * it for log groups of this account only (the encryption context names the log group).
 */
export function logsKey(scope: Construct): kms.Key {
  const stack = cdk.Stack.of(scope);
  const key = new kms.Key(scope, 'LogsKey', {
    enableKeyRotation: true,
    description: 'CloudWatch Logs encryption',
  });
  allowLogsToUse(key, `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`);
  return key;
}

/**
 * Lets the CloudWatch Logs service of the key's region use `key` for the log groups that
 * `logGroupArns` (an ARN pattern) names: the encryption context carries the log group's ARN.
 */
export function allowLogsToUse(key: kms.IKey, logGroupArns: string, sid?: string): void {
  const stack = cdk.Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      ...(sid ? { sid } : {}),
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: [
        'kms:Encrypt*',
        'kms:Decrypt*',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
        'kms:Describe*',
      ],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArns } },
    }),
  );
}

/** A log group encrypted with `key`. */
export function encryptedLogGroup(
  scope: Construct,
  id: string,
  key: kms.IKey,
  props: Omit<logs.LogGroupProps, 'encryptionKey'> = {},
): logs.LogGroup {
  return new logs.LogGroup(scope, id, { ...props, encryptionKey: key });
}
