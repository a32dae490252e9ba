/**
 * `ecsprimer service autoscale`: a service's desired count kept between --min and --max by
 * Application Auto Scaling, with target-tracking policies on CPU, memory and (behind a load
 * balancer) requests per target; `--off` removes them.
 *
 * The scalable target is registered (RegisterScalableTarget is idempotent: a changed min/max is the
 * same call), then one policy per metric, named `ecsprimer-cpu`, `ecsprimer-memory`,
 * `ecsprimer-requests`; a policy of ours no longer asked for is deleted. A re-run with the same
 * values changes nothing. Teardown deregisters the target before it deletes the service (AWS
 * deletes the target's policies with it).
 */
import type { Context } from '../context.js';
import { InputError, RuntimeError } from '../errors.js';
import type { ScalableTargetInfo, TrackingPolicyInfo } from '../aws/autoscaling-ops.js';
import type { ServiceInfo } from '../aws/ecs-types.js';
import { stackTags } from '../input/tags.js';
import { executePlan } from '../plan/engine.js';
import { resolveState } from '../plan/resolve.js';
import { absentStep, unchangedStep, type Report, type Step, type StepRuntime } from '../plan/types.js';
import { validateClusterName, validateServiceName } from './names.js';

export interface AutoscaleOptions {
  cluster: string;
  name: string;
  min?: string;
  max?: string;
  cpu?: string;
  memory?: string;
  requestsPerTarget?: string;
  off?: boolean;
}

/** ECS's limit on a service's desired count. */
const MAX_TASKS = 5000;

export interface Want {
  min: number;
  max: number;
  policies: Array<{ name: string; metric: string; target: number; what: string }>;
}

const POLICY = { cpu: 'ecsprimer-cpu', memory: 'ecsprimer-memory', requests: 'ecsprimer-requests' } as const;
const OURS = new Set<string>(Object.values(POLICY));

export const resourceIdOf = (cluster: string, service: string) => `service/${cluster}/${service}`;

function count(value: string | undefined, option: string): number {
  const n = Number(value?.trim());
  if (value === undefined || !Number.isInteger(n) || n < 0 || n > MAX_TASKS) throw new InputError(option, { message: value === undefined ? 'is required' : `"${value}" is not a number of tasks`, fix: `give a whole number from 0 to ${MAX_TASKS}` });
  return n;
}

function percent(value: string, option: string): number {
  const n = Number(value.trim());
  if (!Number.isFinite(n) || n < 1 || n > 100) throw new InputError(option, { message: `"${value}" is not a percentage from 1 to 100`, fix: 'give the average utilization to keep the service at, e.g. 60' });
  return n;
}

/** A scaling of numbers already checked (the stack file's): its policies. */
export function scalingWant(n: { min: number; max: number; cpu?: number; memory?: number; requestsPerTarget?: number }): Want {
  const policies: Want['policies'] = [];
  if (n.cpu !== undefined) policies.push({ name: POLICY.cpu, metric: 'ECSServiceAverageCPUUtilization', target: n.cpu, what: `average CPU at ${n.cpu}%` });
  if (n.memory !== undefined) policies.push({ name: POLICY.memory, metric: 'ECSServiceAverageMemoryUtilization', target: n.memory, what: `average memory at ${n.memory}%` });
  if (n.requestsPerTarget !== undefined) policies.push({ name: POLICY.requests, metric: 'ALBRequestCountPerTarget', target: n.requestsPerTarget, what: `${n.requestsPerTarget} requests per target` });
  return { min: n.min, max: n.max, policies };
}

/** The options, checked (exit 2) before any call. */
export function parseAutoscale(o: AutoscaleOptions): Want | 'off' {
  validateClusterName(o.cluster, '--cluster');
  validateServiceName(o.name, '--name');
  if (o.off) {
    const extra = (['min', 'max', 'cpu', 'memory', 'requestsPerTarget'] as const).filter((k) => o[k] !== undefined);
    if (extra.length) throw new InputError('--off', { message: `removes the scaling, so --${extra.map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join(', --')} cannot go with it`, fix: 'give --off alone, or the settings without --off' });
    return 'off';
  }
  const min = count(o.min, '--min');
  const max = count(o.max, '--max');
  if (min > max) throw new InputError('--min', { message: `${min} is above --max ${max}`, fix: 'give a minimum at most the maximum' });
  const policies: Want['policies'] = [];
  if (o.cpu !== undefined) policies.push({ name: POLICY.cpu, metric: 'ECSServiceAverageCPUUtilization', target: percent(o.cpu, '--cpu'), what: `average CPU at ${o.cpu.trim()}%` });
  if (o.memory !== undefined) policies.push({ name: POLICY.memory, metric: 'ECSServiceAverageMemoryUtilization', target: percent(o.memory, '--memory'), what: `average memory at ${o.memory.trim()}%` });
  if (o.requestsPerTarget !== undefined) {
    const n = Number(o.requestsPerTarget.trim());
    if (!Number.isFinite(n) || n <= 0) throw new InputError('--requests-per-target', { message: `"${o.requestsPerTarget}" is not a number of requests`, fix: 'give the requests per task per minute to keep, e.g. 1000' });
    policies.push({ name: POLICY.requests, metric: 'ALBRequestCountPerTarget', target: n, what: `${n} requests per target` });
  }
  if (policies.length === 0) throw new InputError('--min', { message: 'no metric to scale on', fix: 'give --cpu PCT, --memory PCT or --requests-per-target N (or --off to remove the scaling)' });
  return { min, max, policies };
}

/**
 * The ALBRequestCountPerTarget label of a service: `app/LB/ID/targetgroup/TG/ID`, from its first
 * target group and that group's load balancer.
 */
async function requestsLabel(ctx: Context, service: ServiceInfo | undefined, o: AutoscaleOptions): Promise<string> {
  const tg = service?.loadBalancers?.find((l) => l.targetGroupArn)?.targetGroupArn;
  if (!tg) {
    throw new RuntimeError('NoLoadBalancer', `--requests-per-target: service ${o.name} in ${o.cluster} is not behind a load balancer (it has no target group), so it has no requests per target to track. Use --cpu or --memory, or put the service behind an Application Load Balancer. Nothing was changed.`);
  }
  const lbs = await (await ctx.elb()).loadBalancersOf(tg);
  const lb = lbs?.[0];
  if (!lb) throw new RuntimeError('NoLoadBalancer', `--requests-per-target: the target group ${tg} of service ${o.name} is attached to no load balancer. Nothing was changed.`);
  return requestCountLabel(lb, tg);
}

/** ALBRequestCountPerTarget's resource label: `app/LB/ID/targetgroup/TG/ID`, from the two ARNs. */
export const requestCountLabel = (lbArn: string, tgArn: string) => `${lbArn.slice(lbArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length)}/${tgArn.slice(tgArn.indexOf(':targetgroup/') + 1)}`;

export interface ScalingNow {
  target?: ScalableTargetInfo;
  policies: TrackingPolicyInfo[];
}

export async function readScaling(ctx: Context, resourceId: string): Promise<ScalingNow> {
  const as = await ctx.autoscaling();
  const [targets, policies] = await Promise.all([as.targets([resourceId]), as.policies(resourceId)]);
  const target = targets.get(resourceId);
  return { target, policies: target ? policies : [] };
}

/**
 * Deregisters a service's scalable target. AWS deletes the target's policies with it; they are
 * deleted first all the same (concurrently), so that no implementation is left with orphans.
 */
export function scalingTargetDeleteStep(ctx: Context, resourceId: string, target: ScalableTargetInfo | undefined, opts: { id?: string; dependsOn?: string[] } = {}): Step {
  const id = opts.id ?? `scaling:${resourceId}`;
  if (!target) return absentStep({ id, type: 'autoscaling-target', name: resourceId, reason: 'not registered', dependsOn: opts.dependsOn });
  return {
    id,
    type: 'autoscaling-target',
    name: resourceId,
    action: 'delete',
    calls: [
      ...(target.policies ?? []).map((p) => ({ operation: 'DeleteScalingPolicy', target: `policy ${p} of ${resourceId}`, reason: 'its scaling policies first', cli: `aws application-autoscaling delete-scaling-policy --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id ${resourceId} --policy-name ${p}` })),
      { operation: 'DeregisterScalableTarget', target: `scalable target ${resourceId}`, reason: `stop scaling the service (min ${target.min}, max ${target.max})`, cli: `aws application-autoscaling deregister-scalable-target --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id ${resourceId}` },
    ],
    reason: `registered (min ${target.min}, max ${target.max})`,
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      const as = await ctx.autoscaling();
      await Promise.all((target.policies ?? []).map((p) => as.deletePolicy(resourceId, p)));
      const gone = !(await as.deregisterTarget(resourceId));
      rt.record('deleted', { type: 'autoscaling-target', name: resourceId, ...(gone ? { data: { alreadyGone: true } } : {}) });
      return gone ? { status: 'absent', action: 'none', note: 'already gone' } : {};
    },
  };
}

/**
 * The steps that register a service's scalable target and its target-tracking policies, each
 * unchanged when it is as wanted; our policies no longer asked for are deleted. `labelAt` gives the
 * ALBRequestCountPerTarget label (called without a runtime at plan time: undefined when it is not
 * known yet). `prefix` keeps step ids apart when several services scale in one plan.
 */
export function scalingSteps(ctx: Context, resourceId: string, want: Want, scaling: ScalingNow, labelAt: (rt: StepRuntime | undefined) => string | undefined, o: { prefix?: string; dependsOn?: string[] } = {}): Step[] {
  const prefix = o.prefix ?? '';
  const dependsOn = o.dependsOn ?? [];
  const steps: Step[] = [];
  const t = scaling.target;
  const targetId = `${prefix}scaling-target`;
  if (t && t.min === want.min && t.max === want.max) steps.push(unchangedStep({ id: targetId, type: 'autoscaling-target', name: resourceId, reason: `registered with min ${t.min}, max ${t.max}` }));
  else {
    steps.push({
      id: targetId,
      type: 'autoscaling-target',
      name: resourceId,
      action: t ? 'update' : 'create',
      calls: [{ operation: 'RegisterScalableTarget', target: `scalable target ${resourceId}`, reason: t ? `min ${t.min} → ${want.min}, max ${t.max} → ${want.max}` : `scale the desired count between ${want.min} and ${want.max}`, cli: `aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id ${resourceId} --min-capacity ${want.min} --max-capacity ${want.max}` }],
      reason: t ? 'registered with other limits' : 'not registered yet',
      dependsOn,
      run: async (rt) => {
        rt.record('intent', { type: 'autoscaling-target', name: resourceId });
        const arn = await (await ctx.autoscaling()).registerTarget(resourceId, want.min, want.max, stackTags(ctx.stack));
        rt.record(t ? 'updated' : 'created', { type: 'autoscaling-target', name: resourceId, ...(arn ? { arn } : {}), data: { min: want.min, max: want.max } });
        return arn ? { arn } : {};
      },
    });
  }
  const needsTarget = [...(steps[0].action === 'none' ? [] : [targetId]), ...dependsOn];
  const labelNow = labelAt(undefined);
  for (const p of want.policies) {
    const now = scaling.policies.find((x) => x.name === p.name);
    const id = `${prefix}policy:${p.name}`;
    // A label known only once the load balancer is made (a stack file's new one) is compared when it is known.
    const label = p.metric === 'ALBRequestCountPerTarget' ? labelNow : undefined;
    if (now && now.metric === p.metric && now.targetValue === p.target && (p.metric !== 'ALBRequestCountPerTarget' || (label !== undefined && now.resourceLabel === label))) {
      steps.push(unchangedStep({ id, type: 'autoscaling-policy', name: `${resourceId}/${p.name}`, arn: now.arn, reason: `tracks ${p.what}` }));
      continue;
    }
    steps.push({
      id,
      type: 'autoscaling-policy',
      name: `${resourceId}/${p.name}`,
      ...(now ? { arn: now.arn } : {}),
      action: now ? 'update' : 'create',
      calls: [{ operation: 'PutScalingPolicy', target: `policy ${p.name} of ${resourceId}`, reason: `target tracking: keep ${p.what}${now?.targetValue !== undefined ? ` (now ${now.targetValue})` : ''}`, cli: `aws application-autoscaling put-scaling-policy --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id ${resourceId} --policy-name ${p.name} --policy-type TargetTrackingScaling --target-tracking-scaling-policy-configuration file://${p.name}.json` }],
      reason: now ? 'tracks another value' : 'not there yet',
      dependsOn: needsTarget,
      run: async (rt) => ({ arn: await (await ctx.autoscaling()).putTrackingPolicy(resourceId, p.name, p.metric, p.target, p.metric === 'ALBRequestCountPerTarget' ? labelAt(rt) : undefined) }),
    });
  }
  // Our policies not asked for any more (others' are left alone).
  for (const x of scaling.policies) {
    if (!OURS.has(x.name) || want.policies.some((p) => p.name === x.name)) continue;
    steps.push({
      id: `${prefix}policy:${x.name}`,
      type: 'autoscaling-policy',
      name: `${resourceId}/${x.name}`,
      arn: x.arn,
      action: 'delete',
      calls: [{ operation: 'DeleteScalingPolicy', target: `policy ${x.name} of ${resourceId}`, reason: 'not asked for any more', cli: `aws application-autoscaling delete-scaling-policy --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id ${resourceId} --policy-name ${x.name}` }],
      reason: 'exists',
      run: async () => void (await (await ctx.autoscaling()).deletePolicy(resourceId, x.name)),
    });
  }
  return steps;
}

export async function runServiceAutoscale(o: AutoscaleOptions, ctx: Context): Promise<Report> {
  const want = parseAutoscale(o);
  ctx.requireConfirmable();
  const resourceId = resourceIdOf(o.cluster, o.name);
  const { account, value } = await resolveState(
    ctx,
    async () => {
      const [service, scaling] = await Promise.all([(await ctx.ecs()).describeService(o.cluster, o.name), readScaling(ctx, resourceId)]);
      return { service, scaling };
    },
    { service: undefined as ServiceInfo | undefined, scaling: { policies: [] } as ScalingNow },
  );
  const { service, scaling } = value;
  if (want === 'off') return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [scalingTargetDeleteStep(ctx, resourceId, scaling.target && { ...scaling.target, policies: scaling.policies.map((p) => p.name) })] });
  if (!ctx.opts.dryRun && (!service || service.status !== 'ACTIVE')) {
    throw new RuntimeError('ServiceNotFound', `Service ${o.name} in cluster ${o.cluster} ${service ? `is ${service.status}` : 'does not exist'}: Application Auto Scaling scales an ACTIVE service. Create it first (ecsprimer service create). Nothing was changed.`);
  }
  const label = want.policies.some((p) => p.metric === 'ALBRequestCountPerTarget') ? await requestsLabel(ctx, service, o) : undefined;
  const warnings: string[] = [];
  if (service && (service.desiredCount < want.min || service.desiredCount > want.max)) warnings.push(`the service runs ${service.desiredCount} task(s) now; Application Auto Scaling brings it into ${want.min}–${want.max}.`);

  const steps = scalingSteps(ctx, resourceId, want, scaling, () => label);
  return executePlan(ctx, { command: ctx.command, account, warnings, steps });
}
