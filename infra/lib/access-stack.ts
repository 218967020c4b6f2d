import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { encryptedLogGroup, logsKey } from './log-key';

export interface AccessStackProps extends cdk.StackProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  /** Subnets the endpoint is associated with; clients are source-NATed to addresses in them. */
  readonly vpnSubnets: ec2.ISubnet[];
}

/** The Amazon-provided DNS resolver of a VPC: its base address + 2. */
export function vpcResolver(vpcCidr: string): string {
  const [base] = vpcCidr.split('/');
  const n = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0) + 2;
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/**
 * The staff's way in: an AWS Client VPN endpoint associated with private subnets, authorized to
 * the VPC only, split tunnel, connection logging on.
 */
export class AccessStack extends cdk.Stack {
  readonly endpoint: ec2.ClientVpnEndpoint;
  /**
   * What the chart's `ingress.admin.vpnCidrs` must hold: a VPC-associated Client VPN endpoint
   * source-NATs clients to its network interfaces in the associated subnets.
   */
  readonly vpnCidrs: string[];

  constructor(scope: Construct, id: string, props: AccessStackProps) {
    super(scope, id, props);
    const { config, vpc } = props;
    const vpcCidr = config.network.vpcCidr;
    const sg = new ec2.SecurityGroup(this, 'VpnSecurityGroup', {
      vpc,
      description: 'Client VPN: HTTPS (and the redirect) to the VPC, DNS to the VPC resolver',
      allowAllOutbound: false,
    });
    sg.addEgressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcp(443), 'admin Ingress (internal NLB)');
    sg.addEgressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcp(80), 'HTTP to HTTPS redirect');
    const resolver = vpcResolver(vpcCidr);
    sg.addEgressRule(ec2.Peer.ipv4(`${resolver}/32`), ec2.Port.udp(53), 'VPC resolver');
    sg.addEgressRule(ec2.Peer.ipv4(`${resolver}/32`), ec2.Port.tcp(53), 'VPC resolver');

    const auth = config.vpn.authentication;
    this.endpoint = new ec2.ClientVpnEndpoint(this, 'Endpoint', {
      vpc,
      description: `sponsored-agents ${config.envName} staff access`,
      cidr: config.vpn.clientCidr,
      serverCertificateArn: config.vpn.serverCertificateArn,
      ...(auth.type === 'mutual-tls'
        ? { clientCertificateArn: auth.clientRootCertificateArn }
        : {
            userBasedAuthentication: ec2.ClientVpnUserBasedAuthentication.federated(
              iam.SamlProvider.fromSamlProviderArn(this, 'IdP', auth.samlProviderArn),
            ),
          }),
      vpcSubnets: { subnets: props.vpnSubnets },
      securityGroups: [sg],
      splitTunnel: true,
      dnsServers: [resolver],
      logging: true,
      logGroup: encryptedLogGroup(this, 'ConnectionLogs', logsKey(this), {
        retention: logs.RetentionDays.ONE_YEAR,
      }),
      // The VPC only, never 0.0.0.0/0: added below as an explicit rule.
      authorizeAllUsersToVpcCidr: false,
      sessionTimeout: ec2.ClientVpnSessionTimeout.TEN_HOURS,
    });
    this.endpoint.addAuthorizationRule('Vpc', { cidr: vpcCidr, description: 'the VPC only' });
    this.vpnCidrs = props.vpnSubnets.map((s) => s.ipv4CidrBlock);
    new cdk.CfnOutput(this, 'VpnEndpointId', { value: this.endpoint.endpointId });
    new cdk.CfnOutput(this, 'VpnCidrs', { value: this.vpnCidrs.join(',') });
  }
}
