import { Match } from 'aws-cdk-lib/assertions';
import { ENV_NAMES, stacksOf } from './app-model';
import { template } from './assembly';

describe.each(ENV_NAMES)('data stack (%s)', (envName) => {
  const t = () => template(`SponsoredAgents-${envName}-Data`);

  it('runs DocumentDB encrypted, protected from deletion, backed up, with logs exported', () => {
    t().hasResourceProperties('AWS::DocDB::DBCluster', {
      StorageEncrypted: true,
      KmsKeyId: Match.anyValue(),
      DeletionProtection: true,
      BackupRetentionPeriod: Match.anyValue(),
      EnableCloudwatchLogsExports: ['audit', 'profiler'],
      MasterUserPassword: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    const [cluster] = Object.values(t().findResources('AWS::DocDB::DBCluster')) as any[];
    expect(cluster.Properties.BackupRetentionPeriod).toBeGreaterThanOrEqual(7);
    expect(JSON.stringify(cluster.Properties.MasterUserPassword)).toContain('secretsmanager');
  });

  it('requires TLS and audits through the cluster parameter group', () => {
    t().hasResourceProperties('AWS::DocDB::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ tls: 'enabled', audit_logs: 'enabled' }),
    });
  });

  it('has at least two instances, each in a different zone', () => {
    const zones = Object.values(t().findResources('AWS::DocDB::DBInstance')).map(
      (i: any) => i.Properties.AvailabilityZone,
    );
    expect(zones.length).toBeGreaterThanOrEqual(2);
    expect(new Set(zones).size).toBe(zones.length);
    const [group] = Object.values(t().findResources('AWS::DocDB::DBSubnetGroup')) as any[];
    expect(group.Properties.SubnetIds).toHaveLength(3);
  });

  it('opens 27017 to the pod security group only', () => {
    const ingress = Object.values(t().findResources('AWS::EC2::SecurityGroupIngress')).map(
      (r: any) => r.Properties,
    );
    const docdb = ingress.filter((r) => r.FromPort === 27017);
    expect(docdb).toHaveLength(1);
    expect(docdb[0].SourceSecurityGroupId).toBeDefined();
    expect(docdb[0].CidrIp).toBeUndefined();
    const https = ingress.filter((r) => r.FromPort === 443);
    expect(https).toHaveLength(1);
    expect(https[0].SourceSecurityGroupId).toBeDefined();
    expect(JSON.stringify(t().toJSON())).not.toContain('0.0.0.0/0');
  });

  it('opens the domain to the Client VPN subnets (staff: Dashboards, role mappings), HTTPS only', () => {
    const vpnCidrs = stacksOf(envName).cluster.vpnSubnets.map((s) => s.ipv4CidrBlock);
    const [search] = Object.values(t().findResources('AWS::EC2::SecurityGroup')).filter((g: any) =>
      String(g.Properties.GroupDescription).startsWith('OpenSearch'),
    ) as any[];
    const fromCidrs = (search.Properties.SecurityGroupIngress ?? []) as any[];
    expect(fromCidrs.map((r) => [r.CidrIp, r.FromPort, r.ToPort])).toEqual(
      vpnCidrs.map((cidr) => [cidr, 443, 443]),
    );
  });

  it('runs OpenSearch in the VPC over 3 zones, encrypted, HTTPS with TLS 1.2, fine-grained access control', () => {
    t().hasResourceProperties('AWS::OpenSearchService::Domain', {
      VPCOptions: Match.objectLike({
        SubnetIds: Match.anyValue(),
        SecurityGroupIds: Match.anyValue(),
      }),
      ClusterConfig: Match.objectLike({
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
        DedicatedMasterEnabled: true,
      }),
      EncryptionAtRestOptions: Match.objectLike({ Enabled: true }),
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: Match.objectLike({
        EnforceHTTPS: true,
        TLSSecurityPolicy: Match.stringLikeRegexp('Policy-Min-TLS-1-2'),
      }),
      AdvancedSecurityOptions: Match.objectLike({
        Enabled: true,
        InternalUserDatabaseEnabled: false,
        MasterUserOptions: { MasterUserARN: Match.stringLikeRegexp('^arn:aws:iam::') },
      }),
      LogPublishingOptions: {
        SEARCH_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        INDEX_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        ES_APPLICATION_LOGS: Match.objectLike({ Enabled: true }),
        AUDIT_LOGS: Match.objectLike({ Enabled: true }),
      },
    });
  });

  it('names only the pod roles and the master user in the domain access policy', () => {
    const [domain] = Object.values(t().findResources('AWS::OpenSearchService::Domain')) as any[];
    const [statement, ...rest] = domain.Properties.AccessPolicies.Statement;
    expect(rest).toEqual([]);
    expect(statement.Principal.AWS).toHaveLength(3);
    expect(JSON.stringify(statement.Principal)).not.toContain('"*"');
  });
});
