/**
 * Elastic Load Balancing v2 reads: the load balancer of a service's target group (what the
 * ALBRequestCountPerTarget metric is labelled with).
 *
 * Loaded with `await import()` only: it imports the ELBv2 client statically.
 */
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { named, ServiceOps } from './ops.js';

export class ElbOps extends ServiceOps<ElasticLoadBalancingV2Client> {
  constructor(client: ElasticLoadBalancingV2Client, endpoint?: string) {
    super(client, 'elasticloadbalancing', endpoint);
  }

  /** The load balancers a target group is attached to (ARNs); undefined when the group does not exist. */
  async loadBalancersOf(targetGroupArn: string): Promise<string[] | undefined> {
    const out = await this.maybe('DescribeTargetGroups', named('TargetGroupNotFoundException', 'TargetGroupNotFound'), () => this.client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] })));
    return out ? (out.TargetGroups?.[0]?.LoadBalancerArns ?? []) : undefined;
  }
}

/** The client class, for clients.ts. */
export { ElasticLoadBalancingV2Client };
