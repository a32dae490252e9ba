/**
 * Building blocks of ECS plans, shared by the cluster/task/service commands and by the teardown:
 * the reads a delete needs, and the delete steps.
 *
 * Every step journals its own changes right after ECS confirms them (`deleted` for a task it
 * stopped, a service or cluster it deleted, a revision it deleted; `updated` for a revision
 * deregistered). A resource already gone counts as done ("absent").
 */
import type { Context } from '../context.js';
import { AwsError, RuntimeError } from '../errors.js';
import type { EcsOps } from '../aws/ecs-ops.js';
import type { ClusterInfo, ServiceInfo, TaskDefinitionInfo, TaskDefinitionSummary, TaskInfo } from '../aws/ecs-types.js';
import { notOursNote } from '../plan/render.js';
import { resolveState, type Resolved } from '../plan/resolve.js';
import { retryWhile } from '../plan/retry.js';
import { DESCRIBE_CONCURRENCY, mapLimit } from '../aws/concurrency.js';
import { errorName } from '../aws/errors.js';
import { absentStep, type Step, type StepRuntime } from '../plan/types.js';
import { waitForService, waitForTasks, type WaitOptions } from './waiters.js';


/** resolveState with the ECS operations: `read(ops)` and the account in one round trip. */
export function resolveEcs<T>(ctx: Context, read: (ops: EcsOps) => Promise<T>, assume: T): Promise<Resolved<T>> {
  return resolveState(ctx, async () => read(await ctx.ecs()), assume);
}

/** The startedBy ecsprimer gives standalone tasks: ListTasks can filter on it (teardown finds a stack's tasks in O(stack)). */
export function startedByFor(stack: string): string {
  return `ecsprimer/${stack}`;
}

export function isServiceTask(t: TaskInfo): boolean {
  return (t.group ?? '').startsWith('service:') || (t.startedBy ?? '').startsWith('ecs-svc/');
}

// ---------------------------------------------------------------------------------------------
// Reads (resolve phase)

export interface ClusterContents {
  /** Services that are ACTIVE or DRAINING (INACTIVE ones are history). */
  services: ServiceInfo[];
  /** Tasks not yet STOPPED (both standalone and services'). */
  tasks: TaskInfo[];
}

/**
 * What keeps a cluster from being deleted: its services (ListServices + DescribeServices, 10 per
 * call) and its tasks not yet STOPPED, whatever their desired status (ListTasks of both + DescribeTasks,
 * 100 per call). Two round trips, O(contents of the cluster). The task states come from
 * DescribeTasks, not from ListTasks' desiredStatus filter alone (moto keeps desiredStatus RUNNING on
 * tasks that stopped by themselves; a task stopping has desiredStatus STOPPED).
 */
export async function readClusterContents(ops: EcsOps, cluster: string): Promise<ClusterContents> {
  const gone = (e: unknown): string[] => {
    if (errorName(e) === 'ClusterNotFoundException') return [];
    throw e;
  };
  // A task asked to stop has desiredStatus STOPPED but still blocks the delete until it is.
  const [serviceArns, running, stopping] = await Promise.all([
    ops.listServices(cluster),
    ops.listTasks(cluster, { desiredStatus: 'RUNNING' }).catch(gone),
    ops.listTasks(cluster, { desiredStatus: 'STOPPED' }).catch(gone),
  ]);
  const [services, tasks] = await Promise.all([ops.describeServices(cluster, serviceArns), ops.describeTasks(cluster, [...new Set([...running, ...stopping])])]);
  return { services: services.filter((s) => s.status !== 'INACTIVE'), tasks: tasks.filter((t) => t.lastStatus !== 'STOPPED') };
}

/**
 * The ACTIVE and INACTIVE revisions of exactly `family`: two concurrent, paged lists, plus the
 * `known` revisions (ARNs or family:revision, from the journal and tags) they left out, each
 * described (at most 10 at a time). ListTaskDefinitions lists an INACTIVE revision only while
 * something still references it, so the lists alone miss most of them.
 */
export async function readTaskDefinitionRevisions(ops: EcsOps, family: string, known: string[] | Promise<string[]> = []): Promise<TaskDefinitionSummary[]> {
  const [active, inactive, more] = await Promise.all([ops.listTaskDefinitions(family, 'ACTIVE'), ops.listTaskDefinitions(family, 'INACTIVE'), known]);
  const listed = new Set([...active, ...inactive].map((r) => r.revision));
  const missing = [...new Set(more.map((k) => Number(k.slice(k.lastIndexOf(':') + 1))))].filter((n) => Number.isInteger(n) && n > 0 && !listed.has(n));
  const described = await mapLimit(missing, DESCRIBE_CONCURRENCY, (n) => ops.describeTaskDefinition(`${family}:${n}`));
  const found = described
    .filter((td): td is TaskDefinitionInfo => td !== undefined && td.family === family && (td.status === 'ACTIVE' || td.status === 'INACTIVE'))
    .map((td): TaskDefinitionSummary => ({ arn: td.arn, family, revision: td.revision, status: td.status }));
  return [...active, ...inactive, ...found].sort((a, b) => a.revision - b.revision);
}


// ---------------------------------------------------------------------------------------------
// Delete steps

export interface StepPlacement {
  /** Step id (default per builder). */
  id?: string;
  dependsOn?: string[];
}


/**
 * Deletes a cluster. `info` is its DescribeClusters answer (undefined or INACTIVE: "already
 * absent"). The cluster must be empty by the time it runs: put the service and task steps in
 * `dependsOn`.
 */
export function clusterDeleteStep(ctx: Context, name: string, info: ClusterInfo | undefined, opts: StepPlacement & { warnNotOurs?: boolean } = {}): Step {
  const id = opts.id ?? `cluster:${name}`;
  if (!info || info.status === 'INACTIVE') {
    return absentStep({ id, type: 'ecs-cluster', name, reason: info ? 'already deleted (INACTIVE)' : 'does not exist', dependsOn: opts.dependsOn });
  }
  return {
    id,
    type: 'ecs-cluster',
    name,
    arn: info.arn,
    action: 'delete',
    calls: [{ operation: 'DeleteCluster', target: `cluster ${name}`, reason: 'delete the cluster (it becomes INACTIVE)' }],
    reason: 'exists',
    detail: opts.warnNotOurs ? notOursNote(ctx, 'cluster', info.tags) : undefined,
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      const ops = await ctx.ecs();
      let gone: ClusterInfo | undefined;
      try {
        // Right after the last services and tasks went, ECS may still count them for a while.
        gone = await retryWhile(
          ctx,
          {
            operation: 'ecs:DeleteCluster',
            transient: (e) => /^(ClusterContainsServicesException|ClusterContainsTasksException|UpdateInProgressException)$/.test(errorName(e)),
            waitingFor: `ECS to see that cluster ${name} is empty`,
            accepted: `cluster ${name} deleted`,
            giveUp: 'ECS still counted services or tasks in it after {waited}.',
          },
          () => ops.deleteCluster(name),
        );
      } catch (e) {
        const code = errorName(e);
        if (/ClusterContains(Services|Tasks|ContainerInstances)/.test(code)) {
          const what = code.includes('Services') ? 'services' : code.includes('Tasks') ? 'tasks' : 'registered container instances';
          throw new AwsError('ecs:DeleteCluster', code, `Cluster ${name} still has ${what}, so ECS refuses to delete it. ${what === 'registered container instances' ? 'Deregister its container instances (terminate the EC2 instances or run aws ecs deregister-container-instance) and run again.' : `Run \`ecsprimer cluster delete --name ${name} --force\` to remove them first.`}`, { cause: e });
        }
        throw e;
      }
      rt.record('deleted', { type: 'ecs-cluster', name, arn: info.arn });
      return gone ? { arn: info.arn } : { arn: info.arn, status: 'absent', action: 'none', note: 'already gone' };
    },
  };
}

export interface ServiceDeleteOptions extends StepPlacement {
  /** Wait until the service is INACTIVE before the step ends (default true: what cluster delete and teardown need). */
  waitInactive?: boolean;
  wait?: WaitOptions;
  warnNotOurs?: boolean;
}

/**
 * Deletes a service (with force when it runs tasks: ECS stops them, one call instead of scaling to
 * 0 first) and (by default) waits until it is INACTIVE. `info` is its
 * DescribeServices answer (undefined or INACTIVE: "already absent"; DRAINING: only the wait).
 */
export function serviceDeleteStep(ctx: Context, cluster: string, name: string, info: ServiceInfo | undefined, opts: ServiceDeleteOptions = {}): Step {
  const id = opts.id ?? `service:${cluster}/${name}`;
  const waitInactive = opts.waitInactive ?? true;
  const wait = async (rt: StepRuntime) =>
    waitForService(rt.ctx, await ctx.ecs(), cluster, name, 'inactive', {
      ...opts.wait,
      resume: `ecsprimer service wait --cluster ${cluster} --name ${name} --until inactive --stack ${ctx.stack}`,
    });
  if (!info || info.status === 'INACTIVE') {
    return absentStep({ id, type: 'ecs-service', name, reason: info ? 'already deleted (INACTIVE)' : 'does not exist', dependsOn: opts.dependsOn });
  }
  // DRAINING: deleted already, its tasks are stopping; only the wait is left.
  const draining = info.status === 'DRAINING';
  if (draining && !waitInactive) return absentStep({ id, type: 'ecs-service', name, arn: info.arn, reason: 'already deleted (DRAINING: its tasks are stopping)', dependsOn: opts.dependsOn });
  const calls = draining
    ? []
    : [
        {
          operation: 'DeleteService',
          target: `service ${name} in ${cluster}`,
          reason: `delete it${info.desiredCount > 0 ? ` with force: ECS stops its ${info.desiredCount} task(s) (no scaling to 0 first)` : ''}${waitInactive ? ', then wait until it is INACTIVE' : ''}`,
        },
      ];
  return {
    id,
    type: 'ecs-service',
    name,
    arn: info.arn,
    action: 'delete',
    calls,
    reason: draining ? 'already deleted (DRAINING): wait until INACTIVE' : `exists (${info.status}, ${info.runningCount} running of ${info.desiredCount})`,
    detail: opts.warnNotOurs && !draining ? notOursNote(ctx, 'service', info.tags) : undefined,
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      if (draining) {
        await wait(rt);
        return { arn: info.arn, status: 'absent', action: 'none', note: 'was DRAINING; now INACTIVE' };
      }
      const ops = await ctx.ecs();
      // DeleteService --force scales to 0 and deletes in one call (the AWS CLI's delete-service --force).
      const deleted = await ops.deleteService(cluster, name, info.desiredCount > 0);
      rt.record('deleted', { type: 'ecs-service', name, parent: cluster, arn: info.arn });
      // ECS answers DRAINING while tasks still need stopping, INACTIVE when none did (nothing to
      // wait for then: its answer is what the first poll would read).
      if (waitInactive && deleted?.status !== 'INACTIVE') await wait(rt);
      return deleted ? { arn: info.arn, note: waitInactive || deleted.status === 'INACTIVE' ? 'deleted; INACTIVE' : 'deleted; draining' } : { arn: info.arn, status: 'absent', action: 'none', note: 'already gone' };
    },
  };
}

/** serviceDeleteStep for each service of one cluster (they run concurrently: they do not depend on each other). */
export function serviceDeleteSteps(ctx: Context, cluster: string, services: ServiceInfo[], opts: Omit<ServiceDeleteOptions, 'id'> = {}): Step[] {
  return services.map((s) => serviceDeleteStep(ctx, cluster, s.name, s, opts));
}

export interface StopTasksOptions extends StepPlacement {
  /** StopTask's reason (shown in the task's stoppedReason). */
  reason?: string;
  /** Wait until every task is STOPPED before the step ends (what a cluster delete needs). */
  waitStopped?: boolean;
  wait?: WaitOptions;
  /** Step name (default: "N task(s) in CLUSTER"). */
  name?: string;
}

/**
 * Stops tasks of one cluster (concurrently) and optionally waits until they are STOPPED. Tasks
 * already STOPPED are left out; those already stopping (desiredStatus STOPPED) are only waited for.
 */
export function stopTasksStep(ctx: Context, cluster: string, tasks: TaskInfo[], opts: StopTasksOptions = {}): Step {
  const live = tasks.filter((t) => t.lastStatus !== 'STOPPED');
  const toStop = live.filter((t) => t.desiredStatus !== 'STOPPED');
  const name = opts.name ?? (tasks.length === 1 ? tasks[0].id : `${live.length} task(s) in ${cluster}`);
  const id = opts.id ?? `tasks:${cluster}${tasks.length === 1 ? `/${tasks[0].id}` : ''}`;
  if (live.length === 0 || (toStop.length === 0 && !opts.waitStopped)) {
    return absentStep({ id, type: 'ecs-task', name, reason: tasks.length ? (live.length ? 'already stopping' : 'already STOPPED') : 'no tasks', dependsOn: opts.dependsOn });
  }
  const reason = opts.reason ?? `ecsprimer (stack ${ctx.stack})`;
  return {
    id,
    type: 'ecs-task',
    name,
    ...(tasks.length === 1 ? { arn: tasks[0].arn } : {}),
    action: 'delete',
    calls: toStop.map((t) => ({ operation: 'StopTask', target: `task ${t.id} in ${cluster}`, reason: `stop it (${t.lastStatus}${isServiceTask(t) ? `, of ${t.group}` : ''})${opts.waitStopped ? ' and wait until STOPPED' : ''}` })),
    reason: `${live.length} not stopped`,
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      const ops = await ctx.ecs();
      const stopped = await mapLimit(toStop, 10, async (t) => {
        const r = await ops.stopTask(cluster, t.arn, reason);
        rt.record('deleted', { type: 'ecs-task', name: t.id, parent: cluster, arn: t.arn, ...(r ? {} : { data: { alreadyGone: true } }) });
        return r ?? { ...t, lastStatus: 'STOPPED' };
      });
      if (opts.waitStopped) {
        const initial = live.map((t) => stopped.find((s) => s.id === t.id) ?? t);
        await waitForTasks(rt.ctx, ops, cluster, initial, 'stopped', {
          ...opts.wait,
          resume: `ecsprimer task wait --cluster ${cluster} ${live.map((t) => `--task ${t.id}`).join(' ')} --until stopped`,
        });
      }
      return { note: `${toStop.length} stopped${opts.waitStopped ? ', all STOPPED' : ''}` };
    },
  };
}

export interface TaskDefinitionDeleteOptions extends StepPlacement {
  /** Deregister only: leave the revisions INACTIVE (no DeleteTaskDefinitions). */
  keepInactive?: boolean;
}

function revisionList(family: string, revs: TaskDefinitionSummary[]): string {
  if (revs.length <= 6) return revs.map((r) => `${family}:${r.revision}`).join(', ');
  return `${family}:${revs[0].revision} … ${family}:${revs[revs.length - 1].revision} (${revs.length} revisions)`;
}

/**
 * Deregisters the ACTIVE revisions of one family (concurrently, 10 at a time), then deletes them
 * and the INACTIVE ones with DeleteTaskDefinitions in batches of 10, so no INACTIVE revision is
 * left behind. When the endpoint does not implement DeleteTaskDefinitions, the revisions stay
 * INACTIVE and the step says so (a warning, not a failure).
 */
export function taskDefinitionDeleteStep(ctx: Context, family: string, revisions: TaskDefinitionSummary[], opts: TaskDefinitionDeleteOptions = {}): Step {
  const id = opts.id ?? `taskdef:${family}`;
  const active = revisions.filter((r) => r.status === 'ACTIVE');
  const toDelete = opts.keepInactive ? [] : revisions.filter((r) => r.status === 'ACTIVE' || r.status === 'INACTIVE');
  if (active.length === 0 && toDelete.length === 0) {
    return absentStep({ id, type: 'ecs-task-definition', name: family, reason: revisions.length ? 'only INACTIVE revisions, kept (--keep-inactive)' : 'no revisions', dependsOn: opts.dependsOn });
  }
  const batches: TaskDefinitionSummary[][] = [];
  for (let i = 0; i < toDelete.length; i += 10) batches.push(toDelete.slice(i, i + 10));
  const calls = [
    ...(active.length ? [{ operation: `DeregisterTaskDefinition${active.length > 1 ? ` ×${active.length}` : ''}`, target: revisionList(family, active), reason: 'make the ACTIVE revisions INACTIVE (no new task or service can use them)' }] : []),
    ...batches.map((b) => ({ operation: 'DeleteTaskDefinitions', target: revisionList(family, b), reason: 'delete the INACTIVE revisions for good' })),
  ];
  const single = revisions.length === 1 ? revisions[0] : undefined;
  return {
    id,
    type: 'ecs-task-definition',
    name: single ? `${family}:${single.revision}` : family,
    ...(single ? { arn: single.arn } : {}),
    action: 'delete',
    calls,
    reason: `${active.length} ACTIVE, ${revisions.length - active.length} INACTIVE revision(s)`,
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      const ops = await ctx.ecs();
      await mapLimit(active, 10, async (r) => {
        const out = await ops.deregisterTaskDefinition(r.arn);
        if (out) rt.record('updated', { type: 'ecs-task-definition', name: `${family}:${r.revision}`, arn: r.arn, data: { status: 'INACTIVE' } });
      });
      if (toDelete.length === 0) return { note: `${active.length} revision(s) deregistered; kept INACTIVE` };
      const { isUnsupportedOperation } = await import('../aws/ecs-ops.js');
      const failures: string[] = [];
      let unsupported = false;
      await mapLimit(batches, 4, async (batch) => {
        if (unsupported) return;
        try {
          const res = await ops.deleteTaskDefinitions(batch.map((r) => r.arn));
          const deleted = new Set(res.deleted);
          for (const r of batch) {
            if (deleted.has(r.arn) || deleted.has(`${family}:${r.revision}`)) {
              rt.record('deleted', { type: 'ecs-task-definition', name: `${family}:${r.revision}`, arn: r.arn });
            }
          }
          for (const f of res.failures) {
            if (/does not exist/i.test(f.reason)) {
              const fr = batch.find((r) => r.arn === f.arn);
              if (fr) rt.record('deleted', { type: 'ecs-task-definition', name: `${family}:${fr.revision}`, arn: fr.arn, data: { alreadyGone: true } });
              continue;
            }
            failures.push(`${f.arn.slice(f.arn.lastIndexOf('/') + 1)}: ${f.reason}`);
          }
        } catch (e) {
          if (isUnsupportedOperation(e)) {
            unsupported = true;
            return;
          }
          throw e;
        }
      });
      if (unsupported) {
        ctx.ui.warn(`this endpoint does not implement DeleteTaskDefinitions: ${family}'s revisions were deregistered and stay INACTIVE (AWS deletes them with DeleteTaskDefinitions).`);
        return { note: `${active.length} deregistered; DeleteTaskDefinitions not available here, left INACTIVE` };
      }
      if (failures.length) {
        throw new RuntimeError('DeleteTaskDefinitionsFailed', `ECS did not delete ${failures.length} revision(s) of ${family}: ${failures.join('; ')}. Run the command again once the reason is fixed.`);
      }
      return { note: `${active.length} deregistered, ${toDelete.length} deleted` };
    },
  };
}
