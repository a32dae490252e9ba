/**
 * `service create --load-balancer`: a service behind a new internet-facing Application Load
 * Balancer of the stack.
 *
 * In the service's VPC (the default VPC's by default): a security group for the load balancer
 * (the listener port open to the internet), a security group for the tasks (the container port
 * from the load balancer's group only), the load balancer in the service's subnets, a target
 * group of type `ip` on the container port with the health check, and a listener forwarding to it.
 * All tagged with the stack; one of these names that exists and is not the stack's is refused.
 * Teardown deletes them after the services, in the order AWS needs: listeners, target groups, load
 * balancers, then the security groups (retrying DependencyViolation while the network interfaces
 * of the tasks and the load balancer are released).
 */
import { createHash } from 'node:crypto';
import type { Context } from '../context.js';
import { AwsError, InputError } from '../errors.js';
import type { ListenerInfo, LoadBalancerInfo, RuleInfo, TargetGroupInfo } from '../aws/elb-ops.js';
import type { TaskDefinitionInfo } from '../aws/ecs-types.js';
import { stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { absentStep, unchangedStep, type Step, type StepRuntime } from '../plan/types.js';
import { retryWhile } from '../plan/retry.js';
import { errorName } from '../aws/errors.js';

export interface LoadBalancerRequest {
  containerPort: number;
  containerName?: string;
  listenerPort: number;
  healthCheckPath: string;
  /** An existing Application Load Balancer (name or ARN) instead of a new one of the stack. */
  existing?: string;
  /** On an existing load balancer: a listener rule forwarding this path pattern to the service. */
  pathPattern?: string;
}

export interface LoadBalancerOptions {
  /** true: a new load balancer; a string: an existing one's name or ARN. */
  loadBalancer?: boolean | string;
  containerPort?: string;
  containerName?: string;
  listenerPort?: string;
  healthCheckPath?: string;
  pathPattern?: string;
}

const port = (v: string, option: string): number => {
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InputError(option, { message: `"${v}" is not a port`, fix: 'give a whole number from 1 to 65535' });
  return n;
};

const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** A load balancer's name (1–32 letters, digits, hyphens; not starting "internal-") or an ALB's ARN. */
function checkLoadBalancerRef(v: string): string {
  const ref = v.trim();
  if (ref.startsWith('arn:')) {
    const m = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/(app|net|gwy)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/.exec(ref);
    if (!m) throw new InputError('--load-balancer', { message: `"${ref}" is not a load balancer ARN`, fix: 'give arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID, or the name' });
    if (m[1] !== 'app') throw new InputError('--load-balancer', { message: `"${ref}" is a ${m[1] === 'net' ? 'Network' : 'Gateway'} Load Balancer`, fix: 'give an Application Load Balancer (loadbalancer/app/...)' });
    return ref;
  }
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(ref) || ref.startsWith('internal-')) {
    throw new InputError('--load-balancer', { message: `"${ref}" is not a load balancer name`, fix: 'give its name (1–32 letters, digits and hyphens, not starting or ending with a hyphen) or its ARN' });
  }
  return ref;
}

/** A path pattern of a listener rule: starts with /, up to 128 characters of ALB's set, at most 3 wildcards. */
function checkPathPattern(v: string): string {
  if (!v.startsWith('/') || v.length > 128 || !/^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/.test(v) || (v.match(/[*?]/g) ?? []).length > 3) {
    throw new InputError('--path-pattern', { message: `"${v}" is not a path pattern`, fix: 'give a path starting with / of letters, digits and _-.$/~"\'@:+&, with up to three * or ?, e.g. /api/*' });
  }
  return v;
}

/** The load balancer options, checked before any call; undefined without --load-balancer. */
export function parseLoadBalancerOptions(o: LoadBalancerOptions): LoadBalancerRequest | undefined {
  const extra = (['containerPort', 'containerName', 'listenerPort', 'healthCheckPath', 'pathPattern'] as const).filter((k) => o[k] !== undefined);
  if (o.loadBalancer === undefined || o.loadBalancer === false) {
    if (extra.length) throw new InputError(flag(extra[0]), { message: 'only goes with --load-balancer', fix: 'add --load-balancer (a new Application Load Balancer for the service) or --load-balancer NAME|ARN (an existing one)' });
    return undefined;
  }
  const existing = typeof o.loadBalancer === 'string' ? checkLoadBalancerRef(o.loadBalancer) : undefined;
  if (o.pathPattern !== undefined && !existing) throw new InputError('--path-pattern', { message: "only goes with an existing load balancer: the stack's own forwards every path to the service", fix: 'give --load-balancer NAME|ARN, or drop --path-pattern' });
  if (o.containerPort === undefined) throw new InputError('--container-port', { message: 'is required with --load-balancer', fix: 'give the port the container listens on, e.g. --container-port 80' });
  const path = o.healthCheckPath ?? '/';
  if (!path.startsWith('/') || path.length > 1024 || /\s/.test(path)) throw new InputError('--health-check-path', { message: `"${path}" is not a path`, fix: 'give a path starting with /, e.g. /health' });
  return {
    containerPort: port(o.containerPort, '--container-port'),
    ...(o.containerName ? { containerName: o.containerName } : {}),
    listenerPort: o.listenerPort === undefined ? 80 : port(o.listenerPort, '--listener-port'),
    healthCheckPath: path,
    ...(existing ? { existing } : {}),
    ...(o.pathPattern !== undefined ? { pathPattern: checkPathPattern(o.pathPattern) } : {}),
  };
}

/** Load balancer and target group names: 1–32 letters, digits and hyphens; long ones shortened with a hash. */
export function elbName(base: string): string {
  const clean = base.replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  if (clean.length <= 32) return clean;
  return `${clean.slice(0, 25).replace(/-+$/, '')}-${createHash('sha256').update(base).digest('hex').slice(0, 6)}`;
}

export interface LoadBalancerNames {
  loadBalancer: string;
  targetGroup: string;
  lbGroup: string;
  tasksGroup: string;
}

/** `<stack>-<service>` (the service's name alone when it starts with the stack's already, as the starter file's do). */
export const loadBalancerNames = (stack: string, service: string): LoadBalancerNames => {
  const base = service.startsWith(`${stack}-`) ? service : `${stack}-${service}`;
  return { loadBalancer: elbName(base), targetGroup: elbName(base), lbGroup: `${base}-lb`, tasksGroup: `${base}-tasks` };
};

/** A task definition's containers, as the load balancer options are checked against: `label` names it in messages. */
export interface ContainersOf {
  label: string;
  containers: Array<{ name?: string; portMappings?: Array<{ containerPort?: number }> }>;
}

/** A registered revision's containers (`family:revision`). */
export const containersOf = (td: TaskDefinitionInfo): ContainersOf => ({ label: `${td.family}:${td.revision}`, containers: (td.definition.containerDefinitions ?? []) as ContainersOf['containers'] });

/** The containers of a task definition document (a stack file's): named by its family. */
export const containersOfDocument = (family: string, doc: unknown): ContainersOf => ({
  label: family,
  containers: ((doc as { containerDefinitions?: unknown } | undefined)?.containerDefinitions ?? []) as ContainersOf['containers'],
});

/** The container the target group sends to: --container-name, else the one mapping the port. */
export function containerFor(td: ContainersOf | undefined, req: LoadBalancerRequest): string {
  const containers = td?.containers ?? [];
  if (req.containerName) {
    if (td && !containers.some((c) => c.name === req.containerName)) throw new InputError('--container-name', { message: `task definition ${td.label} has no container "${req.containerName}"`, fix: `use one of: ${containers.map((c) => c.name).join(', ')}` });
    return req.containerName;
  }
  const mapping = containers.find((c) => (c.portMappings ?? []).some((p) => p.containerPort === req.containerPort));
  if (mapping?.name) return mapping.name;
  if (!td) return 'web';
  throw new InputError('--container-port', { message: `no container of ${td.label} maps port ${req.containerPort}`, fix: `give the port of a container's portMappings (${containers.flatMap((c) => (c.portMappings ?? []).map((p) => `${c.name}:${p.containerPort}`)).join(', ') || 'none maps a port'}), or --container-name` });
}

type Group = { id: string; tags: Record<string, string> };

export interface LoadBalancerNow {
  lb?: LoadBalancerInfo;
  tg?: TargetGroupInfo;
  listeners: ListenerInfo[];
  /** The rules of the listener on the listener port (read for a rule on an existing load balancer). */
  rules: RuleInfo[];
  lbGroup?: Group;
  tasksGroup?: Group;
}

/**
 * What exists of a service's load balancer. For an existing load balancer (req.existing) its VPC
 * is the one that counts: the target group and the tasks' group are made there.
 */
export async function readLoadBalancer(ctx: Context, names: LoadBalancerNames, vpcId: string | undefined, req?: LoadBalancerRequest): Promise<LoadBalancerNow> {
  const elb = await ctx.elb();
  const ec2 = await ctx.ec2();
  if (req?.existing) {
    // Not the stack's: its tags are not read (nothing of it is changed).
    const lb = await elb.loadBalancer(req.existing, { tags: false });
    if (!lb) throw new AwsError('elasticloadbalancing:DescribeLoadBalancers', 'LoadBalancerNotFound', `No load balancer ${req.existing} in ${ctx.region}: check the name (aws elbv2 describe-load-balancers --region ${ctx.region}), or give --load-balancer with no value for a new one of the stack. Nothing was changed.`);
    if (lb.type && lb.type !== 'application') throw new AwsError('resolve', 'NotAnApplicationLoadBalancer', `Load balancer ${lb.name} is a ${lb.type} load balancer: ecsprimer wires services to Application Load Balancers. Nothing was changed.`);
    const vpc = lb.vpcId ?? vpcId;
    const [tg, tasksGroup, listeners] = await Promise.all([elb.targetGroup(names.targetGroup), vpc ? ec2.securityGroup(vpc, names.tasksGroup) : undefined, elb.listeners(lb.arn)]);
    const onPort = listeners.find((l) => l.port === req.listenerPort);
    const rules = onPort && req.pathPattern ? await elb.rules(onPort.arn) : [];
    return { lb, tg, listeners, rules, tasksGroup };
  }
  const [lb, tg, lbGroup, tasksGroup] = await Promise.all([
    elb.loadBalancer(names.loadBalancer),
    elb.targetGroup(names.targetGroup),
    vpcId ? ec2.securityGroup(vpcId, names.lbGroup) : undefined,
    vpcId ? ec2.securityGroup(vpcId, names.tasksGroup) : undefined,
  ]);
  return { lb, tg, listeners: lb ? await elb.listeners(lb.arn) : [], rules: [], lbGroup, tasksGroup };
}

export interface LoadBalancerPlan {
  steps: Step[];
  /** Step ids the service must wait for. */
  before: string[];
  targetGroupArn: (rt: StepRuntime) => string;
  loadBalancerArn: (rt: StepRuntime) => string;
  listenerArn: (rt: StepRuntime) => string;
  /** The rule of the path pattern (with pathPattern). */
  ruleArn?: (rt: StepRuntime) => string;
  tasksGroupId: (rt: StepRuntime) => string;
  dnsName: (rt: StepRuntime) => string | undefined;
}

/** The steps that give the service its load balancer (each unchanged when it is there already). */
export function loadBalancerSteps(ctx: Context, o: { service: string; req: LoadBalancerRequest; names: LoadBalancerNames; now: LoadBalancerNow; vpcId: string; subnets: string[]; account: string; known?: boolean; prefix?: string }): LoadBalancerPlan {
  const { req, names, now } = o;
  /** Step ids: apart per service when several services have load balancers in one plan. */
  const sid = (x: string) => `${o.prefix ?? ''}${x}`;
  const tags = stackTags(ctx.stack);
  const existing = req.existing !== undefined;
  const mine = (what: string, name: string, t: Record<string, string> | undefined) => {
    const owner = stackOf(t);
    if (owner !== ctx.stack) throw new AwsError('resolve', 'NotThisStack', `A ${what} named ${name} already exists and ${owner ? `belongs to ecsprimer stack "${owner}"` : 'was not created by ecsprimer'}, so stack "${ctx.stack}" will not take it over. Choose another --name for the service. Nothing was changed.`);
  };
  if (now.lb && !existing) mine('load balancer', names.loadBalancer, now.lb.tags);
  if (now.tg) mine('target group', names.targetGroup, now.tg.tags);
  if (now.lbGroup) mine('security group', names.lbGroup, now.lbGroup.tags);
  if (now.tasksGroup) mine('security group', names.tasksGroup, now.tasksGroup.tags);
  // A dry run that could not read the network has no subnets to count.
  if (!existing && o.known !== false && o.subnets.length < 2) throw new InputError('--subnets', { message: 'an Application Load Balancer needs subnets in at least two availability zones', fix: 'give two or more subnets (the default VPC has one per zone)' });
  const lbName = existing ? (now.lb?.name ?? req.existing!) : names.loadBalancer;
  // An existing load balancer's VPC is where its targets must be: the service's subnets too.
  if (existing && now.lb?.vpcId && o.known !== false && o.vpcId !== now.lb.vpcId) {
    throw new InputError('--subnets', { message: `the service's subnets are in ${o.vpcId}, load balancer ${lbName} in ${now.lb.vpcId}`, fix: `give --subnets of ${now.lb.vpcId} (its targets must be in its VPC)` });
  }
  const vpcId = existing ? (now.lb?.vpcId ?? o.vpcId) : o.vpcId;
  const lbGroups = existing ? (now.lb?.securityGroups ?? []) : [];
  if (existing && now.lb && lbGroups.length === 0) throw new AwsError('resolve', 'NoSecurityGroups', `Load balancer ${lbName} has no security groups, so the tasks' group cannot admit it alone. Give it one (aws elbv2 set-security-groups). Nothing was changed.`);

  const steps: Step[] = [];
  const group = (id: string, name: string, existingGroup: Group | undefined, description: string, from: (rt: StepRuntime) => { cidr: string } | { groups: string[] }, fromText: string, p: number, dependsOn: string[] = []): Step => {
    if (existingGroup) return unchangedStep({ id, type: 'ec2-security-group', name, arn: existingGroup.id, reason: 'exists (the stack\'s)' });
    return {
      id,
      type: 'ec2-security-group',
      name,
      action: 'create',
      calls: [
        { operation: 'CreateSecurityGroup', target: `security group ${name} in ${vpcId}`, reason: `${description}, tagged ${STACK_TAG}=${ctx.stack}` },
        { operation: 'AuthorizeSecurityGroupIngress', target: `security group ${name}`, reason: `allow TCP ${p} from ${fromText}` },
      ],
      reason: 'does not exist yet',
      dependsOn,
      run: async (rt) => {
        rt.record('intent', { type: 'ec2-security-group', name, parent: vpcId });
        const sg = await (await ctx.ec2()).createSecurityGroup({ name, description, vpcId, tags, port: p, from: from(rt) });
        rt.record('created', { type: 'ec2-security-group', name, parent: vpcId, arn: sg });
        return { arn: sg, value: sg };
      },
    };
  };
  if (existing) {
    steps.push(group(sid('tasks-group'), names.tasksGroup, now.tasksGroup, `the tasks of service ${o.service}`, () => ({ groups: lbGroups }), `load balancer ${lbName}'s security group${lbGroups.length === 1 ? '' : 's'} ${lbGroups.join(', ') || '(read at run time)'} only`, req.containerPort));
  } else {
    const lbGroupId = (rt: StepRuntime) => now.lbGroup?.id ?? (rt.result(sid('lb-group'))?.value as string);
    steps.push(group(sid('lb-group'), names.lbGroup, now.lbGroup, `the load balancer of service ${o.service}`, () => ({ cidr: '0.0.0.0/0' }), 'anywhere (0.0.0.0/0)', req.listenerPort));
    steps.push(group(sid('tasks-group'), names.tasksGroup, now.tasksGroup, `the tasks of service ${o.service}`, (rt) => ({ groups: [lbGroupId(rt)] }), `the load balancer's group ${names.lbGroup} only`, req.containerPort, now.lbGroup ? [] : [sid('lb-group')]));
    steps.push(
      now.lb
        ? unchangedStep({ id: sid('load-balancer'), type: 'elb-load-balancer', name: names.loadBalancer, arn: now.lb.arn, reason: `exists: ${now.lb.dnsName}` })
        : {
            id: sid('load-balancer'),
            type: 'elb-load-balancer',
            name: names.loadBalancer,
            action: 'create',
            calls: [{ operation: 'CreateLoadBalancer', target: `load balancer ${names.loadBalancer}`, reason: `an internet-facing Application Load Balancer in ${o.subnets.length ? `${o.subnets.length} subnets` : "the service's subnets"}, tagged ${STACK_TAG}=${ctx.stack}` }],
            reason: 'does not exist yet',
            dependsOn: now.lbGroup ? [] : [sid('lb-group')],
            run: async (rt) => {
              rt.record('intent', { type: 'elb-load-balancer', name: names.loadBalancer });
              const lb = await (await ctx.elb()).createLoadBalancer({ name: names.loadBalancer, subnets: o.subnets, securityGroups: [lbGroupId(rt)], tags });
              rt.record('created', { type: 'elb-load-balancer', name: names.loadBalancer, arn: lb.arn, data: { dnsName: lb.dnsName } });
              return { arn: lb.arn, value: lb.dnsName };
            },
          },
    );
  }
  const tgOk = now.tg && now.tg.port === req.containerPort && now.tg.targetType === 'ip' && (now.tg.healthCheckPath ?? '/') === req.healthCheckPath;
  if (now.tg && !tgOk) throw new AwsError('resolve', 'TargetGroupDiffers', `Target group ${names.targetGroup} exists with port ${now.tg.port} and health check ${now.tg.healthCheckPath}: a target group's port cannot change. Delete the service's stack resources first (ecsprimer teardown) or choose another --name. Nothing was changed.`);
  steps.push(
    now.tg
      ? unchangedStep({ id: sid('target-group'), type: 'elb-target-group', name: names.targetGroup, arn: now.tg.arn, reason: `exists: type ip, port ${now.tg.port}, health check ${now.tg.healthCheckPath ?? '/'}` })
      : {
          id: sid('target-group'),
          type: 'elb-target-group',
          name: names.targetGroup,
          action: 'create',
          calls: [{ operation: 'CreateTargetGroup', target: `target group ${names.targetGroup}`, reason: `type ip, HTTP port ${req.containerPort}, health check ${req.healthCheckPath}, tagged ${STACK_TAG}=${ctx.stack}` }],
          reason: 'does not exist yet',
          run: async (rt) => {
            rt.record('intent', { type: 'elb-target-group', name: names.targetGroup });
            const arn = await (await ctx.elb()).createTargetGroup({ name: names.targetGroup, port: req.containerPort, vpcId, healthCheckPath: req.healthCheckPath, tags });
            rt.record('created', { type: 'elb-target-group', name: names.targetGroup, arn });
            return { arn };
          },
        },
  );
  const lbArn = (rt: StepRuntime) => now.lb?.arn ?? rt.result(sid('load-balancer'))?.arn ?? '';
  const tgArn = (rt: StepRuntime) => now.tg?.arn ?? rt.result(sid('target-group'))?.arn ?? '';
  const listener = now.listeners.find((l) => l.port === req.listenerPort);
  const label = `${lbName}:${req.listenerPort}`;
  if (listener && !req.pathPattern && listener.forwardsTo !== now.tg?.arn) {
    throw new AwsError(
      'resolve',
      'ListenerDiffers',
      existing
        ? `Load balancer ${lbName} already listens on port ${req.listenerPort}${listener.forwardsTo ? ` (forwarding to ${listener.forwardsTo.replace(/^.*:targetgroup\//, '').split('/')[0]})` : ''}. Give --path-pattern (e.g. /${o.service}/*) to add a rule for this service to that listener, or another --listener-port for a listener of its own. Nothing was changed.`
        : `Load balancer ${names.loadBalancer} has a listener on port ${req.listenerPort} that does not forward to ${names.targetGroup}. Nothing was changed.`,
    );
  }
  steps.push(
    listener
      ? unchangedStep({ id: sid('listener'), type: 'elb-listener', name: label, arn: listener.arn, reason: req.pathPattern ? `listens on port ${req.listenerPort}` : `forwards port ${req.listenerPort} to ${names.targetGroup}` })
      : {
          id: sid('listener'),
          type: 'elb-listener',
          name: label,
          action: 'create',
          calls: [{ operation: 'CreateListener', target: `listener ${req.listenerPort} of ${lbName}`, reason: req.pathPattern ? `HTTP ${req.listenerPort}; what no rule takes gets 404, tagged ${STACK_TAG}=${ctx.stack}` : `HTTP ${req.listenerPort}, forward to ${names.targetGroup}, tagged ${STACK_TAG}=${ctx.stack}` }],
          reason: 'does not exist yet',
          dependsOn: [...(now.lb ? [] : [sid('load-balancer')]), ...(now.tg || req.pathPattern ? [] : [sid('target-group')])],
          run: async (rt) => {
            rt.record('intent', { type: 'elb-listener', name: String(req.listenerPort), parent: lbName });
            const arn = await (await ctx.elb()).createListener({ loadBalancerArn: lbArn(rt), port: req.listenerPort, ...(req.pathPattern ? {} : { targetGroupArn: tgArn(rt) }), tags });
            rt.record('created', { type: 'elb-listener', name: String(req.listenerPort), parent: lbName, arn });
            return { arn };
          },
        },
  );
  if (req.pathPattern) steps.push(ruleStep(ctx, { sid, label, tgName: names.targetGroup, pattern: req.pathPattern, listenerArn: (rt) => listener?.arn ?? rt.result(sid('listener'))?.arn ?? '', tgArn, now, newListener: !listener }));
  return {
    steps,
    before: steps.filter((s) => s.action !== 'none').map((s) => s.id),
    targetGroupArn: tgArn,
    loadBalancerArn: lbArn,
    listenerArn: (rt) => listener?.arn ?? rt.result(sid('listener'))?.arn ?? '',
    ...(req.pathPattern ? { ruleArn: (rt: StepRuntime) => steps.find((x) => x.id === sid('rule'))?.arn ?? rt.result(sid('rule'))?.arn ?? '' } : {}),
    tasksGroupId: (rt) => now.tasksGroup?.id ?? (rt.result(sid('tasks-group'))?.value as string),
    dnsName: (rt) => now.lb?.dnsName ?? (rt.result(sid('load-balancer'))?.value as string | undefined),
  };
}

/** A rule's priority after every rule of the listener `label` (ALB priorities go up to 50000). */
export function nextRulePriority(rules: RuleInfo[], label: string): number {
  const priorities = rules.map((r) => Number(r.priority)).filter((n) => Number.isInteger(n));
  const priority = priorities.length ? Math.max(...priorities) + 1 : 1;
  if (priority > 50000) throw new AwsError('resolve', 'PriorityInUse', `Listener ${label} has a rule at priority 50000, the highest there is: no rule can go after it. Nothing was changed.`);
  return priority;
}

/**
 * The rule forwarding a path pattern to the service's target group, on a listener of an existing
 * load balancer: evaluated after the listener's own rules (the next priority after the highest),
 * so it never takes requests they route; the same rule of an earlier run is unchanged, or its
 * pattern changed.
 */
function ruleStep(ctx: Context, o: { sid: (x: string) => string; label: string; tgName: string; pattern: string; listenerArn: (rt: StepRuntime) => string; tgArn: (rt: StepRuntime) => string; now: LoadBalancerNow; newListener: boolean }): Step {
  const id = o.sid('rule');
  const ours = o.now.tg ? o.now.rules.find((r) => !r.isDefault && r.forwards.some((f) => f.targetGroupArn === o.now.tg!.arn)) : undefined;
  if (ours && ours.pathPatterns.length === 1 && ours.pathPatterns[0] === o.pattern) {
    return unchangedStep({ id, type: 'elb-rule', name: `${o.label} ${o.pattern}`, arn: ours.arn, reason: `forwards ${o.pattern} to ${o.tgName} (priority ${ours.priority})` });
  }
  if (ours) {
    return {
      id,
      type: 'elb-rule',
      name: `${o.label} ${o.pattern}`,
      arn: ours.arn,
      action: 'update',
      calls: [{ operation: 'ModifyRule', target: `rule ${ours.priority} of listener ${o.label}`, reason: `path pattern ${ours.pathPatterns.join(', ')} → ${o.pattern}` }],
      reason: `path pattern ${ours.pathPatterns.join(', ')} → ${o.pattern}`,
      run: async (rt) => {
        await (await ctx.elb()).modifyRule({ arn: ours.arn, pathPattern: o.pattern });
        rt.record('updated', { type: 'elb-rule', name: o.tgName, parent: o.label, arn: ours.arn, data: { pathPattern: o.pattern } });
        return { arn: ours.arn };
      },
    };
  }
  const priority = nextRulePriority(o.now.rules, o.label);
  return {
    id,
    type: 'elb-rule',
    name: `${o.label} ${o.pattern}`,
    action: 'create',
    calls: [{ operation: 'CreateRule', target: `listener ${o.label}`, reason: `priority ${priority} (after the listener's rules): forward ${o.pattern} to ${o.tgName}, tagged ${STACK_TAG}=${ctx.stack}` }],
    reason: 'does not exist yet',
    dependsOn: [...(o.newListener ? [o.sid('listener')] : []), ...(o.now.tg ? [] : [o.sid('target-group')])],
    run: async (rt) => {
      rt.record('intent', { type: 'elb-rule', name: o.tgName, parent: o.label });
      const arn = await (await ctx.elb()).createRule({ listenerArn: o.listenerArn(rt), priority, pathPattern: o.pattern, to: [{ targetGroupArn: o.tgArn(rt), weight: 1 }], tags: stackTags(ctx.stack) });
      rt.record('created', { type: 'elb-rule', name: o.tgName, parent: o.label, arn, data: { pathPattern: o.pattern, priority } });
      return { arn };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Teardown

/** One ELBv2 resource deleted by its ARN (absent when there is none), journalled once AWS confirms. */
function elbDeleteStep(
  o: { id: string; dependsOn?: string[]; type: 'elb-listener' | 'elb-rule' | 'elb-target-group' | 'elb-load-balancer'; name: string; arn: string | undefined; operation: string; target: string; reason: string; cli: string },
  del: (arn: string) => Promise<unknown>,
  journal: { name: string; parent?: string },
): Step {
  if (!o.arn) return absentStep({ id: o.id, type: o.type, name: o.name, reason: 'does not exist', dependsOn: o.dependsOn });
  const arn = o.arn;
  return {
    id: o.id,
    type: o.type,
    name: o.name,
    arn,
    action: 'delete',
    calls: [{ operation: o.operation, target: o.target, reason: o.reason, cli: o.cli }],
    reason: 'exists',
    dependsOn: o.dependsOn,
    run: async (rt) => {
      await del(arn);
      rt.record('deleted', { type: o.type, ...journal, arn });
    },
  };
}

/** A rule the stack added to listener `label` (LOAD-BALANCER:PORT), forwarding to target group `tg`. */
export function ruleDeleteStep(ctx: Context, label: string, tg: string, arn: string | undefined, opts: { id: string; dependsOn?: string[] }): Step {
  return elbDeleteStep(
    { ...opts, type: 'elb-rule', name: `${label} → ${tg}`, arn, operation: 'DeleteRule', target: `the rule of listener ${label} forwarding to ${tg}`, reason: 'stop forwarding (before its target group goes)', cli: `aws elbv2 delete-rule --rule-arn ${arn}` },
    async (a) => (await ctx.elb()).deleteRule(a),
    { name: tg, parent: label },
  );
}

/** `label` is `LOAD-BALANCER:PORT`. */
export function listenerDeleteStep(ctx: Context, label: string, arn: string | undefined, opts: { id: string; dependsOn?: string[] }): Step {
  const port = label.slice(label.lastIndexOf(':') + 1);
  const lb = label.slice(0, label.lastIndexOf(':'));
  return elbDeleteStep(
    { ...opts, type: 'elb-listener', name: label, arn, operation: 'DeleteListener', target: `listener ${label}`, reason: 'stop forwarding (before its target group goes)', cli: `aws elbv2 delete-listener --listener-arn ${arn}` },
    async (a) => (await ctx.elb()).deleteListener(a),
    { name: port, parent: lb },
  );
}

export function targetGroupDeleteStep(ctx: Context, name: string, arn: string | undefined, opts: { id: string; dependsOn?: string[] }): Step {
  const inUse = (e: unknown) => /ResourceInUse/.test(errorName(e));
  return elbDeleteStep(
    { ...opts, type: 'elb-target-group', name, arn, operation: 'DeleteTargetGroup', target: `target group ${name}`, reason: 'delete it (no listener forwards to it any more)', cli: `aws elbv2 delete-target-group --target-group-arn ${arn}` },
    async (a) => {
      const elb = await ctx.elb();
      try {
        return await elb.deleteTargetGroup(a);
      } catch (e) {
        if (!inUse(e)) throw e;
      }
      // Still in use: a listener or rule the journal does not know (it was lost) may forward to
      // it; those tagged with this stack go first. Then wait out ELB's own release.
      await releaseTargetGroup(ctx, a);
      return retryWhile(
        ctx,
        { operation: 'elasticloadbalancing:DeleteTargetGroup', transient: inUse, waitingFor: `the listeners of ${name} to be deleted`, accepted: `target group ${name} deleted`, giveUp: `A listener or rule the stack did not make still forwards to it: aws elbv2 describe-target-groups --target-group-arns ${a} names its load balancers.` },
        () => elb.deleteTargetGroup(a),
      );
    },
    { name },
  );
}

/** Deletes the stack's listeners and rules that forward to a target group, on any load balancer. */
async function releaseTargetGroup(ctx: Context, tgArn: string): Promise<void> {
  const elb = await ctx.elb();
  const attached = (await elb.loadBalancersOf(tgArn)) ?? [];
  const lbs = attached.length ? attached : await elb.allLoadBalancerArns();
  for (const lb of lbs) {
    for (const l of await elb.listeners(lb)) {
      const rules = await elb.rules(l.arn);
      const forwarding = rules.filter((r) => r.forwards.some((f) => f.targetGroupArn === tgArn));
      const candidates = forwarding.some((r) => r.isDefault) ? [l.arn] : forwarding.map((r) => r.arn);
      if (!candidates.length) continue;
      const tags = await elb.tagsOf(candidates);
      for (const arn of candidates) {
        if (stackOf(tags.get(arn)) !== ctx.stack) continue;
        if (arn === l.arn) await elb.deleteListener(arn);
        else await elb.deleteRule(arn);
        ctx.ui.info(`deleted ${arn === l.arn ? 'listener' : 'rule'} ${arn} of stack ${ctx.stack} (tagged; it forwarded to the target group)`);
      }
    }
  }
}

export function loadBalancerDeleteStep(ctx: Context, name: string, arn: string | undefined, opts: { id: string; dependsOn?: string[] }): Step {
  return elbDeleteStep(
    { ...opts, type: 'elb-load-balancer', name, arn, operation: 'DeleteLoadBalancer', target: `load balancer ${name}`, reason: 'delete it (with its listeners)', cli: `aws elbv2 delete-load-balancer --load-balancer-arn ${arn}` },
    async (a) => (await ctx.elb()).deleteLoadBalancer(a),
    { name },
  );
}

/** How long a security group delete waits out DependencyViolation (network interfaces being released). */
const SG_RELEASE_MS = 10 * 60_000;

export function securityGroupDeleteStep(ctx: Context, name: string, vpcId: string, id: string | undefined, opts: { id: string; dependsOn?: string[] }): Step {
  if (!id) return absentStep({ id: opts.id, type: 'ec2-security-group', name, reason: 'does not exist', dependsOn: opts.dependsOn });
  return {
    id: opts.id,
    type: 'ec2-security-group',
    name,
    arn: id,
    action: 'delete',
    calls: [{ operation: 'DeleteSecurityGroup', target: `security group ${name} (${id})`, reason: 'delete it once no network interface uses it (retried while they are released)', cli: `aws ec2 delete-security-group --group-id ${id}` }],
    reason: 'exists',
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      await retryWhile(
        ctx,
        {
          operation: 'ec2:DeleteSecurityGroup',
          transient: (e) => /DependencyViolation/.test(errorName(e)),
          waitingFor: `the network interfaces using ${name} to be released (tasks and load balancer gone)`,
          accepted: `security group ${name} deleted`,
          giveUp: `Something else still uses it: aws ec2 describe-network-interfaces --filters Name=group-id,Values=${id}`,
          maxWaitMs: Number(ctx.env.ECSPRIMER_RETRY_MAX_MS) > 0 ? Number(ctx.env.ECSPRIMER_RETRY_MAX_MS) : SG_RELEASE_MS,
        },
        () => ctx.ec2().then((e) => e.deleteSecurityGroup(id)),
      );
      rt.record('deleted', { type: 'ec2-security-group', name, parent: vpcId, arn: id });
    },
  };
}

