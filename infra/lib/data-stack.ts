import * as cdk from 'aws-cdk-lib';
import * as docdb from 'aws-cdk-lib/aws-docdb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { searchDomainArn, searchDomainName } from './names';
import { encryptedLogGroup, logsKey } from './log-key';
import { acknowledge } from './nag';

export interface DataStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  /** Private subnets without a route out, one per AZ. */
  readonly dataSubnets: ec2.ISubnet[];
  /** The security group the pods carry: the only source admitted to the database and the domain. */
  readonly podSecurityGroup: ec2.ISecurityGroup;
  /**
   * The Client VPN's subnets (clients are source-NATed to them): staff reach the domain's HTTPS
   * endpoint from there (Dashboards, the role mappings, the saved objects import).
   */
  readonly staffCidrs: string[];
  /** Roles allowed by the domain's access policy; fine-grained access control maps them further. */
  readonly searchReaderRole: iam.IRole;
  readonly searchWriterRole: iam.IRole;
}

/** DocumentDB port (the chart's `networkPolicy.egress.documentdb.port`). */
export const DOCUMENTDB_PORT = 27017;

/** DocumentDB (the pages store) and the OpenSearch domain (the logs). */
export class DataStack extends cdk.Stack {
  readonly docdb: docdb.DatabaseCluster;
  readonly searchDomain: opensearch.Domain;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const key = new kms.Key(this, 'DataKey', {
      enableKeyRotation: true,
      description: 'DocumentDB and OpenSearch storage encryption',
    });
    const logKey = logsKey(this);
    this.docdb = this.documentDb(props, key, logKey);
    this.searchDomain = this.openSearch(props, key, logKey);
    new cdk.CfnOutput(this, 'DocumentDbEndpoint', { value: this.docdb.clusterEndpoint.hostname });
    // The construct always makes the master secret when no password is given.
    new cdk.CfnOutput(this, 'DocumentDbSecretArn', { value: this.docdb.secret!.secretArn });
    new cdk.CfnOutput(this, 'OpenSearchEndpoint', { value: this.searchDomain.domainEndpoint });
  }

  private documentDb(
    props: DataStackProps,
    key: kms.IKey,
    logKey: kms.IKey,
  ): docdb.DatabaseCluster {
    const { config } = props;
    const parameterGroup = new docdb.ClusterParameterGroup(this, 'DocDbParameters', {
      family: `docdb${config.documentdb.engineVersion.split('.')[0]}.0`,
      description: 'TLS required, audit and profiler logs on',
      parameters: {
        tls: 'enabled',
        audit_logs: 'enabled',
        profiler: 'enabled',
        profiler_threshold_ms: '100',
      },
    });
    const sg = new ec2.SecurityGroup(this, 'DocDbSecurityGroup', {
      vpc: props.vpc,
      description: 'DocumentDB: the pods only',
      allowAllOutbound: false,
    });
    const clusterName = `sponsored-agents-${config.envName}`;
    // Log groups made here, with their retention, rather than by the construct's LogRetention
    // custom resource (a Lambda with a wildcard policy).
    const exportLogs = ['audit', 'profiler'].map((kind) =>
      encryptedLogGroup(this, `DocDb${kind}Logs`, logKey, {
        logGroupName: `/aws/docdb/${clusterName}/${kind}`,
        retention: logs.RetentionDays.THREE_MONTHS,
        removalPolicy: cdk.RemovalPolicy.RETAIN,
      }),
    );
    const cluster = new docdb.DatabaseCluster(this, 'DocDb', {
      dbClusterName: clusterName,
      engineVersion: config.documentdb.engineVersion,
      masterUser: {
        username: 'sponsored',
        secretName: `sponsored-agents/${config.envName}/documentdb`,
        kmsKey: key,
      },
      instanceType: new ec2.InstanceType(config.documentdb.instanceType),
      instances: config.documentdb.instances,
      vpc: props.vpc,
      vpcSubnets: { subnets: props.dataSubnets },
      securityGroup: sg,
      parameterGroup,
      storageEncrypted: true,
      kmsKey: key,
      deletionProtection: true,
      removalPolicy: cdk.RemovalPolicy.SNAPSHOT,
      backup: { retention: cdk.Duration.days(config.documentdb.backupRetentionDays) },
      exportAuditLogsToCloudWatch: true,
      exportProfilerLogsToCloudWatch: true,
      caCertificate: docdb.CaCertificate.RDS_CA_RSA2048_G1,
      copyTagsToSnapshot: true,
    });
    for (const g of exportLogs) cluster.node.addDependency(g);
    // One instance per zone, in the config's order, rather than wherever DocumentDB puts them: a
    // zone outage must leave a replica to promote.
    cluster.node
      .findAll()
      .filter((c): c is docdb.CfnDBInstance => c instanceof docdb.CfnDBInstance)
      .forEach((instance, i) => {
        instance.availabilityZone = config.availabilityZones[i % config.availabilityZones.length];
      });
    cluster.connections.allowFrom(props.podSecurityGroup, ec2.Port.tcp(DOCUMENTDB_PORT), 'pods');
    acknowledge(
      cluster,
      'AwsSolutions-DOC3',
      'No rotation: the pods read MONGODB_URI from a Kubernetes Secret once at start, so a rotation would break running pods; rotate by the procedure in docs/deploy.md.',
    );
    acknowledge(
      cluster,
      'AwsSolutions-DOC2',
      "The default port 27017: the security group admits the pods only, and the chart's NetworkPolicy names the port; another number hides nothing.",
    );
    for (const event of ['authenticate', 'createIndex', 'dropCollection']) {
      acknowledge(
        cluster,
        `AwsSolutions-DOC5[LogExport::${event}]`,
        `${event} events are part of the audit log (audit_logs enabled in the parameter group), which is exported; DocumentDB has no export type of that name.`,
      );
    }
    acknowledge(
      cluster,
      'AwsSolutions-SMG4',
      'No automatic rotation, for the reason of AwsSolutions-DOC3 on the same cluster.',
    );
    return cluster;
  }

  private openSearch(props: DataStackProps, key: kms.IKey, logKey: kms.IKey): opensearch.Domain {
    const { config } = props;
    const o = config.opensearch;
    const sg = new ec2.SecurityGroup(this, 'SearchSecurityGroup', {
      vpc: props.vpc,
      description: 'OpenSearch: HTTPS from the pods and the Client VPN only',
      allowAllOutbound: false,
    });
    sg.addIngressRule(props.podSecurityGroup, ec2.Port.tcp(443), 'service and Fluent Bit pods');
    for (const cidr of props.staffCidrs)
      sg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'staff over the Client VPN');
    const logGroup = (name: string) =>
      encryptedLogGroup(this, `Search${name}Logs`, logKey, {
        logGroupName: `/aws/opensearch/${searchDomainName(config)}/${name.toLowerCase()}`,
        retention: o.cloudWatchLogRetentionDays as logs.RetentionDays,
        removalPolicy: cdk.RemovalPolicy.RETAIN,
      });
    const slowSearch = logGroup('SlowSearch');
    const slowIndex = logGroup('SlowIndex');
    const app = logGroup('Error');
    const audit = logGroup('Audit');
    // The service principal writes the four log groups; a native resource policy replaces the
    // Lambda-backed custom resource the construct would otherwise add.
    new logs.ResourcePolicy(this, 'SearchLogsPolicy', {
      resourcePolicyName: `${searchDomainName(config)}-logs`,
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:PutLogEvents', 'logs:CreateLogStream'],
          resources: [slowSearch, slowIndex, app, audit].map((g) => `${g.logGroupArn}:*`),
          conditions: { StringEquals: { 'aws:SourceAccount': config.account } },
        }),
      ],
    });
    const domain = new opensearch.Domain(this, 'Search', {
      domainName: searchDomainName(config),
      version: opensearch.EngineVersion.openSearch(o.engineVersion),
      vpc: props.vpc,
      vpcSubnets: [{ subnets: props.dataSubnets }],
      securityGroups: [sg],
      zoneAwareness: { enabled: true, availabilityZoneCount: 3 },
      capacity: {
        dataNodes: o.dataNodes,
        dataNodeInstanceType: o.dataNodeInstanceType,
        masterNodes: 3,
        masterNodeInstanceType: o.masterNodeInstanceType,
        multiAzWithStandbyEnabled: false,
      },
      ebs: { volumeSize: o.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: { masterUserArn: o.masterUserArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: slowSearch,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: slowIndex,
        appLogEnabled: true,
        appLogGroup: app,
        auditLogEnabled: true,
        auditLogGroup: audit,
      },
      suppressLogsResourcePolicy: true,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
      enableAutoSoftwareUpdate: true,
    });
    // Access policy as a plain property (the construct's accessPolicies prop adds a Lambda-backed
    // custom resource): the two pod roles and the master user may send HTTP requests; fine-grained
    // access control decides what each may do (role mappings: docs/deploy.md).
    const cfn = domain.node.defaultChild as opensearch.CfnDomain;
    cfn.accessPolicies = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            AWS: [props.searchReaderRole.roleArn, props.searchWriterRole.roleArn, o.masterUserArn],
          },
          Action: 'es:ESHttp*',
          Resource: `${searchDomainArn(config)}/*`,
        },
      ],
    };
    acknowledge(
      domain,
      'AwsSolutions-OS3',
      'The domain has no public endpoint: it sits in the data subnets behind a security group that admits the pods only, and its access policy names three IAM principals.',
    );
    return domain;
  }
}
