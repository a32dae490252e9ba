/**
 * `service update --strategy blue-green [--bake-time MINUTES]`: ECS's own blue/green deployments
 * (the deployment configuration's BLUE_GREEN strategy, ECS 2025), on a service behind an
 * Application Load Balancer.
 *
 * What AWS documents a blue/green service needs, made by the stack where it is missing:
 * - an alternate target group, like the primary one (type, port, VPC, health check): the green
 *   revision's tasks register there;
 * - a production listener rule forwarding to both groups (primary weight 100, alternate 0): ECS
 *   shifts the weights. The service's own rule is used when it has one (one of the stack's, from
 *   `--path-pattern`, or one it forwards through); behind a listener whose default action forwards
 *   to the service, a rule for `/*` is added after the listener's rules;
 * - an infrastructure role `<stack>-ecs-infra` trusted by ecs.amazonaws.com with AWS's managed
 *   AmazonECSInfrastructureRolePolicyForLoadBalancers, which ECS assumes to change the rule.
 * The service is then updated with the strategy, the bake time, the circuit breaker with rollback
 * on (a failed green revision is rolled back by ECS), and the load balancer's advanced configuration.
 *
 * `--wait` follows the service deployment (DescribeServiceDeployments) through its lifecycle
 * stages and the bake time, and exits 1 on a rollback, naming the reason: a rollback is never
 * reported as a success.
 */
import type { DeploymentConfiguration, LoadBalancer } from '@aws-sdk/client-ecs';
import type { Context } from '../context.js';
import { AwsError, InputError, InterruptedError, RuntimeError } from '../errors.js';
import type { RoleInfo } from '../aws/iam-ops.js';
import type { ListenerInfo, RuleInfo, TargetGroupInfo } from '../aws/elb-ops.js';
import type { EcsOps } from '../aws/ecs-ops.js';
import type { ServiceDeploymentInfo, ServiceInfo } from '../aws/ecs-types.js';
import { roleArn } from '../iam/arn.js';
import { attachStep, roleCreateStep } from '../iam/steps.js';
import { trustPolicyFor } from '../iam/validate.js';
import { stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { backoff, contextClock, pollOverride } from '../plan/retry.js';
import { unchangedStep, type Step, type StepRuntime } from '../plan/types.js';
import { elbName, nextRulePriority } from './load-balancer.js';

export type Strategy = 'BLUE_GREEN' | 'ROLLING';

export interface StrategyRequest {
  strategy: Strategy;
  /** Minutes both revisions run after production traffic shifted (BLUE_GREEN only). */
  bakeTime?: number;
}

export const DEFAULT_BAKE_MINUTES = 5;
/** ECS's bound on bakeTimeInMinutes. */
const MAX_BAKE_MINUTES = 1440;

/** --strategy and --bake-time, checked before any call; undefined when neither is given. */
export function parseStrategyOptions(o: { strategy?: string; bakeTime?: string }): StrategyRequest | undefined {
  if (o.strategy === undefined) {
    if (o.bakeTime !== undefined) throw new InputError('--bake-time', { message: 'only goes with --strategy blue-green', fix: 'add --strategy blue-green' });
    return undefined;
  }
  const s = o.strategy.trim().toLowerCase().replace(/_/g, '-');
  if (s !== 'blue-green' && s !== 'rolling') {
    throw new InputError('--strategy', { message: `"${o.strategy}" is not a strategy ecsprimer deploys with`, fix: 'give blue-green (ECS blue/green through the load balancer) or rolling (replace tasks in place)' });
  }
  if (s === 'rolling') {
    if (o.bakeTime !== undefined) throw new InputError('--bake-time', { message: 'only goes with --strategy blue-green', fix: 'drop --bake-time (a rolling deployment has no bake time)' });
    return { strategy: 'ROLLING' };
  }
  const bake = o.bakeTime === undefined ? DEFAULT_BAKE_MINUTES : Number(o.bakeTime.trim());
  if (!Number.isInteger(bake) || bake < 0 || bake > MAX_BAKE_MINUTES) {
    throw new InputError('--bake-time', { message: `"${o.bakeTime}" is not a number of minutes ECS accepts`, fix: `give a whole number of minutes from 0 to ${MAX_BAKE_MINUTES}` });
  }
  return { strategy: 'BLUE_GREEN', bakeTime: bake };
}

export const INFRA_POLICY_NAME = 'AmazonECSInfrastructureRolePolicyForLoadBalancers';
export const infraPolicyArn = (partition: string) => `arn:${partition}:iam::aws:policy/${INFRA_POLICY_NAME}`;
export const infraRoleName = (stack: string) => `${stack}-ecs-infra`;

export interface BlueGreenNow {
  /** The service's (first) load balancer entry. */
  entry: NonNullable<ServiceInfo['loadBalancers']>[number];
  primary: TargetGroupInfo;
  alternate?: TargetGroupInfo;
  /** The listener that sends production traffic to the primary group, and its rules. */
  listener: ListenerInfo & { loadBalancer: string };
  rules: RuleInfo[];
  role?: RoleInfo;
  attached?: string[];
  /**
   * A service being created in the same plan (a stack file's): its primary group and listener (and
   * the rule of its path pattern) are made by earlier steps, their ARNs known at run time only.
   */
  pending?: { primaryArn: (rt: StepRuntime) => string; listenerArn: (rt: StepRuntime) => string; ownRule?: (rt: StepRuntime) => string; after: string[] };
}

/** The service's load balancer wiring and what the stack has made for blue/green: two waves of reads. */
export async function readBlueGreen(ctx: Context, service: ServiceInfo): Promise<BlueGreenNow> {
  const entry = service.loadBalancers?.find((l) => l.targetGroupArn);
  if (!entry?.targetGroupArn) {
    throw new AwsError('resolve', 'NoLoadBalancer', `Service ${service.name} has no load balancer: blue/green shifts traffic between two target groups of one. Create the service behind one (service create --load-balancer). Nothing was changed.`);
  }
  const elb = await ctx.elb();
  const iam = await ctx.iam();
  const roleName = infraRoleName(ctx.stack);
  const [primary, role, attached] = await Promise.all([elb.targetGroup(entry.targetGroupArn, { tags: false }), iam.getRole(roleName), iam.listAttachedRolePolicies(roleName).catch(() => undefined)]);
  if (!primary) throw new AwsError('resolve', 'TargetGroupNotFound', `Target group ${entry.targetGroupArn} of service ${service.name} no longer exists. Nothing was changed.`);
  const lbArn = primary.loadBalancers[0];
  if (!lbArn) throw new AwsError('resolve', 'NoListener', `Target group ${primary.name} of service ${service.name} is behind no load balancer's listener: blue/green needs the listener that sends it production traffic. Nothing was changed.`);
  // After a deployment ECS may have swapped the two groups: the one the service names as alternate counts.
  const [alternate, listeners] = await Promise.all([elb.targetGroup(entry.advancedConfiguration?.alternateTargetGroupArn ?? alternateName(primary.name)), elb.listeners(lbArn)]);
  const withRules = await Promise.all(listeners.map(async (l) => ({ l, rules: await elb.rules(l.arn) })));
  const forwards = (r: RuleInfo) => r.forwards.some((f) => f.targetGroupArn === primary.arn);
  const found = withRules.find((x) => x.rules.some((r) => !r.isDefault && forwards(r))) ?? withRules.find((x) => x.rules.some((r) => r.isDefault && forwards(r)) || x.l.forwardsTo === primary.arn);
  if (!found) throw new AwsError('resolve', 'NoListener', `No listener of the load balancer of target group ${primary.name} forwards to it. Nothing was changed.`);
  const lbName = lbArn.split('/').slice(-2, -1)[0] ?? lbArn;
  return { entry, primary, ...(alternate ? { alternate } : {}), listener: { ...found.l, loadBalancer: lbName }, rules: found.rules, ...(role ? { role, attached } : {}) };
}

/** For a service not created yet: its alternate group (of an earlier, interrupted run) and the infrastructure role. */
export async function readBlueGreenParts(ctx: Context, primaryName: string): Promise<Pick<BlueGreenNow, 'alternate' | 'role' | 'attached'>> {
  const iam = await ctx.iam();
  const roleName = infraRoleName(ctx.stack);
  const [alternate, role, attached] = await Promise.all([(await ctx.elb()).targetGroup(alternateName(primaryName)), iam.getRole(roleName), iam.listAttachedRolePolicies(roleName).catch(() => undefined)]);
  return { ...(alternate ? { alternate } : {}), ...(role ? { role, attached } : {}) };
}

/** The alternate group's name: the primary's with `-green`, shortened as ELB names must be. */
export const alternateName = (primary: string) => elbName(`${primary}-green`);

export interface BlueGreenPlan {
  steps: Step[];
  /** What UpdateService sends, filled from the steps' results at run time. */
  deploymentConfiguration: DeploymentConfiguration;
  loadBalancers: (rt: StepRuntime) => LoadBalancer[];
  /** The changes against the service's current configuration (none: unchanged). */
  changes: string[];
  /** Step ids UpdateService waits for. */
  before: string[];
  /** A role made now: UpdateService is retried while IAM propagates it. */
  newRole: boolean;
}

/** The steps that make the service blue/green, and the configuration UpdateService sends. */
export function blueGreenSteps(ctx: Context, account: string, service: ServiceInfo | undefined, req: StrategyRequest & { strategy: 'BLUE_GREEN' }, now: BlueGreenNow, o: { prefix?: string } = {}): BlueGreenPlan {
  const tags = stackTags(ctx.stack);
  const steps: Step[] = [];
  const { primary, pending } = now;
  /** Step ids of this service's resources (the infrastructure role is the stack's one: its ids are shared). */
  const sid = (x: string) => `${o.prefix ?? ''}${x}`;
  const primaryArn = (rt: StepRuntime) => (pending ? pending.primaryArn(rt) : primary.arn);
  const after = pending?.after ?? [];
  const altName = now.alternate?.name ?? alternateName(primary.name);
  if (now.alternate && stackOf(now.alternate.tags) !== ctx.stack) {
    throw new AwsError('resolve', 'NotThisStack', `A target group named ${altName} already exists and was not made by stack "${ctx.stack}", so it will not be used as the alternate group of ${service?.name ?? `the service of ${primary.name}`}. Nothing was changed.`);
  }
  steps.push(
    now.alternate
      ? unchangedStep({ id: sid('alternate-group'), type: 'elb-target-group', name: altName, arn: now.alternate.arn, reason: `exists: the alternate group of ${primary.name}` })
      : {
          id: sid('alternate-group'),
          type: 'elb-target-group',
          name: altName,
          action: 'create',
          calls: [{ operation: 'CreateTargetGroup', target: `target group ${altName}`, reason: `the alternate (green) group: like ${primary.name} (type ${primary.targetType ?? 'ip'}, port ${primary.port}, health check ${primary.healthCheckPath ?? '/'}), tagged ${STACK_TAG}=${ctx.stack}` }],
          reason: 'does not exist yet',
          run: async (rt) => {
            rt.record('intent', { type: 'elb-target-group', name: altName });
            const arn = await (await ctx.elb()).createTargetGroup({ name: altName, port: primary.port ?? 80, vpcId: primary.vpcId ?? '', healthCheckPath: primary.healthCheckPath ?? '/', tags });
            rt.record('created', { type: 'elb-target-group', name: altName, arn });
            return { arn };
          },
        },
  );
  const altArn = (rt: StepRuntime) => now.alternate?.arn ?? rt.result(sid('alternate-group'))?.arn ?? '';

  // The infrastructure role ECS assumes to shift the rule's weights.
  const roleName = infraRoleName(ctx.stack);
  const policyArn = infraPolicyArn(ctx.partition);
  let roleArnNow: string;
  let newRole = false;
  if (now.role && stackOf(now.role.tags) !== ctx.stack) {
    steps.push(unchangedStep({ id: 'infra-role', type: 'iam-role', name: roleName, arn: now.role.arn, reason: 'exists, not made by this stack: used as the infrastructure role as it is' }));
    roleArnNow = now.role.arn;
  } else {
    const role = roleCreateStep(ctx, { name: roleName, trust: trustPolicyFor({ kind: 'service', service: 'ecs.amazonaws.com' }, { partition: ctx.partition }), description: `ECS infrastructure role of stack ${ctx.stack}: blue/green traffic shifts on its load balancers`, tags: {} }, account, now.role, 'infra-role');
    const attach = attachStep(ctx, { role: roleName, policyName: INFRA_POLICY_NAME, policyArn, roleStep: role.action === 'none' ? undefined : 'infra-role', attached: now.role ? Boolean(now.attached?.includes(policyArn)) : undefined, adopt: { policy: INFRA_POLICY_NAME } }, 'infra-attach');
    steps.push(role, attach);
    roleArnNow = now.role?.arn ?? roleArn(ctx, account, roleName);
    newRole = role.action === 'create' || attach.action === 'create';
  }

  // The production listener rule: the service's own, or a /* rule after the listener's rules.
  const label = `${now.listener.loadBalancer}:${now.listener.port ?? ''}`;
  // The service's own rule (one an earlier, interrupted run may have made too); with a pending primary group, by its ARN when it exists.
  const own = primary.arn ? now.rules.find((r) => !r.isDefault && r.forwards.some((f) => f.targetGroupArn === primary.arn)) : undefined;
  const weighted = (rt: StepRuntime, primaryWeight: number, altWeight: number) => [
    { targetGroupArn: primaryArn(rt), weight: primaryWeight },
    { targetGroupArn: altArn(rt), weight: altWeight },
  ];
  const needsAlt = now.alternate ? [] : [sid('alternate-group')];
  let ruleArn: (rt: StepRuntime) => string;
  if (pending?.ownRule && !own) {
    // The rule of the service's path pattern, made earlier in this plan: it becomes the production rule.
    const arnAt = pending.ownRule;
    steps.push({
      id: sid('production-rule'),
      type: 'elb-rule',
      name: `${label} → ${primary.name}`,
      action: 'update',
      calls: [{ operation: 'ModifyRule', target: `the rule of listener ${label} for ${primary.name}`, reason: `forward to ${primary.name} (weight 100) and ${altName} (weight 0): the weights ECS shifts` }],
      reason: `the production rule: add ${altName} at weight 0`,
      dependsOn: [...needsAlt, ...after],
      run: async (rt) => {
        const arn = arnAt(rt);
        await (await ctx.elb()).modifyRule({ arn, to: weighted(rt, 100, 0) });
        rt.record('updated', { type: 'elb-rule', name: primary.name, parent: label, arn, data: { alternate: altName } });
        return { arn };
      },
    });
    ruleArn = arnAt;
  } else if (own && now.alternate && own.forwards.some((f) => f.targetGroupArn === now.alternate!.arn)) {
    steps.push(unchangedStep({ id: sid('production-rule'), type: 'elb-rule', name: `${label} → ${primary.name}`, arn: own.arn, reason: `forwards to ${primary.name} and ${altName} (priority ${own.priority})` }));
    ruleArn = () => own.arn;
  } else if (own) {
    const weight = own.forwards.find((f) => f.targetGroupArn === primary.arn)?.weight ?? 1;
    steps.push({
      id: sid('production-rule'),
      type: 'elb-rule',
      name: `${label} → ${primary.name}`,
      arn: own.arn,
      action: 'update',
      calls: [{ operation: 'ModifyRule', target: `rule ${own.priority} of listener ${label}`, reason: `forward to ${primary.name} (weight ${Math.max(weight, 1)}) and ${altName} (weight 0): the weights ECS shifts` }],
      reason: `the production rule: add ${altName} at weight 0`,
      dependsOn: needsAlt,
      run: async (rt) => {
        await (await ctx.elb()).modifyRule({ arn: own.arn, to: weighted(rt, Math.max(weight, 1), 0) });
        rt.record('updated', { type: 'elb-rule', name: primary.name, parent: label, arn: own.arn, data: { alternate: altName } });
        return { arn: own.arn };
      },
    });
    ruleArn = () => own.arn;
  } else {
    const priority = nextRulePriority(now.rules, label);
    steps.push({
      id: sid('production-rule'),
      type: 'elb-rule',
      name: `${label} → ${primary.name}`,
      action: 'create',
      calls: [{ operation: 'CreateRule', target: `listener ${label}`, reason: `the production rule (priority ${priority}, path /*): forward to ${primary.name} (weight 100) and ${altName} (weight 0), tagged ${STACK_TAG}=${ctx.stack}` }],
      reason: 'ECS shifts production traffic by a listener rule\'s weights; the listener\'s default action has none',
      dependsOn: [...needsAlt, ...after],
      run: async (rt) => {
        rt.record('intent', { type: 'elb-rule', name: primary.name, parent: label });
        const arn = await (await ctx.elb()).createRule({ listenerArn: pending ? pending.listenerArn(rt) : now.listener.arn, priority, pathPattern: '/*', to: weighted(rt, 100, 0), tags });
        rt.record('created', { type: 'elb-rule', name: primary.name, parent: label, arn, data: { pathPattern: '/*', priority, alternate: altName } });
        return { arn };
      },
    });
    ruleArn = (rt) => rt.result(sid('production-rule'))?.arn ?? '';
  }

  const current = service?.deploymentConfiguration;
  const adv = now.entry.advancedConfiguration;
  const changes: string[] = [];
  if (current?.strategy !== 'BLUE_GREEN') changes.push(`strategy ${current?.strategy ?? 'ROLLING'} → BLUE_GREEN`);
  if (current?.bakeTimeInMinutes !== req.bakeTime) changes.push(`bake time ${current?.bakeTimeInMinutes ?? '-'} → ${req.bakeTime} min`);
  if (!current?.circuitBreaker?.enable || !current.circuitBreaker.rollback) changes.push('circuit breaker with rollback on');
  const stepChanged = steps.some((x) => x.action !== 'none');
  if (stepChanged || adv?.alternateTargetGroupArn !== now.alternate?.arn || adv?.productionListenerRule !== own?.arn || adv?.roleArn !== roleArnNow) changes.push(`load balancer: alternate group ${altName}, production rule of listener ${label}, role ${roleName}`);

  return {
    steps,
    changes,
    before: steps.filter((x) => x.action !== 'none').map((x) => x.id),
    newRole,
    deploymentConfiguration: {
      ...(current?.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: current.minimumHealthyPercent } : {}),
      ...(current?.maximumPercent !== undefined ? { maximumPercent: current.maximumPercent } : {}),
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: req.bakeTime,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    loadBalancers: (rt) => [
      {
        targetGroupArn: primaryArn(rt),
        containerName: now.entry.containerName,
        containerPort: now.entry.containerPort,
        advancedConfiguration: { alternateTargetGroupArn: altArn(rt), productionListenerRule: ruleArn(rt), roleArn: rt.result('infra-role')?.arn ?? roleArnNow },
      },
    ],
  };
}

/** Back to rolling deployments: the strategy, and the load balancer without its advanced configuration. */
export function rollingConfiguration(service: ServiceInfo): { changes: string[]; deploymentConfiguration: DeploymentConfiguration; loadBalancers?: LoadBalancer[] } {
  const current = service?.deploymentConfiguration;
  const changes = current?.strategy && current.strategy !== 'ROLLING' ? [`strategy ${current.strategy} → ROLLING`] : [];
  const lbs = service.loadBalancers;
  return {
    changes,
    deploymentConfiguration: {
      ...(current?.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: current.minimumHealthyPercent } : {}),
      ...(current?.maximumPercent !== undefined ? { maximumPercent: current.maximumPercent } : {}),
      strategy: 'ROLLING',
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    ...(lbs?.some((l) => l.advancedConfiguration) ? { loadBalancers: lbs.map((l) => ({ targetGroupArn: l.targetGroupArn, containerName: l.containerName, containerPort: l.containerPort })) } : {}),
  };
}

/** What UpdateService sends to change a service's strategy (with the plan's steps first, for blue/green). */
export interface StrategyUpdate {
  changes: string[];
  fields: { deploymentConfiguration?: DeploymentConfiguration; loadBalancers?: (rt: StepRuntime) => LoadBalancer[]; dependsOn?: string[]; newRole?: boolean };
}

/** The update that gives a service the strategy asked for: blue/green's plan, or back to rolling; none when it has it. */
export function strategyUpdate(service: ServiceInfo, strategy: Strategy | undefined, plan: BlueGreenPlan | undefined): StrategyUpdate {
  if (strategy === 'BLUE_GREEN' && plan?.changes.length) {
    return { changes: plan.changes, fields: { deploymentConfiguration: plan.deploymentConfiguration, loadBalancers: plan.loadBalancers, dependsOn: plan.before, newRole: plan.newRole } };
  }
  if (strategy !== 'ROLLING') return { changes: [], fields: {} };
  const r = rollingConfiguration(service);
  const lbs = r.loadBalancers;
  return r.changes.length ? { changes: r.changes, fields: { deploymentConfiguration: r.deploymentConfiguration, ...(lbs ? { loadBalancers: () => lbs } : {}) } } : { changes: [], fields: {} };
}

// ---------------------------------------------------------------------------------------------
// Waiting through a blue/green deployment

const STAGES: Record<string, string> = {
  RECONCILE_SERVICE: 'reconciling the service',
  PRE_SCALE_UP: 'before the green revision scales up',
  SCALE_UP: 'starting the green revision',
  POST_SCALE_UP: 'green revision started',
  TEST_TRAFFIC_SHIFT: 'shifting test traffic to green',
  POST_TEST_TRAFFIC_SHIFT: 'test traffic on green',
  PRODUCTION_TRAFFIC_SHIFT: 'shifting production traffic to green',
  POST_PRODUCTION_TRAFFIC_SHIFT: 'production traffic on green',
  BAKE_TIME: 'baking (blue kept for a quick rollback)',
  CLEAN_UP: 'cleaning up the blue revision',
};

export interface DeploymentWait {
  cluster: string;
  service: string;
  /** The deployment's ARN when UpdateService's answer named it. */
  deployment?: string;
  /** When UpdateService was sent (ms): a deployment found by listing started after it. */
  since: number;
  bakeMinutes: number;
  timeoutMs?: number;
  resume: string;
}

/**
 * Follows a service deployment until it ends: SUCCESSFUL returns it; a rollback (the circuit
 * breaker's, or a lifecycle hook's) or a stop throws a RuntimeError (exit 1) with ECS's reason.
 */
export async function waitForServiceDeployment(ctx: Context, ops: EcsOps, w: DeploymentWait): Promise<ServiceDeploymentInfo> {
  const clock = contextClock(ctx);
  const fixed = pollOverride(ctx.env);
  const delays = backoff(fixed ?? 5_000, fixed ?? 15_000);
  // The bake time is part of the deployment: the default timeout leaves room for it.
  const timeoutMs = w.timeoutMs ?? (30 + w.bakeMinutes) * 60_000;
  const start = clock.now();
  const line = ctx.ui.status(`waiting for the blue/green deployment of ${w.service} to start …`);
  let arn = w.deployment;
  let stage: string | undefined;
  let bakeSince: number | undefined;
  let rollingBack = false;
  try {
    for (;;) {
      arn ??= await ops.latestServiceDeployment(w.cluster, w.service, w.since);
      const d = arn ? await ops.serviceDeployment(arn) : undefined;
      if (d) {
        if (d.status === 'SUCCESSFUL') {
          line.done(`blue/green deployment of ${w.service} succeeded: production traffic on ${revisionName(d.targetRevision)}`);
          return d;
        }
        if (d.status === 'ROLLBACK_SUCCESSFUL' || d.status === 'ROLLBACK_FAILED' || d.status === 'STOPPED') {
          line.done();
          throw deploymentFailed(w, d);
        }
        if (/^ROLLBACK_|^STOP_/.test(d.status) && !rollingBack) {
          rollingBack = true;
          line.log(`${w.service}: the deployment failed; ECS is ${d.status.startsWith('STOP') ? 'stopping' : 'rolling back'} (${d.rollbackReason ?? d.statusReason ?? 'no reason given yet'})`);
        }
        if (d.lifecycleStage !== stage) {
          if (stage) line.log(`${w.service}: ${STAGES[stage] ?? stage} — done`);
          stage = d.lifecycleStage;
          if (stage === 'BAKE_TIME') bakeSince = clock.now();
        }
        const bakeLeft = stage === 'BAKE_TIME' && bakeSince !== undefined ? Math.max(0, w.bakeMinutes * 60 - Math.round((clock.now() - bakeSince) / 1000)) : undefined;
        line.update(`${w.service}: ${rollingBack ? 'rolling back to blue' : stage ? (STAGES[stage] ?? stage) : d.status.toLowerCase()}${bakeLeft !== undefined ? ` (${Math.ceil(bakeLeft / 60)} min of ${w.bakeMinutes} left)` : ''} …`);
      }
      const elapsed = clock.now() - start;
      if (elapsed >= timeoutMs) {
        line.done();
        throw new RuntimeError(
          'WaitTimeout',
          `Timed out after ${Math.round(elapsed / 1000)} s waiting for the blue/green deployment of ${w.service}${stage ? ` (at ${STAGES[stage] ?? stage})` : arn ? '' : ' (ECS named no deployment yet)'}. It goes on without ecsprimer; wait again with \`${w.resume}\`${arn ? `, or look at it with aws ecs describe-service-deployments --service-deployment-arns ${arn}` : ''}.`,
        );
      }
      const slept = await clock.sleep(Math.min(delays.next().value, timeoutMs - elapsed));
      if (!slept || ctx.interrupted) {
        line.done();
        throw new InterruptedError(`Stopped waiting: the blue/green deployment of ${w.service} goes on without ecsprimer (ECS rolls it back itself if it fails). Wait again with \`${w.resume}\`.`, ctx.interrupted ?? 'SIGINT');
      }
    }
  } finally {
    line.done();
  }
}

const revisionName = (arn: string | undefined) => (arn ? `revision ${arn.slice(arn.lastIndexOf('/') + 1)}` : 'the new revision');

function deploymentFailed(w: DeploymentWait, d: ServiceDeploymentInfo): RuntimeError {
  const why = d.rollbackReason ?? d.statusReason ?? 'ECS gave no reason';
  if (d.status === 'ROLLBACK_SUCCESSFUL') {
    return new RuntimeError(
      'DeploymentRolledBack',
      `The blue/green deployment of ${w.service} failed and ECS rolled it back: production traffic stays on ${d.sourceRevisions.length ? d.sourceRevisions.map((r) => revisionName(r)).join(', ') : 'the previous revision'}. Reason: ${why}. See why the green tasks failed (ecsprimer service logs --cluster ${w.cluster} --name ${w.service}; ecsprimer task list --cluster ${w.cluster} --status STOPPED), fix the task definition and update again.`,
    );
  }
  if (d.status === 'ROLLBACK_FAILED') {
    return new RuntimeError('DeploymentRollbackFailed', `The blue/green deployment of ${w.service} failed and so did its rollback: ${why}. The service may serve from either revision; look at aws ecs describe-service-deployments --service-deployment-arns ${d.arn}.`);
  }
  return new RuntimeError('DeploymentStopped', `The blue/green deployment of ${w.service} was stopped (${d.status}): ${why}.`);
}
