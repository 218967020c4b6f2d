import { template } from './assembly';

describe('cluster stack', () => {
  it('spreads the VPC over three availability zones', () => {
    const t = template('SponsoredAgents-production-Cluster');
    const azs = Object.values(t.findResources('AWS::EC2::Subnet')).map(
      (s) => (s as { Properties: { AvailabilityZone: string } }).Properties.AvailabilityZone,
    );
    expect(new Set(azs)).toEqual(new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']));
  });
});
