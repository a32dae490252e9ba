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
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type SecurityGroup,
  type Subnet,
} from '@aws-sdk/client-ec2';
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

  /** The security group of this name in a VPC, with its tags and ingress rules; undefined when there is none. */
  async securityGroup(vpcId: string, name: string): Promise<{ id: string; tags: Record<string, string>; ingress: Array<{ port?: number; cidrs: string[]; groups: string[] }> } | undefined> {
    const out = await this.call('DescribeSecurityGroups', () => this.client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: [name] }] })));
    const g = out.SecurityGroups?.find((x) => x.GroupName === name);
    if (!g?.GroupId) return undefined;
    return {
      id: g.GroupId,
      tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      ingress: (g.IpPermissions ?? []).map((p) => ({ ...(p.FromPort !== undefined ? { port: p.FromPort } : {}), cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp ?? ''), groups: (p.UserIdGroupPairs ?? []).map((u) => u.GroupId ?? '') })),
    };
  }

  /** A security group by id, with its name, VPC and tags; undefined when there is none. */
  async securityGroupById(id: string): Promise<{ id: string; name: string; vpcId: string; description: string; tags: Record<string, string>; ingress: Array<{ port?: number; cidrs: string[]; groups: string[] }> } | undefined> {
    try {
      const out = await this.client.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
      const g = out.SecurityGroups?.[0];
      return g?.GroupId
        ? {
            id: g.GroupId,
            name: g.GroupName ?? id,
            vpcId: g.VpcId ?? '',
            description: g.Description ?? '',
            tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
            ingress: (g.IpPermissions ?? []).map((p) => ({ ...(p.FromPort !== undefined ? { port: p.FromPort } : {}), cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp ?? ''), groups: (p.UserIdGroupPairs ?? []).map((u) => u.GroupId ?? '') })),
          }
        : undefined;
    } catch (e) {
      if (/InvalidGroup\.NotFound/.test((e as Error).name ?? '')) return undefined;
      return this.call('DescribeSecurityGroups', () => Promise.reject(e));
    }
  }

  /** Creates a security group (tagged) and its one ingress rule: a TCP port from a CIDR or from another group. */
  async createSecurityGroup(o: { name: string; description: string; vpcId: string; tags: Record<string, string>; port: number; from: { cidr: string } | { groups: string[] } }): Promise<string> {
    const made = await this.call('CreateSecurityGroup', () =>
      this.client.send(new CreateSecurityGroupCommand({ GroupName: o.name, Description: o.description, VpcId: o.vpcId, TagSpecifications: [{ ResourceType: 'security-group', Tags: Object.entries(o.tags).map(([Key, Value]) => ({ Key, Value })) }] })),
    );
    const id = made.GroupId ?? '';
    await this.call('AuthorizeSecurityGroupIngress', () =>
      this.client.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: o.port, ToPort: o.port, ...('cidr' in o.from ? { IpRanges: [{ CidrIp: o.from.cidr }] } : { UserIdGroupPairs: o.from.groups.map((GroupId) => ({ GroupId })) }) }],
        }),
      ),
    );
    return id;
  }

  /** Deletes a security group; false when it was gone. DependencyViolation (still in use) is thrown for the caller to retry. */
  async deleteSecurityGroup(id: string): Promise<boolean> {
    try {
      await this.client.send(new DeleteSecurityGroupCommand({ GroupId: id }));
      return true;
    } catch (e) {
      if (/InvalidGroup\.NotFound/.test((e as Error).name ?? '')) return false;
      return this.call('DeleteSecurityGroup', () => Promise.reject(e));
    }
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

  /** A subnet's VPC and whether it gives instances a public IP by default; undefined when it does not exist. */
  async subnet(id: string): Promise<{ id: string; vpcId: string; mapPublicIp: boolean } | undefined> {
    try {
      const [s] = await this.subnets({ ids: [id] });
      return s ? { id, vpcId: s.VpcId ?? '', mapPublicIp: Boolean(s.MapPublicIpOnLaunch) } : undefined;
    } catch (e) {
      if (e instanceof AwsError && /InvalidSubnetID/.test(e.awsCode)) return undefined;
      throw e;
    }
  }

  /**
   * The routes a subnet's traffic takes: its own route table, else its VPC's main one. Each route
   * as destination → target (`igw-…`, `nat-…`, `local`, ...).
   */
  async routesOf(subnetId: string, vpcId: string): Promise<Array<{ destination: string; target: string }>> {
    const out = await this.call('DescribeRouteTables', () => this.client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })));
    const tables = out.RouteTables ?? [];
    const own = tables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId));
    const main = tables.find((t) => (t.Associations ?? []).some((a) => a.Main));
    const table = own ?? main;
    return (table?.Routes ?? []).map((r) => ({
      destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '',
      target: r.GatewayId ?? r.NatGatewayId ?? r.TransitGatewayId ?? r.NetworkInterfaceId ?? r.VpcPeeringConnectionId ?? r.InstanceId ?? '',
    }));
  }

  /** The service names of a VPC's endpoints (com.amazonaws.REGION.ecr.api, ...). */
  async endpointServices(vpcId: string): Promise<string[]> {
    const out = await this.call('DescribeVpcEndpoints', () => this.client.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })));
    return (out.VpcEndpoints ?? []).filter((e) => e.State === undefined || /available|pending/i.test(e.State)).map((e) => e.ServiceName ?? '');
  }

  /** Whether a security group lets the tasks reach HTTPS anywhere (outbound 443 to 0.0.0.0/0). */
  async allowsHttpsOut(groupIds: string[]): Promise<boolean | undefined> {
    if (groupIds.length === 0) return undefined;
    const out = await this.call('DescribeSecurityGroups', () => this.client.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds })));
    return (out.SecurityGroups ?? []).some((g) =>
      (g.IpPermissionsEgress ?? []).some((p) => {
        const anyPort = p.IpProtocol === '-1' || (p.IpProtocol === 'tcp' && (p.FromPort ?? 0) <= 443 && (p.ToPort ?? 65535) >= 443);
        return anyPort && ((p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0') || (p.PrefixListIds ?? []).length > 0);
      }),
    );
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { EC2Client };
