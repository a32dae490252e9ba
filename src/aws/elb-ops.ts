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
  CreateRuleCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  type Action,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { named, ServiceOps } from './ops.js';

export interface LoadBalancerInfo {
  name: string;
  arn: string;
  dnsName: string;
  /** application, network or gateway. */
  type?: string;
  vpcId?: string;
  scheme?: string;
  subnets?: string[];
  securityGroups: string[];
  tags: Record<string, string>;
}

export interface TargetGroupInfo {
  name: string;
  arn: string;
  vpcId?: string;
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
  /** Its default action answers 404 itself (a listener made for rules). */
  fixedResponse?: boolean;
}

export interface RuleInfo {
  arn: string;
  /** A number, or "default" for the listener's default rule. */
  priority: string;
  isDefault: boolean;
  pathPatterns: string[];
  /** Its forward action's target groups and their weights (one group: weight 1). */
  forwards: Array<{ targetGroupArn: string; weight: number }>;
}

/** Where a rule's (or listener's) forward action sends requests: one group, or weighted groups. */
export function forwardsOf(actions: Action[] | undefined): Array<{ targetGroupArn: string; weight: number }> {
  const forward = (actions ?? []).find((a) => a.Type === 'forward');
  if (!forward) return [];
  const weighted = forward.ForwardConfig?.TargetGroups ?? [];
  if (weighted.length) return weighted.map((t) => ({ targetGroupArn: t.TargetGroupArn ?? '', weight: t.Weight ?? 1 }));
  return forward.TargetGroupArn ? [{ targetGroupArn: forward.TargetGroupArn, weight: 1 }] : [];
}

/** A forward action: to one target group, or weighted over several. */
export function forwardAction(to: Array<{ targetGroupArn: string; weight: number }>): Action {
  return to.length === 1
    ? { Type: 'forward', TargetGroupArn: to[0].targetGroupArn }
    : { Type: 'forward', ForwardConfig: { TargetGroups: to.map((t) => ({ TargetGroupArn: t.targetGroupArn, Weight: t.weight })) } };
}

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export class ElbOps extends ServiceOps<ElasticLoadBalancingV2Client> {
  constructor(client: ElasticLoadBalancingV2Client, endpoint?: string) {
    super(client, 'elasticloadbalancing', endpoint);
  }

  /** The tags of ELBv2 resources (load balancers, target groups, listeners, rules), by ARN. */
  async tagsOf(arns: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (arns.length === 0) return out;
    const r = await this.call('DescribeTags', () => this.client.send(new DescribeTagsCommand({ ResourceArns: arns })));
    for (const d of r.TagDescriptions ?? []) out.set(d.ResourceArn ?? '', Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])));
    return out;
  }

  /**
   * A load balancer by its name, or by its ARN (a name never starts with "arn:"). `tags: false`
   * skips the second request (DescribeTags) where no ownership is checked.
   */
  async loadBalancer(nameOrArn: string, o: { tags?: boolean } = {}): Promise<LoadBalancerInfo | undefined> {
    const byArn = nameOrArn.startsWith('arn:');
    const out = await this.maybe('DescribeLoadBalancers', named('LoadBalancerNotFoundException', 'LoadBalancerNotFound'), () =>
      this.client.send(new DescribeLoadBalancersCommand(byArn ? { LoadBalancerArns: [nameOrArn] } : { Names: [nameOrArn] })),
    );
    const lb: LoadBalancer | undefined = out?.LoadBalancers?.[0];
    if (!lb?.LoadBalancerArn) return undefined;
    const tags = o.tags === false ? new Map<string, Record<string, string>>() : await this.tagsOf([lb.LoadBalancerArn]);
    return {
      name: lb.LoadBalancerName ?? nameOrArn,
      arn: lb.LoadBalancerArn,
      dnsName: lb.DNSName ?? '',
      ...(lb.Type ? { type: lb.Type } : {}),
      ...(lb.VpcId ? { vpcId: lb.VpcId } : {}),
      ...(lb.Scheme ? { scheme: lb.Scheme } : {}),
      subnets: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? '').filter(Boolean),
      securityGroups: lb.SecurityGroups ?? [],
      tags: tags.get(lb.LoadBalancerArn) ?? {},
    };
  }

  /** A target group by its name, or by its ARN; `tags: false` as for loadBalancer. */
  async targetGroup(nameOrArn: string, o: { tags?: boolean } = {}): Promise<TargetGroupInfo | undefined> {
    const byArn = nameOrArn.startsWith('arn:');
    const out = await this.maybe('DescribeTargetGroups', named('TargetGroupNotFoundException', 'TargetGroupNotFound'), () =>
      this.client.send(new DescribeTargetGroupsCommand(byArn ? { TargetGroupArns: [nameOrArn] } : { Names: [nameOrArn] })),
    );
    const tg = out?.TargetGroups?.[0];
    if (!tg?.TargetGroupArn) return undefined;
    const tags = o.tags === false ? new Map<string, Record<string, string>>() : await this.tagsOf([tg.TargetGroupArn]);
    return {
      name: tg.TargetGroupName ?? nameOrArn,
      ...(tg.VpcId ? { vpcId: tg.VpcId } : {}),
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
    return (out?.Listeners ?? []).map((l) => ({
      arn: l.ListenerArn ?? '',
      ...(l.Port !== undefined ? { port: l.Port } : {}),
      ...(l.DefaultActions?.[0]?.TargetGroupArn ? { forwardsTo: l.DefaultActions[0].TargetGroupArn } : {}),
      ...(l.DefaultActions?.[0]?.Type === 'fixed-response' ? { fixedResponse: true } : {}),
    }));
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

  /** An HTTP listener forwarding to the target group, or (no group) answering 404 to what no rule takes. */
  async createListener(o: { loadBalancerArn: string; port: number; targetGroupArn?: string; tags: Record<string, string> }): Promise<string> {
    const action: Action = o.targetGroupArn
      ? { Type: 'forward', TargetGroupArn: o.targetGroupArn }
      : { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' } };
    const out = await this.call('CreateListener', () =>
      this.client.send(new CreateListenerCommand({ LoadBalancerArn: o.loadBalancerArn, Protocol: 'HTTP', Port: o.port, DefaultActions: [action], Tags: toTags(o.tags) })),
    );
    return out.Listeners![0].ListenerArn ?? '';
  }

  /** The rules of a listener, its default rule included. */
  async rules(listenerArn: string): Promise<RuleInfo[]> {
    const out = await this.maybe('DescribeRules', named('ListenerNotFoundException', 'ListenerNotFound'), () => this.client.send(new DescribeRulesCommand({ ListenerArn: listenerArn })));
    return (out?.Rules ?? []).map((r) => ({
      arn: r.RuleArn ?? '',
      priority: r.Priority ?? '',
      isDefault: r.IsDefault === true,
      pathPatterns: (r.Conditions ?? []).filter((c) => c.Field === 'path-pattern').flatMap((c) => c.PathPatternConfig?.Values ?? c.Values ?? []),
      forwards: forwardsOf(r.Actions),
    }));
  }

  /** One rule, by its ARN (undefined when it is gone). */
  async rule(arn: string): Promise<RuleInfo | undefined> {
    const out = await this.maybe('DescribeRules', named('RuleNotFoundException', 'RuleNotFound', 'ListenerNotFoundException'), () => this.client.send(new DescribeRulesCommand({ RuleArns: [arn] })));
    const r = out?.Rules?.[0];
    return r ? { arn: r.RuleArn ?? arn, priority: r.Priority ?? '', isDefault: r.IsDefault === true, pathPatterns: (r.Conditions ?? []).filter((c) => c.Field === 'path-pattern').flatMap((c) => c.PathPatternConfig?.Values ?? c.Values ?? []), forwards: forwardsOf(r.Actions) } : undefined;
  }

  /** Whether a rule exists (by its ARN). */
  async ruleExists(arn: string): Promise<boolean> {
    const out = await this.maybe('DescribeRules', named('RuleNotFoundException', 'RuleNotFound', 'ListenerNotFoundException'), () => this.client.send(new DescribeRulesCommand({ RuleArns: [arn] })));
    return Boolean(out?.Rules?.length);
  }

  /** A rule forwarding what matches a path pattern; returns its ARN. */
  async createRule(o: { listenerArn: string; priority: number; pathPattern: string; to: Array<{ targetGroupArn: string; weight: number }>; tags: Record<string, string> }): Promise<string> {
    const out = await this.call('CreateRule', () =>
      this.client.send(
        new CreateRuleCommand({
          ListenerArn: o.listenerArn,
          Priority: o.priority,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [o.pathPattern] } }],
          Actions: [forwardAction(o.to)],
          Tags: toTags(o.tags),
        }),
      ),
    );
    return out.Rules![0].RuleArn ?? '';
  }

  /** Changes a rule's path pattern and/or where it forwards. */
  async modifyRule(o: { arn: string; pathPattern?: string; to?: Array<{ targetGroupArn: string; weight: number }> }): Promise<void> {
    await this.call('ModifyRule', () =>
      this.client.send(
        new ModifyRuleCommand({
          RuleArn: o.arn,
          ...(o.pathPattern ? { Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [o.pathPattern] } }] } : {}),
          ...(o.to ? { Actions: [forwardAction(o.to)] } : {}),
        }),
      ),
    );
  }

  async deleteRule(arn: string): Promise<boolean> {
    return (await this.maybe('DeleteRule', named('RuleNotFoundException', 'RuleNotFound', 'ListenerNotFoundException'), () => this.client.send(new DeleteRuleCommand({ RuleArn: arn })))) !== undefined;
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

  /** The ARNs of every load balancer of the region. */
  async allLoadBalancerArns(): Promise<string[]> {
    const out: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.call('DescribeLoadBalancers', () => this.client.send(new DescribeLoadBalancersCommand({ Marker })));
      out.push(...(page.LoadBalancers ?? []).map((l) => l.LoadBalancerArn ?? '').filter(Boolean));
      Marker = page.NextMarker;
    } while (Marker);
    return out;
  }

  /** The load balancers a target group is attached to (ARNs); undefined when the group does not exist. */
  async loadBalancersOf(targetGroupArn: string): Promise<string[] | undefined> {
    const out = await this.maybe('DescribeTargetGroups', named('TargetGroupNotFoundException', 'TargetGroupNotFound'), () => this.client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] })));
    return out ? (out.TargetGroups?.[0]?.LoadBalancerArns ?? []) : undefined;
  }
}

/** The client class, for clients.ts. */
export { ElasticLoadBalancingV2Client };
