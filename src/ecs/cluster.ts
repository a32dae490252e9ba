/**
 * `ecsprimer cluster create|delete`. A cluster is created tagged with the stack; an existing
 * ACTIVE one is left as it is ("unchanged"). Delete refuses while services or tasks remain
 * (naming them) unless --force, which scales the services to 0, deletes them and waits until they
 * are INACTIVE, stops the standalone tasks and waits until they are STOPPED, then deletes the
 * cluster.
 */
import type { Context } from '../context.js';
import { RuntimeError } from '../errors.js';
import { parseTags, stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { executePlan } from '../plan/engine.js';
import { type Report, type Step, unknownStateStep } from '../plan/types.js';
import type { ClusterInfo } from '../aws/ecs-types.js';
import { ecsArn } from './arn.js';
import { retryWhileRolePropagates } from './propagation.js';
import { type ClusterContents, clusterDeleteStep, isServiceTask, readClusterContents, resolveEcs, serviceDeleteSteps, stopTasksStep } from './steps.js';
import { parseWaitTimeout } from './launch.js';
import { validateClusterName } from './names.js';

export interface ClusterCreateOptions {
  name: string;
  tag?: string[];
}

export interface ClusterDeleteOptions {
  name: string;
  force?: boolean;
  waitTimeout?: string;
}

/** Creates a cluster tagged with the stack, unless it exists and is ACTIVE (then: unchanged). */
export function clusterCreateStep(ctx: Context, name: string, info: ClusterInfo | undefined, account: string, tags: Record<string, string>): Step {
  const id = `cluster:${name}`;
  if (info && info.status !== 'INACTIVE') {
    const owner = stackOf(info.tags);
    return {
      id,
      type: 'ecs-cluster',
      name,
      arn: info.arn,
      action: 'none',
      state: 'unchanged',
      calls: [],
      reason: `exists (${info.status})${owner === ctx.stack ? '' : owner ? `, created by stack "${owner}"; used as it is` : ', not created by ecsprimer; used as it is'}`,
    };
  }
  const all = stackTags(ctx.stack, tags);
  return {
    id,
    type: 'ecs-cluster',
    name,
    arn: ecsArn(ctx, account, `cluster/${name}`),
    action: 'create',
    calls: [{ operation: 'CreateCluster', target: `cluster ${name}`, reason: `create it, tagged ${STACK_TAG}=${ctx.stack}` }],
    reason: info ? 'only an INACTIVE (deleted) cluster has this name' : 'does not exist yet',
    run: async (rt) => {
      const ops = await ctx.ecs();
      rt.record('intent', { type: 'ecs-cluster', name });
      const c = await retryWhileRolePropagates(ctx, 'CreateCluster', () => ops.createCluster({ name, tags: all }));
      rt.record('created', { type: 'ecs-cluster', name, arn: c.arn });
      return { arn: c.arn };
    },
  };
}

export async function runClusterCreate(o: ClusterCreateOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.name, '--name');
  const tags = parseTags(o.tag);
  ctx.requireConfirmable();
  const { account, value: info } = await resolveEcs(ctx, (ops) => ops.describeCluster(o.name), undefined);
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [clusterCreateStep(ctx, o.name, info, account, tags)] });
}

function listNames(items: string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The refusal of `cluster delete` without --force, naming what remains. */
export function clusterNotEmptyError(name: string, contents: ClusterContents): RuntimeError {
  const s = contents.services;
  const t = contents.tasks;
  const parts: string[] = [];
  if (s.length) parts.push(`${s.length} service${s.length === 1 ? '' : 's'} (${listNames(s.map((x) => `${x.name} ${x.status}`))})`);
  if (t.length) parts.push(`${t.length} task${t.length === 1 ? '' : 's'} not stopped (${listNames(t.map((x) => `${x.id.slice(0, 8)} ${x.lastStatus}`))})`);
  return new RuntimeError(
    'ClusterNotEmpty',
    `Cluster ${name} still has ${parts.join(' and ')}; ECS refuses to delete a cluster that has services or tasks. Remove them first (ecsprimer service delete, ecsprimer task stop), or pass --force to scale the services to 0, delete them, stop the tasks and then delete the cluster. Nothing was changed.`,
  );
}

export async function runClusterDelete(o: ClusterDeleteOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.name, '--name');
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  ctx.requireConfirmable();
  const { account, value, known } = await resolveEcs(
    ctx,
    async (ops) => {
      const [info, contents] = await Promise.all([ops.describeCluster(o.name), readClusterContents(ops, o.name)]);
      return { info, contents };
    },
    { info: undefined as ClusterInfo | undefined, contents: { services: [], tasks: [] } as ClusterContents },
  );
  if (!known) {
    const step = unknownStateStep({
      id: `cluster:${o.name}`,
      type: 'ecs-cluster',
      name: o.name,
      arn: ecsArn(ctx, account, `cluster/${o.name}`),
      action: 'delete',
      calls: [
        ...(o.force ? [{ operation: 'UpdateService/DeleteService, StopTask', target: `everything in ${o.name}`, reason: 'scale services to 0, delete them, stop tasks' }] : []),
        { operation: 'DeleteCluster', target: `cluster ${o.name}`, reason: 'delete the cluster' },
      ],
    });
    return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
  }
  const { info, contents } = value;
  const warnings: string[] = [];
  if (!info || info.status === 'INACTIVE') {
    return executePlan(ctx, { command: ctx.command, account, warnings, steps: [clusterDeleteStep(ctx, o.name, info)] });
  }
  if (info.registeredContainerInstancesCount > 0) {
    warnings.push(
      `cluster ${o.name} has ${info.registeredContainerInstancesCount} registered container instance(s); ECS refuses to delete a cluster until they are deregistered (terminate the EC2 instances or run aws ecs deregister-container-instance). ecsprimer does not touch EC2 instances.`,
    );
  }
  const notEmpty = contents.services.length > 0 || contents.tasks.length > 0;
  if (notEmpty && !o.force) throw clusterNotEmptyError(o.name, contents);
  const wait = { timeoutMs };
  const services = serviceDeleteSteps(ctx, o.name, contents.services, { waitInactive: true, wait, warnNotOurs: true });
  const standalone = contents.tasks.filter((t) => !isServiceTask(t));
  const tasks = standalone.length
    ? [stopTasksStep(ctx, o.name, standalone, { id: `tasks:${o.name}`, waitStopped: true, wait, reason: `ecsprimer cluster delete --force (stack ${ctx.stack})` })]
    : [];
  const before = [...services, ...tasks].filter((s) => s.action !== 'none').map((s) => s.id);
  const cluster = clusterDeleteStep(ctx, o.name, info, { dependsOn: before, warnNotOurs: true });
  return executePlan(ctx, { command: ctx.command, account, warnings, steps: [...services, ...tasks, cluster] });
}
