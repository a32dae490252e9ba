/**
 * The awsvpc network of a task or service: what the user gave, completed the way the course did
 * it — no subnets: the default VPC's default subnets and its "default" security group (with a
 * public IP on Fargate, which needs one to pull public images from those public subnets); subnets
 * but no security groups: the "default" group of their VPC (what AWS itself would use, made
 * explicit). One EC2 round trip at most, run concurrently with the other reads of the command.
 */
import type { Context } from '../context.js';
import type { NetworkChoice } from './inputs.js';

export interface NetworkRequest {
  subnets: string[];
  securityGroups: string[];
  /** --assign-public-ip (true) / --no-assign-public-ip (false) / neither (undefined). */
  assignPublicIp?: boolean;
  launchType?: 'FARGATE' | 'EC2';
}

function ip(v: boolean | undefined): 'ENABLED' | 'DISABLED' | undefined {
  return v === undefined ? undefined : v ? 'ENABLED' : 'DISABLED';
}

/** The network choice without looking anything up (dry run without AWS access). */
export function unknownNetwork(req: NetworkRequest): NetworkChoice {
  return { subnets: req.subnets, securityGroups: req.securityGroups, assignPublicIp: ip(req.assignPublicIp), source: 'unknown' };
}

export async function resolveNetwork(ctx: Context, req: NetworkRequest): Promise<NetworkChoice> {
  if (req.subnets.length === 0) {
    const dn = await (await ctx.ec2()).defaultNetwork();
    const given = req.securityGroups.length > 0;
    return {
      subnets: dn.subnets,
      securityGroups: given ? req.securityGroups : [dn.securityGroup],
      assignPublicIp: req.assignPublicIp === undefined ? (req.launchType === 'FARGATE' ? 'ENABLED' : undefined) : ip(req.assignPublicIp),
      source: 'default-vpc',
      vpcId: dn.vpcId,
      securityGroupsGiven: given,
    };
  }
  if (req.securityGroups.length === 0) {
    const g = await (await ctx.ec2()).defaultGroupForSubnets(req.subnets);
    return { subnets: req.subnets, securityGroups: [g.securityGroup], assignPublicIp: ip(req.assignPublicIp), source: 'default-security-group', vpcId: g.vpcId };
  }
  return { subnets: req.subnets, securityGroups: req.securityGroups, assignPublicIp: ip(req.assignPublicIp), source: 'given' };
}
