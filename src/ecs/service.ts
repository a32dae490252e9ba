/**
 * `ecsprimer service create|update|delete|wait`.
 *
 * create: CreateService tagged with the stack (tags propagated to its tasks), on the default VPC
 * when no subnets are given; a re-run against the stack's own ACTIVE service is "unchanged" (or an
 * update of its task definition / desired count) and still waits with --wait. delete: scale to 0,
 * DeleteService, then (by default) wait until INACTIVE. --wait waits until the service is stable.
 */
import { randomUUID } from 'node:crypto';
import type { CreateServiceCommandInput, DeploymentConfiguration, LoadBalancer, NetworkConfiguration } from '@aws-sdk/client-ecs';
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import { AwsError, InputError, RuntimeError, UsageError, type InputIssue } from '../errors.js';
import { fillDocument, PROBE_ACCOUNT, readDocument } from '../input/documents.js';
import type { JsonValue } from '../input/json.js';
import { parseTags, stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { executePlan } from '../plan/engine.js';
import { notOursNote } from '../plan/render.js';
import { resolveState } from '../plan/resolve.js';
import { readReport, type Report, type Step, type StepRuntime, unchangedStep, unknownStateStep } from '../plan/types.js';
import type { ServiceInfo, TaskDefinitionInfo } from '../aws/ecs-types.js';
import { ecsArn } from './arn.js';
import { assertUsableTaskDefinition, taskDefinitionRefText } from './compare.js';
import { assumedTarget, checkTarget, readTarget, refusePublicIpOnEc2, type TargetRequest } from './target.js';
import { networkInput, networkNote, placementInput, toEcsTags } from './inputs.js';
import { retryWhileRolePropagates } from './propagation.js';
import { resolveEcs, serviceDeleteStep } from './steps.js';
import { parseWaitTimeout, sharedLaunchOptions, validateLaunchOptions } from './launch.js';
import { parseTaskDefinitionRef, validateClusterName, validateServiceName } from './names.js';
import { strategyPlatform, validateServiceDocument, type JsonValue as EcsJson } from './validate.js';
import { waitForService, waitForTargets, type ServiceWaitTarget } from './waiters.js';
import { blueGreenSteps, parseStrategyOptions, readBlueGreen, strategyUpdate, waitForServiceDeployment } from './blue-green.js';
import { containerFor, containersOf, loadBalancerNames, loadBalancerSteps, parseLoadBalancerOptions, readLoadBalancer, type LoadBalancerNames, type LoadBalancerNow, type LoadBalancerPlan } from './load-balancer.js';

type Obj = { [k: string]: JsonValue };

/** The deployment a CreateService/UpdateService answer started (its PRIMARY one): what --wait follows. */
export function startedDeployment(s: ServiceInfo | undefined): string | undefined {
  return s?.deployments.find((d) => d.status === 'PRIMARY')?.id;
}

/** What `--output json` shows of a service. */
export function serviceData(s: ServiceInfo): Record<string, unknown> {
  return {
    name: s.name,
    arn: s.arn,
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: s.runningCount,
    pendingCount: s.pendingCount,
    taskDefinition: s.taskDefinition,
    deployments: s.deployments,
    events: s.events.slice(0, 5),
  };
}

function resumeWait(ctx: Context, cluster: string, name: string, until: ServiceWaitTarget): string {
  return `ecsprimer service wait --cluster ${cluster} --name ${name} --until ${until} --stack ${ctx.stack}`;
}

/** Waits after a plan ran; a failure carries the report (main prints what was done with the error). */
async function waitAfter(ctx: Context, report: Report, cluster: string, name: string, until: ServiceWaitTarget, timeoutMs: number | undefined, deployment?: string): Promise<Report> {
  try {
    const svc = await waitForService(ctx, await ctx.ecs(), cluster, name, until, { timeoutMs, deployment, resume: resumeWait(ctx, cluster, name, until) });
    if (svc) report.data = { ...report.data, service: serviceData(svc) };
    return report;
  } catch (e) {
    throw Object.assign(e as Error, { report: { ...report, ok: false } });
  }
}

// ---------------------------------------------------------------------------------------------
// service create

export interface ServiceCreateOptions {
  cluster: string;
  name: string;
  taskDefinition: string;
  desiredCount?: string;
  launchType?: string;
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
  placementStrategy?: string[];
  placementConstraint?: string[];
  document?: string;
  wait?: boolean;
  waitTimeout?: string;
  tag?: string[];
  /** Run `task verify` first; create nothing when a check fails. */
  verify?: boolean;
  loadBalancer?: boolean | string;
  pathPattern?: string;
  containerPort?: string;
  containerName?: string;
  listenerPort?: string;
  healthCheckPath?: string;
}

/** Members of CreateService that options set: the document may repeat them only with the same value. */
const OWNED: Array<[key: string, option: string]> = [
  ['cluster', '--cluster'],
  ['serviceName', '--name'],
  ['taskDefinition', '--task-definition'],
];

interface CheckedServiceDocument {
  rest: Partial<CreateServiceCommandInput>;
  tags: Record<string, string>;
  source: string;
}

async function checkServiceDocument(ctx: Context, o: ServiceCreateOptions, warnings: string[]): Promise<CheckedServiceDocument | undefined> {
  if (o.document === undefined) return undefined;
  const raw = await readDocument(ctx, o.document, '--document');
  const value = fillDocument(raw, ctx.placeholders(PROBE_ACCOUNT)) as Obj;
  const v = validateServiceDocument(value as EcsJson, raw.source, { launchType: o.launchType });
  const issues: InputIssue[] = [...v.issues, ...ctx.wrongPartition(value)];
  warnings.push(...v.warnings);
  if (typeof value === 'object' && value && !Array.isArray(value)) {
    const given: Record<string, unknown> = { cluster: o.cluster, serviceName: o.name, taskDefinition: o.taskDefinition };
    for (const [key, option] of OWNED) {
      if (key in value && value[key] !== given[key]) issues.push({ field: key, message: `is ${JSON.stringify(value[key])} but ${option} is ${JSON.stringify(given[key])}`, fix: `remove "${key}" from the document (${option} sets it)` });
    }
    const conflicts: Array<[string, boolean, string]> = [
      ['desiredCount', o.desiredCount !== undefined, '--desired-count'],
      ['launchType', o.launchType !== undefined && value.launchType !== undefined && String(value.launchType) !== o.launchType.toUpperCase(), '--launch-type'],
      ['networkConfiguration', Boolean(o.subnets?.length || o.securityGroups?.length || o.assignPublicIp !== undefined), '--subnets/--security-groups/--assign-public-ip'],
      ['placementStrategy', Boolean(o.placementStrategy?.length), '--placement-strategy'],
      ['placementConstraints', Boolean(o.placementConstraint?.length), '--placement-constraint'],
    ];
    for (const [key, flag, option] of conflicts) {
      if (flag && key in value) issues.push({ field: key, message: `is set both in the document and by ${option}`, fix: `remove one of them` });
    }
    const tags = value.tags;
    if (Array.isArray(tags)) tags.forEach((t, i) => {
      if ((t as Obj)?.key === STACK_TAG) issues.push({ field: `tags[${i}].key`, message: `the tag key "${STACK_TAG}" is reserved`, fix: 'remove it: ecsprimer sets it from --stack' });
    });
  }
  if (issues.length) throw new InputError(raw.source, issues);
  const { tags: docTags, ...rest } = v.normalized as Partial<CreateServiceCommandInput>;
  const tags = Object.fromEntries((docTags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
  return { rest, tags, source: raw.source };
}

export async function runServiceCreate(o: ServiceCreateOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  validateServiceName(o.name, '--name');
  const ref = parseTaskDefinitionRef(o.taskDefinition, '--task-definition');
  const lbReq = parseLoadBalancerOptions(o);
  const warnings: string[] = [];
  const doc = await checkServiceDocument(ctx, o, warnings);
  if (lbReq && doc?.rest.loadBalancers) throw new InputError('--load-balancer', { message: 'and the document\'s loadBalancers contradict each other', fix: 'give one of them' });
  const rest = doc?.rest ?? {};
  const docLaunchType = rest.launchType;
  const byStrategy = o.launchType || docLaunchType ? undefined : strategyPlatform(rest.capacityProviderStrategy);
  const launch = validateLaunchOptions({ command: 'service', launchType: o.launchType ?? docLaunchType ?? byStrategy, desiredCount: o.desiredCount ?? rest.desiredCount ?? 1, ...sharedLaunchOptions(o) });
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  const tags = { ...(doc?.tags ?? {}), ...parseTags(o.tag) };
  // A capacity provider strategy in the document replaces the launch type; one of FARGATE and
  // FARGATE_SPOT runs on Fargate (awsvpc, a public IP on the default VPC), any other on EC2.
  const launchType = o.launchType || docLaunchType || !rest.capacityProviderStrategy ? launch.launchType : undefined;
  const platform = launchType ?? byStrategy;
  refusePublicIpOnEc2(platform, o.assignPublicIp);
  const desiredCount = launch.desiredCount ?? 1;
  const refText = taskDefinitionRefText(ref);
  ctx.requireConfirmable();
  if (o.verify && !ctx.opts.dryRun) {
    const { verifyFirst } = await import('./verify.js');
    await verifyFirst(ctx, { ref, cluster: o.cluster, launchType: platform ?? 'FARGATE', network: { subnets: launch.subnets, securityGroups: launch.securityGroups, assignPublicIp: o.assignPublicIp, launchType: platform } });
  }

  const target: TargetRequest = {
    cluster: o.cluster,
    ref,
    launchType: platform,
    ...(launchType ? {} : { launchSource: `capacityProviderStrategy (${(rest.capacityProviderStrategy ?? []).map((c) => c.capacityProvider).join(', ')})` }),
    network: { subnets: launch.subnets, securityGroups: launch.securityGroups, assignPublicIp: o.assignPublicIp, launchType: platform },
    networkGiven: rest.networkConfiguration !== undefined,
  };
  const { account, value, known } = await resolveState(
    ctx,
    async () => {
      const [t, service] = await Promise.all([readTarget(ctx, target), (await ctx.ecs()).describeService(o.cluster, o.name)]);
      return { ...t, service };
    },
    { ...assumedTarget(target), service: undefined as ServiceInfo | undefined },
  );
  const { td, service, network } = value;
  if (known) checkTarget(target, value);
  const notes = network ? [networkNote(network, platform)] : [];
  const taskDefinition = td?.arn ?? refText;
  const tdLabel = td ? `${td.family}:${td.revision}` : refText;
  const allTags = stackTags(ctx.stack, tags);
  const { desiredCount: _d, launchType: _l, ...docRest } = rest;
  const input: CreateServiceCommandInput = {
    ...docRest,
    cluster: o.cluster,
    serviceName: o.name,
    taskDefinition,
    desiredCount,
    ...(launchType ? { launchType } : {}),
    ...(target.networkGiven ? {} : networkInput(network)),
    ...placementInput(launch),
    tags: toEcsTags(allTags),
    propagateTags: rest.propagateTags ?? 'SERVICE',
    enableECSManagedTags: rest.enableECSManagedTags ?? true,
    clientToken: rest.clientToken ?? randomUUID(),
  };

  // Behind a new load balancer of the stack: its resources first, the service wired to them.
  const lbSteps: Step[] = [];
  let lbPlan: LoadBalancerPlan | undefined;
  let lbNames: LoadBalancerNames | undefined;
  let lbDns: string | undefined;
  if (lbReq && service && service.status === 'ACTIVE' && known) {
    // A re-run: the service exists (ECS cannot add a load balancer to it in place); say where it answers.
    lbNames = loadBalancerNames(ctx.stack, o.name);
    const lb = await (await ctx.elb()).loadBalancer(lbReq.existing ?? lbNames.loadBalancer, { tags: false });
    lbDns = lb?.dnsName;
    if (lb && lbReq.existing) lbNames.loadBalancer = lb.name;
  } else if (lbReq) {
    const containerName = containerFor(td && containersOf(td), lbReq);
    const vpcId = network?.vpcId ?? (network?.subnets[0] && known ? (await (await ctx.ec2()).subnet(network.subnets[0]))?.vpcId : undefined) ?? '<vpc>';
    lbNames = loadBalancerNames(ctx.stack, o.name);
    const lbNow: LoadBalancerNow = known ? await readLoadBalancer(ctx, lbNames, vpcId, lbReq) : { listeners: [], rules: [] };
    lbPlan = loadBalancerSteps(ctx, { service: o.name, req: lbReq, names: lbNames, now: lbNow, vpcId, subnets: network?.subnets ?? [], account, known });
    lbSteps.push(...lbPlan.steps);
    input.loadBalancers = [{ targetGroupArn: lbNow.tg?.arn ?? `<target group ${lbNames.targetGroup}>`, containerName, containerPort: lbReq.containerPort }];
    input.healthCheckGracePeriodSeconds = rest.healthCheckGracePeriodSeconds ?? 60;
    if (lbReq.existing) lbNames.loadBalancer = lbNow.lb?.name ?? lbReq.existing;
    const route = lbReq.pathPattern ? `listener ${lbReq.listenerPort}, rule ${lbReq.pathPattern}` : `listener ${lbReq.listenerPort}`;
    notes.push(
      `behind ${lbReq.existing ? `the existing load balancer ${lbNames.loadBalancer}` : `a new Application Load Balancer ${lbNames.loadBalancer}`} (${route} → ${containerName}:${lbReq.containerPort}, health check ${lbReq.healthCheckPath}); the tasks get security group ${lbNames.tasksGroup}${launch.securityGroups.length ? ' besides --security-groups' : " instead of the VPC's default"}`,
    );
    if (lbReq.existing && !lbNow.listeners.some((l) => l.port === lbReq.listenerPort)) notes.push(`the load balancer's own security groups must admit TCP ${lbReq.listenerPort} from the clients (ecsprimer does not change a group it did not make)`);
  }

  let step: Step;
  let created: ServiceInfo | undefined;
  const id = `service:${o.cluster}/${o.name}`;
  if (service && service.status === 'DRAINING') {
    throw new RuntimeError(
      'ServiceDraining',
      `Service ${o.name} in cluster ${o.cluster} is being deleted (DRAINING); ECS cannot create it again until it is INACTIVE. Wait with \`${resumeWait(ctx, o.cluster, o.name, 'inactive')}\` and run this command again.`,
    );
  }
  if (service && service.status === 'ACTIVE') {
    const owner = stackOf(service.tags);
    if (owner !== ctx.stack) {
      throw new AwsError(
        'ecs:CreateService',
        'ServiceExists',
        `A service named ${o.name} already exists in cluster ${o.cluster} and ${owner ? `belongs to ecsprimer stack "${owner}"` : 'was not created by ecsprimer'}, so stack "${ctx.stack}" will not take it over. Choose another --name, or change it with \`ecsprimer service update\`.`,
      );
    }
    const changes: string[] = [];
    if (td && service.taskDefinition !== td.arn) changes.push(`taskDefinition ${service.taskDefinition.slice(service.taskDefinition.lastIndexOf('/') + 1)} → ${tdLabel}`);
    if (service.desiredCount !== desiredCount) changes.push(`desiredCount ${service.desiredCount} → ${desiredCount}`);
    step = changes.length === 0
      ? unchangedStep({ id, type: 'ecs-service', name: o.name, arn: service.arn, reason: `exists with this task definition and desired count (network, placement and document settings are not compared)` })
      : serviceUpdateStep(ctx, o.cluster, service, { taskDefinition: td && service.taskDefinition !== td.arn ? td.arn : undefined, desiredCount: service.desiredCount !== desiredCount ? desiredCount : undefined }, changes, (s) => (created = s));
  } else {
    step = {
      id,
      type: 'ecs-service',
      name: o.name,
      arn: ecsArn(ctx, account, `service/${o.cluster}/${o.name}`),
      action: 'create',
      calls: [
        {
          operation: 'CreateService',
          passRoles: [td?.definition.executionRoleArn, td?.definition.taskRoleArn].filter((r): r is string => Boolean(r)),
          target: `service ${o.name} in ${o.cluster}`,
          reason: `run ${desiredCount} × ${tdLabel}${launchType ? ` on ${launchType}` : rest.capacityProviderStrategy ? ` on ${rest.capacityProviderStrategy.map((c) => c.capacityProvider).join('/')}` : ''}, tagged ${STACK_TAG}=${ctx.stack} (propagated to its tasks)${o.wait ? ', then wait until stable' : ''}`,
        },
      ],
      reason: service ? 'only an INACTIVE (deleted) service has this name' : 'does not exist yet',
      ...(lbPlan ? { dependsOn: lbPlan.before } : {}),
      run: async (rt) => {
        const ops = await ctx.ecs();
        if (lbPlan && input.loadBalancers?.[0]) {
          // What the load balancer steps made: the target group's ARN, the tasks' security group.
          input.loadBalancers[0].targetGroupArn = lbPlan.targetGroupArn(rt);
          const vpcConfig = input.networkConfiguration?.awsvpcConfiguration;
          if (vpcConfig) vpcConfig.securityGroups = [...launch.securityGroups, lbPlan.tasksGroupId(rt)];
          lbDns = lbPlan.dnsName(rt);
        }
        rt.record('intent', { type: 'ecs-service', name: o.name, parent: o.cluster });
        const s = await retryWhileRolePropagates(ctx, 'CreateService', () => ops.createService(input));
        rt.record('created', { type: 'ecs-service', name: o.name, parent: o.cluster, arn: s.arn, data: { taskDefinition: s.taskDefinition, desiredCount } });
        created = s;
        return { arn: s.arn };
      },
    };
  }
  const report = await executePlan(ctx, { command: ctx.command, account, warnings, notes, steps: [...lbSteps, step] });
  if (report.dryRun) return report;
  if (lbNames && lbReq) {
    const path = lbReq.pathPattern ? lbReq.pathPattern.replace(/[*?].*$/, '') : '/';
    const url = lbDns ? `http://${lbDns}${lbReq.listenerPort === 80 ? '' : `:${lbReq.listenerPort}`}${path}` : undefined;
    report.data = { ...report.data, loadBalancer: { name: lbNames.loadBalancer, ...(lbDns ? { dnsName: lbDns, url } : {}) } };
    if (url && ctx.opts.output === 'text') ctx.io.stdout.write(`load balancer ${lbNames.loadBalancer}: ${url}\n`);
  }
  const shown = created ?? service;
  report.data = {
    ...report.data,
    ...(shown ? { service: serviceData(shown) } : {}),
    ...(network ? { network: { subnets: network.subnets, securityGroups: network.securityGroups, assignPublicIp: network.assignPublicIp ?? 'DISABLED', chosen: network.source } } : {}),
  };
  if (!o.wait) return report;
  const waited = await waitAfter(ctx, report, o.cluster, o.name, 'stable', timeoutMs, startedDeployment(created));
  const tg = (created ?? service)?.loadBalancers?.find((l) => l.targetGroupArn)?.targetGroupArn;
  if (!lbReq || !tg) return waited;
  // Behind the load balancer: stable is not enough, its health checks must pass too.
  const elb = await ctx.elb();
  try {
    await waitForTargets(ctx, () => elb.targetHealth(tg), { timeoutMs, targetGroup: lbNames?.targetGroup ?? tg, want: Math.max(1, desiredCount), healthCheck: lbReq.healthCheckPath, resume: `aws elbv2 describe-target-health --target-group-arn ${tg}` });
  } catch (e) {
    throw Object.assign(e as Error, { report: { ...waited, ok: false } });
  }
  return waited;
}

// ---------------------------------------------------------------------------------------------
// service update

/** UpdateService on an ACTIVE service (any owner: the user named it); journals `updated`. */
export function serviceUpdateStep(
  ctx: Context,
  cluster: string,
  service: ServiceInfo,
  u: {
    taskDefinition?: string | ((rt: StepRuntime) => string);
    desiredCount?: number;
    forceNewDeployment?: boolean;
    networkConfiguration?: NetworkConfiguration;
    deploymentConfiguration?: DeploymentConfiguration;
    loadBalancers?: (rt: StepRuntime) => LoadBalancer[];
    /** Steps whose results it needs (a blue/green deployment's target group, rule and role). */
    dependsOn?: string[];
    /** It names a role just made: retried while IAM propagates it. */
    newRole?: boolean;
  },
  changes: string[],
  answered?: (s: ServiceInfo) => void,
): Step {
  return {
    id: `service:${cluster}/${service.name}`,
    type: 'ecs-service',
    name: service.name,
    arn: service.arn,
    action: 'update',
    calls: [{ operation: 'UpdateService', target: `service ${service.name} in ${cluster}`, reason: changes.join('; ') }],
    reason: changes.join('; '),
    ...(u.dependsOn?.length ? { dependsOn: u.dependsOn } : {}),
    run: async (rt) => {
      const ops = await ctx.ecs();
      const taskDefinition = typeof u.taskDefinition === 'function' ? u.taskDefinition(rt) : u.taskDefinition;
      const input = {
        cluster,
        service: service.name,
        ...(taskDefinition ? { taskDefinition } : {}),
        ...(u.networkConfiguration ? { networkConfiguration: u.networkConfiguration } : {}),
        ...(u.desiredCount !== undefined ? { desiredCount: u.desiredCount } : {}),
        ...(u.forceNewDeployment ? { forceNewDeployment: true } : {}),
        ...(u.deploymentConfiguration ? { deploymentConfiguration: u.deploymentConfiguration } : {}),
        ...(u.loadBalancers ? { loadBalancers: u.loadBalancers(rt) } : {}),
      };
      const s = u.newRole ? await retryWhileRolePropagates(ctx, 'UpdateService', () => ops.updateService(input)) : await ops.updateService(input);
      if (!s) throw new AwsError('ecs:UpdateService', 'ServiceNotActiveException', `Service ${service.name} in cluster ${cluster} is no longer ACTIVE (it was deleted meanwhile).`);
      answered?.(s);
      rt.record('updated', {
        type: 'ecs-service',
        name: service.name,
        parent: cluster,
        arn: s.arn,
        data: {
          ...(taskDefinition ? { taskDefinition } : {}),
          ...(u.desiredCount !== undefined ? { desiredCount: u.desiredCount } : {}),
          ...(u.forceNewDeployment ? { forceNewDeployment: true } : {}),
          ...(u.deploymentConfiguration?.strategy ? { strategy: u.deploymentConfiguration.strategy } : {}),
        },
      });
      return { arn: s.arn };
    },
  };
}

export interface ServiceUpdateOptions {
  cluster: string;
  name: string;
  desiredCount?: string;
  taskDefinition?: string;
  forceNewDeployment?: boolean;
  /** blue-green or rolling. */
  strategy?: string;
  bakeTime?: string;
  wait?: boolean;
  waitTimeout?: string;
}

export async function runServiceUpdate(o: ServiceUpdateOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  validateServiceName(o.name, '--name');
  const strategy = parseStrategyOptions(o);
  if (o.desiredCount === undefined && o.taskDefinition === undefined && !o.forceNewDeployment && !strategy) {
    throw new UsageError('service update: say what to change: --desired-count N, --task-definition FAMILY[:REV], --force-new-deployment and/or --strategy blue-green|rolling.');
  }
  const ref = o.taskDefinition !== undefined ? parseTaskDefinitionRef(o.taskDefinition, '--task-definition') : undefined;
  const launch = validateLaunchOptions({ command: 'service', desiredCount: o.desiredCount, waitTimeout: o.waitTimeout });
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  ctx.requireConfirmable();
  const { account, value, known } = await resolveEcs(
    ctx,
    async (ops) => {
      const [service, td] = await Promise.all([ops.describeService(o.cluster, o.name), ref ? ops.describeTaskDefinition(taskDefinitionRefText(ref)) : undefined]);
      return { service, td };
    },
    { service: undefined as ServiceInfo | undefined, td: undefined as TaskDefinitionInfo | undefined },
  );
  const { service, td } = value;
  let step: Step;
  let updated: ServiceInfo | undefined;
  const before: Step[] = [];
  if (!known) {
    const changes = [
      ...(launch.desiredCount !== undefined ? [`desiredCount → ${launch.desiredCount}`] : []),
      ...(ref ? [`taskDefinition → ${taskDefinitionRefText(ref)}`] : []),
      ...(o.forceNewDeployment ? ['force a new deployment'] : []),
      ...(strategy ? [`strategy → ${strategy.strategy}${strategy.bakeTime !== undefined ? `, bake time ${strategy.bakeTime} min` : ''}`] : []),
    ];
    step = unknownStateStep({ id: 'service', type: 'ecs-service', name: o.name, action: 'update', calls: [{ operation: 'UpdateService', target: `service ${o.name} in ${o.cluster}`, reason: changes.join('; ') }] });
  } else {
    if (!service || service.status !== 'ACTIVE') {
      throw new AwsError('ecs:DescribeServices', 'ServiceNotFoundException', `Service ${o.name} ${service ? `is ${service.status}` : 'does not exist'} in cluster ${o.cluster}: create it with ecsprimer service create.`);
    }
    if (ref) {
      const runsOn = service.launchType ?? strategyPlatform(service.capacityProviderStrategy);
      const source = service.launchType ? `service ${o.name} runs on ${service.launchType}` : `service ${o.name}'s capacityProviderStrategy`;
      assertUsableTaskDefinition(td, ref, runsOn, '--task-definition', source);
    }
    const changes: string[] = [];
    const newTd = td && td.arn !== service.taskDefinition ? td.arn : undefined;
    const newCount = launch.desiredCount !== undefined && launch.desiredCount !== service.desiredCount ? launch.desiredCount : undefined;
    if (newTd) changes.push(`taskDefinition ${service.taskDefinition.slice(service.taskDefinition.lastIndexOf('/') + 1)} → ${td!.family}:${td!.revision}`);
    if (newCount !== undefined) changes.push(`desiredCount ${service.desiredCount} → ${newCount}`);
    if (o.forceNewDeployment) changes.push('force a new deployment (tasks are replaced)');
    const plan = strategy?.strategy === 'BLUE_GREEN' ? blueGreenSteps(ctx, account, service, { strategy: 'BLUE_GREEN', bakeTime: strategy.bakeTime }, await readBlueGreen(ctx, service)) : undefined;
    if (plan) before.push(...plan.steps);
    const deployment = strategyUpdate(service, strategy?.strategy, plan);
    changes.push(...deployment.changes);
    step = changes.length
      ? serviceUpdateStep(ctx, o.cluster, service, { taskDefinition: newTd, desiredCount: newCount, forceNewDeployment: o.forceNewDeployment, ...deployment.fields }, changes, (s) => (updated = s))
      : unchangedStep({ id: 'service', type: 'ecs-service', name: o.name, arn: service.arn, reason: strategy ? `already deploys ${strategy.strategy === 'BLUE_GREEN' ? `blue/green (bake time ${strategy.bakeTime} min)` : 'rolling'} with this task definition and desired count` : 'already has this task definition and desired count' });
    if (changes.length) step.detail = notOursNote(ctx, 'service', service.tags);
  }
  const since = Date.now();
  const report = await executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [...before, step] });
  if (report.dryRun || !o.wait) return report;
  const blueGreen = strategy?.strategy === 'BLUE_GREEN' || (!strategy && service?.deploymentConfiguration?.strategy === 'BLUE_GREEN');
  if (blueGreen && updated) {
    // ECS's blue/green deployment: followed through its lifecycle stages and bake time.
    const fresh = updated.currentServiceDeployment && updated.currentServiceDeployment !== service?.currentServiceDeployment ? updated.currentServiceDeployment : undefined;
    try {
      const d = await waitForServiceDeployment(ctx, await ctx.ecs(), {
        cluster: o.cluster,
        service: o.name,
        ...(fresh ? { deployment: fresh } : {}),
        since,
        bakeMinutes: strategy?.bakeTime ?? updated.deploymentConfiguration?.bakeTimeInMinutes ?? 0,
        timeoutMs,
        resume: resumeWait(ctx, o.cluster, o.name, 'stable'),
      });
      report.data = { ...report.data, deployment: { arn: d.arn, status: d.status, ...(d.targetRevision ? { targetRevision: d.targetRevision } : {}) } };
      return report;
    } catch (e) {
      throw Object.assign(e as Error, { report: { ...report, ok: false } });
    }
  }
  return waitAfter(ctx, report, o.cluster, o.name, 'stable', timeoutMs, startedDeployment(updated));
}

// ---------------------------------------------------------------------------------------------
// service delete

export interface ServiceDeleteOptions {
  cluster: string;
  name: string;
  /** Default true (--no-wait turns it off). */
  wait?: boolean;
  waitTimeout?: string;
}

/** The service a command names (--cluster, --name), checked; and its --wait-timeout. */
function checkService(o: { cluster: string; name: string; waitTimeout?: string }): number | undefined {
  validateClusterName(o.cluster, '--cluster');
  validateServiceName(o.name, '--name');
  return parseWaitTimeout(o.waitTimeout);
}

export async function runServiceDelete(o: ServiceDeleteOptions, ctx: Context): Promise<Report> {
  const timeoutMs = checkService(o);
  const wait = o.wait !== false;
  ctx.requireConfirmable();
  // A scalable target the stack registered for the service (service autoscale) goes first: left,
  // it would outlive the service; meanwhile it could scale the service back up.
  const resourceId = `service/${o.cluster}/${o.name}`;
  const scaled = !ctx.offline && (await ctx.accountOrPlaceholder()) !== UNKNOWN_ACCOUNT && (await ctx.journal()).resources().some((r) => r.type === 'autoscaling-target' && r.name === resourceId && r.present);
  const { account, value, known } = await resolveEcs(
    ctx,
    async (ops) => {
      const [service, scaling] = await Promise.all([ops.describeService(o.cluster, o.name), scaled ? import('./autoscale.js').then((m) => m.readScaling(ctx, resourceId)) : undefined]);
      return { service, scaling };
    },
    { service: undefined as ServiceInfo | undefined, scaling: undefined },
  );
  const service = value.service;
  const before: Step[] = [];
  if (known && value.scaling?.target) {
    const { scalingTargetDeleteStep } = await import('./autoscale.js');
    before.push(scalingTargetDeleteStep(ctx, resourceId, { ...value.scaling.target, policies: value.scaling.policies.map((p) => p.name) }, { id: 'scaling' }));
  }
  const step: Step = known
    ? serviceDeleteStep(ctx, o.cluster, o.name, service, { id: 'service', waitInactive: false, warnNotOurs: true, ...(before.length ? { dependsOn: ['scaling'] } : {}) })
    : unknownStateStep({
        id: 'service',
        type: 'ecs-service',
        name: o.name,
        action: 'delete',
        calls: [
          { operation: 'UpdateService', target: `service ${o.name} in ${o.cluster}`, reason: 'scale to 0' },
          { operation: 'DeleteService', target: `service ${o.name} in ${o.cluster}`, reason: `delete it${wait ? ', then wait until INACTIVE' : ''}` },
        ],
      });
  // Its load balancer stays (other services, or a later one, may use it; its groups wait for the
  // tasks' network interfaces): teardown removes the stack's, in the order AWS needs.
  const balanced = service?.status === 'ACTIVE' && service.loadBalancers?.some((l) => l.targetGroupArn);
  const notes = balanced ? [`its load balancer, target group and security groups stay; ecsprimer teardown --stack ${ctx.stack} removes the stack's (listeners, rules, load balancers, target groups, then security groups)`] : [];
  const report = await executePlan(ctx, { command: ctx.command, account, warnings: [], notes, steps: [...before, step] });
  if (report.dryRun || !wait || !service || service.status === 'INACTIVE') return report;
  return waitAfter(ctx, report, o.cluster, o.name, 'inactive', timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// service wait

export interface ServiceWaitOptions {
  cluster: string;
  name: string;
  until?: ServiceWaitTarget;
  waitTimeout?: string;
}

export async function runServiceWait(o: ServiceWaitOptions, ctx: Context): Promise<Report> {
  const timeoutMs = checkService(o);
  const report = readReport(ctx);
  return waitAfter(ctx, report, o.cluster, o.name, o.until ?? 'stable', timeoutMs);
}
