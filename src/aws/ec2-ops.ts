/**
 * The EC2 reads `task run` and `service create` need for awsvpc tasks: the default VPC's default
 * subnets and its `default` security group (what the course's scripts used), or the `default`
 * security group of the VPC of subnets the user gave.
 *
 * Both answers take ONE round trip: the two describes run concurrently and are joined on the VPC
 * id. DescribeSubnets with `default-for-az=true` returns only default subnets (those exist in the
 * default VPC alone), and DescribeSecurityGroups with `group-name=default` returns one group per
 * VPC of the region (a handful), so neither grows with the account.
 *
 * Loaded with `await import()` only: it imports the EC2 client module statically.
 */
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client, type SecurityGroup, type Subnet } from '@aws-sdk/client-ec2';
import { AwsError } from '../errors.js';
import { ServiceOps } from './ops.js';

export interface DefaultNetwork {
  vpcId: string;
  /** Default subnets, one per availability zone, sorted by zone. */
  subnets: string[];
  securityGroup: string;
}

export class Ec2Ops extends ServiceOps<EC2Client> {
  constructor(client: EC2Client, endpoint?: string) {
    super(client, 'ec2', endpoint);
  }

  private async subnets(filters: { defaultForAz?: boolean; ids?: string[] }): Promise<Subnet[]> {
    const out: Subnet[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call('DescribeSubnets', () =>
        this.client.send(
          new DescribeSubnetsCommand({
            ...(filters.ids ? { SubnetIds: filters.ids } : {}),
            ...(filters.defaultForAz ? { Filters: [{ Name: 'default-for-az', Values: ['true'] }] } : {}),
            NextToken,
          }),
        ),
      );
      out.push(...(page.Subnets ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  private async defaultGroups(): Promise<SecurityGroup[]> {
    const out: SecurityGroup[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call('DescribeSecurityGroups', () =>
        this.client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }], NextToken })),
      );
      out.push(...(page.SecurityGroups ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  /** The default VPC's default subnets and its `default` security group (one round trip). */
  async defaultNetwork(): Promise<DefaultNetwork> {
    const [subnets, groups] = await Promise.all([this.subnets({ defaultForAz: true }), this.defaultGroups()]);
    const usable = subnets.filter((s) => s.DefaultForAz !== false && s.SubnetId && s.VpcId);
    if (usable.length === 0) {
      throw new AwsError(
        'ec2:DescribeSubnets',
        'NoDefaultVpc',
        'This region has no default VPC with default subnets, so ecsprimer cannot choose a network for the awsvpc task: pass --subnets (and --security-groups) of a VPC that can reach the image registry.',
      );
    }
    const vpcId = usable[0].VpcId!;
    const inVpc = usable.filter((s) => s.VpcId === vpcId).sort((a, b) => (a.AvailabilityZone ?? '').localeCompare(b.AvailabilityZone ?? ''));
    const group = groups.find((g) => g.VpcId === vpcId && g.GroupName === 'default');
    if (!group?.GroupId) {
      throw new AwsError(
        'ec2:DescribeSecurityGroups',
        'NoDefaultSecurityGroup',
        `The default VPC ${vpcId} has no security group named "default": pass --security-groups sg-....`,
      );
    }
    return { vpcId, subnets: inVpc.map((s) => s.SubnetId!), securityGroup: group.GroupId };
  }

  /** The `default` security group of the VPC the given subnets are in (one round trip; checks the subnets exist). */
  async defaultGroupForSubnets(subnetIds: string[]): Promise<{ vpcId: string; securityGroup: string }> {
    const [subnets, groups] = await Promise.all([this.subnets({ ids: subnetIds }), this.defaultGroups()]);
    const vpcs = [...new Set(subnets.map((s) => s.VpcId).filter(Boolean))] as string[];
    if (vpcs.length !== 1) {
      throw new AwsError(
        'ec2:DescribeSubnets',
        'SubnetsInSeveralVpcs',
        vpcs.length === 0
          ? `The subnets ${subnetIds.join(', ')} were not found in this region.`
          : `The subnets ${subnetIds.join(', ')} belong to several VPCs (${vpcs.join(', ')}); a task's subnets must all be in one VPC.`,
      );
    }
    const group = groups.find((g) => g.VpcId === vpcs[0] && g.GroupName === 'default');
    if (!group?.GroupId) {
      throw new AwsError('ec2:DescribeSecurityGroups', 'NoDefaultSecurityGroup', `VPC ${vpcs[0]} has no security group named "default": pass --security-groups sg-....`);
    }
    return { vpcId: vpcs[0], securityGroup: group.GroupId };
  }
}
