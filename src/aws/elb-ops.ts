/**
 * Elastic Load Balancing v2 reads: the load balancer of a service's target group (what the
 * ALBRequestCountPerTarget metric is labelled with).
 *
 * Loaded with `await import()` only: it imports the ELBv2 client statically.
 */
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { named, ServiceOps } from './ops.js';

export interface LoadBalancerInfo {
  name: string;
  arn: string;
  dnsName: string;
  vpcId?: string;
  securityGroups: string[];
  tags: Record<string, string>;
}

export interface TargetGroupInfo {
  name: string;
  arn: string;
  port?: number;
  targetType?: string;
  healthCheckPath?: string;
  loadBalancers: string[];
  tags: Record<string, string>;
}

export interface ListenerInfo {
  arn: string;
  port?: number;
  /** The target group its default action forwards to. */
  forwardsTo?: string;
}

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export class ElbOps extends ServiceOps<ElasticLoadBalancingV2Client> {
  constructor(client: ElasticLoadBalancingV2Client, endpoint?: string) {
    super(client, 'elasticloadbalancing', endpoint);
  }

  private async tagsOf(arns: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (arns.length === 0) return out;
    const r = await this.call('DescribeTags', () => this.client.send(new DescribeTagsCommand({ ResourceArns: arns })));
    for (const d of r.TagDescriptions ?? []) out.set(d.ResourceArn ?? '', Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])));
    return out;
  }

  async loadBalancer(name: string): Promise<LoadBalancerInfo | undefined> {
    const out = await this.maybe('DescribeLoadBalancers', named('LoadBalancerNotFoundException', 'LoadBalancerNotFound'), () => this.client.send(new DescribeLoadBalancersCommand({ Names: [name] })));
    const lb = out?.LoadBalancers?.[0];
    if (!lb?.LoadBalancerArn) return undefined;
    const tags = await this.tagsOf([lb.LoadBalancerArn]);
    return { name, arn: lb.LoadBalancerArn, dnsName: lb.DNSName ?? '', ...(lb.VpcId ? { vpcId: lb.VpcId } : {}), securityGroups: lb.SecurityGroups ?? [], tags: tags.get(lb.LoadBalancerArn) ?? {} };
  }

  async targetGroup(name: string): Promise<TargetGroupInfo | undefined> {
    const out = await this.maybe('DescribeTargetGroups', named('TargetGroupNotFoundException', 'TargetGroupNotFound'), () => this.client.send(new DescribeTargetGroupsCommand({ Names: [name] })));
    const tg = out?.TargetGroups?.[0];
    if (!tg?.TargetGroupArn) return undefined;
    const tags = await this.tagsOf([tg.TargetGroupArn]);
    return {
      name,
      arn: tg.TargetGroupArn,
      ...(tg.Port !== undefined ? { port: tg.Port } : {}),
      ...(tg.TargetType ? { targetType: tg.TargetType } : {}),
      ...(tg.HealthCheckPath ? { healthCheckPath: tg.HealthCheckPath } : {}),
      loadBalancers: tg.LoadBalancerArns ?? [],
      tags: tags.get(tg.TargetGroupArn) ?? {},
    };
  }

  async listeners(loadBalancerArn: string): Promise<ListenerInfo[]> {
    const out = await this.maybe('DescribeListeners', named('LoadBalancerNotFoundException', 'LoadBalancerNotFound'), () => this.client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn })));
    return (out?.Listeners ?? []).map((l) => ({ arn: l.ListenerArn ?? '', ...(l.Port !== undefined ? { port: l.Port } : {}), ...(l.DefaultActions?.[0]?.TargetGroupArn ? { forwardsTo: l.DefaultActions[0].TargetGroupArn } : {}) }));
  }

  async createLoadBalancer(o: { name: string; subnets: string[]; securityGroups: string[]; tags: Record<string, string> }): Promise<LoadBalancerInfo> {
    const out = await this.call('CreateLoadBalancer', () =>
      this.client.send(new CreateLoadBalancerCommand({ Name: o.name, Subnets: o.subnets, SecurityGroups: o.securityGroups, Scheme: 'internet-facing', Type: 'application', IpAddressType: 'ipv4', Tags: toTags(o.tags) })),
    );
    const lb = out.LoadBalancers![0];
    return { name: o.name, arn: lb.LoadBalancerArn ?? '', dnsName: lb.DNSName ?? '', ...(lb.VpcId ? { vpcId: lb.VpcId } : {}), securityGroups: o.securityGroups, tags: o.tags };
  }

  async createTargetGroup(o: { name: string; port: number; vpcId: string; healthCheckPath: string; tags: Record<string, string> }): Promise<string> {
    const out = await this.call('CreateTargetGroup', () =>
      this.client.send(new CreateTargetGroupCommand({ Name: o.name, Protocol: 'HTTP', Port: o.port, VpcId: o.vpcId, TargetType: 'ip', HealthCheckPath: o.healthCheckPath, HealthCheckProtocol: 'HTTP', Matcher: { HttpCode: '200-399' }, Tags: toTags(o.tags) })),
    );
    return out.TargetGroups![0].TargetGroupArn ?? '';
  }

  async createListener(o: { loadBalancerArn: string; port: number; targetGroupArn: string; tags: Record<string, string> }): Promise<string> {
    const out = await this.call('CreateListener', () =>
      this.client.send(new CreateListenerCommand({ LoadBalancerArn: o.loadBalancerArn, Protocol: 'HTTP', Port: o.port, DefaultActions: [{ Type: 'forward', TargetGroupArn: o.targetGroupArn }], Tags: toTags(o.tags) })),
    );
    return out.Listeners![0].ListenerArn ?? '';
  }

  async deleteListener(arn: string): Promise<boolean> {
    return (await this.maybe('DeleteListener', named('ListenerNotFoundException', 'ListenerNotFound'), () => this.client.send(new DeleteListenerCommand({ ListenerArn: arn })))) !== undefined;
  }

  async deleteTargetGroup(arn: string): Promise<boolean> {
    return (await this.maybe('DeleteTargetGroup', named('TargetGroupNotFoundException', 'TargetGroupNotFound'), () => this.client.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })))) !== undefined;
  }

  async deleteLoadBalancer(arn: string): Promise<boolean> {
    return (await this.maybe('DeleteLoadBalancer', named('LoadBalancerNotFoundException', 'LoadBalancerNotFound'), () => this.client.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })))) !== undefined;
  }

  /** The targets of a target group with their health (healthy, initial, unhealthy, draining, ...). */
  async targetHealth(targetGroupArn: string): Promise<Array<{ id: string; state: string; reason?: string; description?: string }>> {
    const out = await this.call('DescribeTargetHealth', () => this.client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })));
    return (out.TargetHealthDescriptions ?? []).map((d) => ({
      id: d.Target?.Id ?? '',
      state: d.TargetHealth?.State ?? 'unknown',
      ...(d.TargetHealth?.Reason ? { reason: d.TargetHealth.Reason } : {}),
      ...(d.TargetHealth?.Description ? { description: d.TargetHealth.Description } : {}),
    }));
  }

  /** The load balancers a target group is attached to (ARNs); undefined when the group does not exist. */
  async loadBalancersOf(targetGroupArn: string): Promise<string[] | undefined> {
    const out = await this.maybe('DescribeTargetGroups', named('TargetGroupNotFoundException', 'TargetGroupNotFound'), () => this.client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] })));
    return out ? (out.TargetGroups?.[0]?.LoadBalancerArns ?? []) : undefined;
  }
}

/** The client class, for clients.ts. */
export { ElasticLoadBalancingV2Client };
