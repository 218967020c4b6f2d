import { ENV_NAMES, stacksOf } from './app-model';
import { template } from './assembly';

describe.each(ENV_NAMES)('access stack (%s)', (envName) => {
  const t = () => template(`SponsoredAgents-${envName}-Access`);

  it('runs a split-tunnel Client VPN endpoint with connection logging', () => {
    const [endpoint] = Object.values(t().findResources('AWS::EC2::ClientVpnEndpoint')) as any[];
    expect(endpoint.Properties.SplitTunnel).toBe(true);
    expect(endpoint.Properties.ConnectionLogOptions.Enabled).toBe(true);
    expect(endpoint.Properties.ConnectionLogOptions.CloudwatchLogGroup).toBeDefined();
    const auth = endpoint.Properties.AuthenticationOptions.map((o: any) => o.Type);
    expect(auth).toEqual([
      stacksOf(envName).config.vpn.authentication.type === 'saml'
        ? 'federated-authentication'
        : 'certificate-authentication',
    ]);
  });

  it('authorizes the VPC CIDR only, never 0.0.0.0/0', () => {
    const rules = Object.values(t().findResources('AWS::EC2::ClientVpnAuthorizationRule')).map(
      (r: any) => r.Properties.TargetNetworkCidr,
    );
    expect(rules).toEqual([stacksOf(envName).config.network.vpcCidr]);
    t().resourceCountIs('AWS::EC2::ClientVpnRoute', 0);
    // Its network interfaces send only to the VPC (HTTPS, the redirect, DNS), not anywhere.
    const [sg] = Object.values(t().findResources('AWS::EC2::SecurityGroup')) as any[];
    const egress = sg.Properties.SecurityGroupEgress.map((r: any) => r.CidrIp);
    expect(egress.length).toBeGreaterThan(0);
    expect(egress).not.toContain('0.0.0.0/0');
  });

  it("associates the endpoint with the subnets whose CIDRs become the chart's vpnCidrs", () => {
    const { access, cluster } = stacksOf(envName);
    t().resourceCountIs('AWS::EC2::ClientVpnTargetNetworkAssociation', cluster.vpnSubnets.length);
    expect(cluster.vpnSubnets.length).toBeGreaterThanOrEqual(2);
    expect(access.vpnCidrs).toEqual(cluster.vpnSubnets.map((s) => s.ipv4CidrBlock));
    for (const cidr of access.vpnCidrs) expect(cidr).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
  });
});
