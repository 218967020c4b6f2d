import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Where the runbooks are: a section of docs/deploy.md per alarm. */
export const RUNBOOK_DOC = 'docs/deploy.md';

/** The GitHub-style anchor of a markdown heading. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** One alarm: what an operator pages about, and where its runbook is. */
export interface AlarmSpec {
  /**
   * The alarm's key: its CloudWatch name is `<env>-<key>`. For the service's signals it is the
   * PrometheusRule alert's name, so both point at the same runbook section.
   */
  readonly key: string;
  /** The runbook's heading in docs/deploy.md (`Alert: <name>` or `Alarm: <name>`). */
  readonly runbookHeading: string;
  /** One line: what is wrong. */
  readonly summary: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  /** Default: every evaluated period must breach. */
  readonly datapointsToAlarm?: number;
  /** Default: missing data is not breaching (a quiet service is not an outage). */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/**
 * Makes the alarms of one stack from specs: the name, the description with its runbook link, and
 * the topic as alarm and OK action are decided here, once, so no alarm can miss them.
 */
export class AlarmFactory extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: {
      readonly envName: string;
      readonly topic: sns.ITopic;
      /** Prefix of the runbook link: a repository browser URL or the repository path. */
      readonly runbookBase?: string;
    },
  ) {
    super(scope, id);
  }

  alarmName(key: string): string {
    return `${this.props.envName}-${key}`;
  }

  runbookUrl(spec: Pick<AlarmSpec, 'runbookHeading'>): string {
    return `${this.props.runbookBase ?? RUNBOOK_DOC}#${anchorOf(spec.runbookHeading)}`;
  }

  add(spec: AlarmSpec): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, spec.key, {
      alarmName: this.alarmName(spec.key),
      alarmDescription: `${spec.summary} Runbook: ${this.runbookUrl(spec)}`,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
      treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new actions.SnsAction(this.props.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }

  addAll(specs: readonly AlarmSpec[]): cloudwatch.Alarm[] {
    return specs.map((s) => this.add(s));
  }
}

/**
 * Periods of `windowMinutes` an alarm evaluates for a PromQL condition over a `[window]` range
 * that must hold `for` minutes: the breaching data spans window + for minutes.
 */
export function periodsFor(windowMinutes: number, forMinutes: number): number {
  return Math.max(1, Math.ceil((windowMinutes + forMinutes) / windowMinutes));
}

export const minutes = (n: number): cdk.Duration => cdk.Duration.minutes(n);
