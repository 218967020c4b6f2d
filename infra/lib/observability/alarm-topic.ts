import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/**
 * The alarm topic of one region, encrypted with a key of its own that CloudWatch may use to
 * publish (an alarm cannot publish to a topic under the AWS-managed SNS key).
 */
export class AlarmTopic extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { envName: string; emails: readonly string[] }) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `${props.envName}: alarm topic and metric log group`,
      enableKeyRotation: true,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `sponsored-agents ${props.envName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}
