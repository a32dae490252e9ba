/**
 * `ecsprimer task run|wait|stop|list`: standalone tasks.
 *
 * run: RunTask tagged with the stack, on the default VPC when no subnets are given, then
 * optionally waits for RUNNING or STOPPED and exits with the essential container's exit code.
 */
import { randomUUID } from 'node:crypto';
import type { RunTaskCommandInput, TaskOverride } from '@aws-sdk/client-ecs';
import type { Context } from '../context.js';
import { AwsError, InputError, UsageError, type InputIssue } from '../errors.js';
import { fillDocument, PROBE_ACCOUNT, readDocument } from '../input/documents.js';
import { stackOf, stackTags, parseTags, STACK_TAG } from '../input/tags.js';
import { executePlan } from '../plan/engine.js';
import { resolveState } from '../plan/resolve.js';
import { absentStep, readReport, type Report, type Step, unknownStateStep } from '../plan/types.js';
import type { TaskDefinitionInfo, TaskInfo } from '../aws/ecs-types.js';
import { taskDefinitionRefText } from './compare.js';
import { assumedTarget, checkTarget, readTarget, refusePublicIpOnEc2, type TargetRequest } from './target.js';
import { networkInput, networkNote, placementInput, toEcsTags, type NetworkChoice } from './inputs.js';
import { reportStopped, taskData } from './task-report.js';
import { unknownOverrideContainers, validateOverrides } from './overrides.js';
import { retryWhileRolePropagates } from './propagation.js';
import { isServiceTask, resolveEcs, startedByFor, stopTasksStep } from './steps.js';
import { parseWaitTimeout, sharedLaunchOptions, validateLaunchOptions } from './launch.js';
import { parseTaskDefinitionRef, validateClusterName } from './names.js';
import { waitForTasks, type TaskWaitTarget } from './waiters.js';

// ---------------------------------------------------------------------------------------------
// task run

export interface TaskRunOptions {
  cluster: string;
  taskDefinition: string;
  launchType?: string;
  count?: string;
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
  overrides?: string;
  placementStrategy?: string[];
  placementConstraint?: string[];
  wait?: TaskWaitTarget;
  waitTimeout?: string;
  tag?: string[];
  /** Stream the containers' log lines until the tasks stop (implies waiting for STOPPED). */
  follow?: boolean;
  /** Run `task verify` first; start nothing when a check fails. */
  verify?: boolean;
}

/**
 * Waits for tasks and puts the outcome into the report: tasks (with containers' exit codes) in
 * `data`, and for `stopped` the essential container's exit code as the report's exit code.
 * Failures throw with the report attached (main prints its data with the error).
 */
export async function waitAndReport(ctx: Context, report: Report, cluster: string, started: TaskInfo[], until: TaskWaitTarget, timeoutMs: number | undefined, tds: Map<string, TaskDefinitionInfo | undefined>): Promise<Report> {
  const ops = await ctx.ecs();
  const resume = `ecsprimer task wait --cluster ${cluster} ${started.map((t) => `--task ${t.id}`).join(' ')} --until ${until}`;
  let final: TaskInfo[];
  try {
    final = await waitForTasks(ctx, ops, cluster, started, until, { timeoutMs, resume });
  } catch (e) {
    report.data = { ...report.data, tasks: started.map((t) => taskData(t)) };
    throw Object.assign(e as Error, { report: { ...report, ok: false } });
  }
  if (until === 'running') {
    report.data = { ...report.data, tasks: final.map((t) => taskData(t)) };
    return report;
  }
  return reportStopped(ctx, report, final, tds);
}

/** The RunTask input for the resolved state (pure; exported for tests). */
export function runTaskInput(
  ctx: Context,
  a: {
    cluster: string;
    taskDefinition: string;
    count: number;
    launchType: 'FARGATE' | 'EC2';
    network?: NetworkChoice;
    launch: Parameters<typeof placementInput>[0];
    overrides?: TaskOverride;
    tags: Record<string, string>;
    propagate: boolean;
    clientToken: string;
  },
): RunTaskCommandInput {
  return {
    cluster: a.cluster,
    taskDefinition: a.taskDefinition,
    count: a.count,
    launchType: a.launchType,
    ...networkInput(a.network),
    ...placementInput(a.launch),
    ...(a.overrides ? { overrides: a.overrides } : {}),
    tags: toEcsTags(stackTags(ctx.stack, a.tags)),
    ...(a.propagate ? { propagateTags: 'TASK_DEFINITION' as const } : {}),
    enableECSManagedTags: true,
    startedBy: startedByFor(ctx.stack),
    clientToken: a.clientToken,
  };
}

export async function runTaskRun(o: TaskRunOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  const ref = parseTaskDefinitionRef(o.taskDefinition, '--task-definition');
  const launch = validateLaunchOptions({ command: 'run', launchType: o.launchType, count: o.count, ...sharedLaunchOptions(o) });
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  const tags = parseTags(o.tag);
  refusePublicIpOnEc2(launch.launchType, o.assignPublicIp);
  if (o.follow && o.wait === 'running') throw new UsageError('task run: --follow follows the task until it stops; it cannot be combined with --wait running.');
  const warnings: string[] = [];
  let overrides: TaskOverride | undefined;
  let overridesSource = '--overrides';
  if (o.overrides !== undefined) {
    const doc = await readDocument(ctx, o.overrides, '--overrides');
    overridesSource = doc.source;
    const filled = fillDocument(doc, ctx.placeholders(PROBE_ACCOUNT));
    const v = validateOverrides(filled, doc.source);
    const issues = [...v.issues, ...ctx.wrongPartition(filled)];
    if (issues.length) throw new InputError(doc.source, issues);
    warnings.push(...v.warnings);
    overrides = v.overrides;
  }
  const refText = taskDefinitionRefText(ref);
  const count = launch.count ?? 1;
  ctx.requireConfirmable();
  if (o.verify && !ctx.opts.dryRun) {
    const { verifyFirst } = await import('./verify.js');
    await verifyFirst(ctx, { ref, cluster: o.cluster, launchType: launch.launchType, network: { subnets: launch.subnets, securityGroups: launch.securityGroups, assignPublicIp: o.assignPublicIp, launchType: launch.launchType } });
  }

  const target: TargetRequest = {
    cluster: o.cluster,
    ref,
    launchType: launch.launchType,
    network: { subnets: launch.subnets, securityGroups: launch.securityGroups, assignPublicIp: o.assignPublicIp, launchType: launch.launchType },
  };
  const { account, value, known } = await resolveState(ctx, () => readTarget(ctx, target), assumedTarget(target));
  const { td, network } = value;
  if (known) {
    checkTarget(target, value);
    if (overrides) {
      const bad: InputIssue[] = unknownOverrideContainers(overrides, value.td.containers.map((c) => c.name));
      if (bad.length) throw new InputError(overridesSource, bad);
    }
  }
  const notes = network ? [networkNote(network, launch.launchType)] : [];
  const tdOwner = td ? stackOf(td.tags) : undefined;
  const propagate = !td || tdOwner === undefined || tdOwner === ctx.stack;
  if (!propagate) notes.push(`tags: the task definition belongs to stack "${tdOwner}", so its tags are not propagated to the task (it gets ${STACK_TAG}=${ctx.stack}).`);
  const taskDefinition = td?.arn ?? refText;
  const tdLabel = td ? `${td.family}:${td.revision}` : refText;
  const clientToken = randomUUID();
  const input = runTaskInput(ctx, { cluster: o.cluster, taskDefinition, count, launchType: launch.launchType, network, launch, overrides, tags, propagate, clientToken });

  let started: TaskInfo[] = [];
  const step: Step = {
    id: 'run',
    type: 'ecs-task',
    name: `${count} × ${tdLabel} in ${o.cluster}`,
    action: 'create',
    calls: [
      {
        operation: 'RunTask',
        passRoles: [td?.definition.executionRoleArn, td?.definition.taskRoleArn].filter((r): r is string => Boolean(r)),
        target: `${count} × ${tdLabel} on ${launch.launchType}, cluster ${o.cluster}`,
        reason: `start ${count === 1 ? 'the task' : `${count} tasks`}, tagged ${STACK_TAG}=${ctx.stack}${o.wait ? `, then wait until ${o.wait === 'running' ? 'RUNNING' : 'STOPPED'}` : ''}`,
      },
    ],
    reason: 'a standalone task',
    run: async (rt) => {
      const ops = await ctx.ecs();
      // The task ids are not known before RunTask answers: the intent names the request's client token.
      rt.record('intent', { type: 'ecs-task', name: `run-${clientToken}`, parent: o.cluster, data: { startedBy: input.startedBy, taskDefinition } });
      const r = await retryWhileRolePropagates(ctx, 'RunTask', () => ops.runTask(input));
      for (const t of r.tasks) rt.record('created', { type: 'ecs-task', name: t.id, parent: o.cluster, arn: t.arn, data: { taskDefinition: t.taskDefinitionArn, startedBy: input.startedBy } });
      rt.record('deleted', { type: 'ecs-task', name: `run-${clientToken}`, parent: o.cluster, data: { resolvedIntent: r.tasks.map((t) => t.id) } });
      started = r.tasks;
      if (r.tasks.length === 0) {
        throw new AwsError('ecs:RunTask', 'RunTaskFailed', `ECS started no task: ${r.failures.map((f) => f.reason).join('; ') || 'no reason given'}.${launch.launchType === 'EC2' ? ' On EC2, check that the cluster has container instances with enough free CPU and memory (RESOURCE:*), and that they are connected (AGENT).' : ''}`);
      }
      if (r.failures.length) ctx.ui.warn(`ECS started ${r.tasks.length} of ${count} tasks: ${r.failures.map((f) => f.reason).join('; ')}`);
      return { name: r.tasks.map((t) => t.id).join(', '), arn: r.tasks.length === 1 ? r.tasks[0].arn : undefined, note: `started ${r.tasks.length} task(s)` };
    },
  };
  const report = await executePlan(ctx, { command: ctx.command, account, warnings, notes, steps: [step] });
  if (report.dryRun) return report;
  report.data = {
    ...report.data,
    tasks: started.map((t) => taskData(t)),
    ...(network ? { network: { subnets: network.subnets, securityGroups: network.securityGroups, assignPublicIp: network.assignPublicIp ?? 'DISABLED', chosen: network.source } } : {}),
  };
  if (started.length === 0) return report;
  const tds = new Map([[td?.arn ?? '', td]]);
  if (o.follow) {
    const { followTasks } = await import('./task-logs.js');
    return followTasks(ctx, report, o.cluster, started, tds);
  }
  if (!o.wait) return report;
  return waitAndReport(ctx, report, o.cluster, started, o.wait, timeoutMs, tds);
}

// ---------------------------------------------------------------------------------------------
// task wait (resume a wait, or wait for tasks started elsewhere)

export interface TaskWaitOptions {
  cluster: string;
  task: string[];
  until?: TaskWaitTarget;
  waitTimeout?: string;
}

async function taskDefinitionsOf(ctx: Context, tasks: TaskInfo[]): Promise<Map<string, TaskDefinitionInfo | undefined>> {
  const ops = await ctx.ecs();
  const arns = [...new Set(tasks.map((t) => t.taskDefinitionArn).filter(Boolean))];
  const found = await Promise.all(arns.map((a) => ops.describeTaskDefinition(a).catch(() => undefined)));
  return new Map(arns.map((a, i) => [a, found[i]]));
}

export async function runTaskWait(o: TaskWaitOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  if (!o.task?.length) throw new UsageError('task wait: give the tasks to wait for with --task ID (repeatable).');
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  const until = o.until ?? 'stopped';
  const ops = await ctx.ecs();
  const tasks = await ops.describeTasks(o.cluster, o.task);
  const missing = o.task.filter((id) => !tasks.some((t) => t.id === id.slice(id.lastIndexOf('/') + 1)));
  if (missing.length) throw new AwsError('ecs:DescribeTasks', 'TaskNotFound', `Cluster ${o.cluster} has no task ${missing.join(', ')} (ECS forgets stopped tasks after about an hour).`);
  const tds = until === 'stopped' ? await taskDefinitionsOf(ctx, tasks) : new Map();
  const report = readReport(ctx);
  return waitAndReport(ctx, report, o.cluster, tasks, until, timeoutMs, tds);
}

// ---------------------------------------------------------------------------------------------
// task stop

export interface TaskStopOptions {
  cluster: string;
  task?: string[];
  all?: boolean;
  reason?: string;
  wait?: boolean;
  waitTimeout?: string;
}

export async function runTaskStop(o: TaskStopOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  const ids = o.task ?? [];
  if (o.all && ids.length) throw new UsageError('task stop: give either --task ID ... or --all, not both.');
  if (!o.all && ids.length === 0) throw new UsageError('task stop: name the tasks with --task ID|ARN (repeatable), or pass --all for every standalone task of the cluster.');
  for (const id of ids) {
    if (!/^(arn:aws[\w-]*:ecs:[a-z0-9-]+:\d{12}:task\/)?([\w-]+\/)?[0-9a-zA-Z-]{1,64}$/.test(id)) {
      throw new InputError('--task', { message: `"${id}" is not a task id or task ARN`, fix: 'use the id shown by ecsprimer task list (e.g. 0123456789abcdef0123456789abcdef) or the task ARN' });
    }
  }
  if (o.reason !== undefined && o.reason.length > 255) throw new InputError('--reason', { message: `is ${o.reason.length} characters long; ECS keeps at most 255` });
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  ctx.requireConfirmable();
  const { account, value: tasks, known } = await resolveEcs(
    ctx,
    async (ops) => {
      if (!o.all) return ops.describeTasks(o.cluster, ids);
      const arns = await ops.listTasks(o.cluster, { desiredStatus: 'RUNNING' });
      return (await ops.describeTasks(o.cluster, arns)).filter((t) => !isServiceTask(t) && t.lastStatus !== 'STOPPED');
    },
    [] as TaskInfo[],
  );
  const warnings: string[] = [];
  const wait = { timeoutMs };
  let steps: Step[];
  if (!known) {
    const what = o.all ? `every standalone task in ${o.cluster}` : ids.join(', ');
    steps = [unknownStateStep({ id: 'stop', type: 'ecs-task', name: what, action: 'delete', calls: [{ operation: 'StopTask', target: what, reason: 'stop' }] })];
  } else {
    const found = new Set(tasks.map((t) => t.id));
    steps = tasks.map((t) => stopTasksStep(ctx, o.cluster, [t], { id: `stop:${t.id}`, reason: o.reason, waitStopped: o.wait, wait }));
    for (const id of ids) {
      const short = id.slice(id.lastIndexOf('/') + 1);
      if (!found.has(short)) steps.push(absentStep({ id: `stop:${short}`, type: 'ecs-task', name: short, reason: `not found in cluster ${o.cluster}` }));
    }
    for (const t of tasks) if (isServiceTask(t) && !o.all) warnings.push(`task ${t.id} belongs to ${t.group}: the service will start a replacement; scale the service instead (ecsprimer service update --desired-count N).`);
    if (o.all && tasks.length === 0) steps.push(absentStep({ id: 'stop', type: 'ecs-task', name: `standalone tasks in ${o.cluster}`, reason: 'none running' }));
  }
  return executePlan(ctx, { command: ctx.command, account, warnings, steps });
}

// ---------------------------------------------------------------------------------------------
// task list

export interface TaskListOptions {
  cluster: string;
  status?: 'RUNNING' | 'STOPPED';
  family?: string;
}

export async function runTaskList(o: TaskListOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  if (o.family !== undefined) parseTaskDefinitionRef(o.family, '--family');
  const ops = await ctx.ecs();
  const arns = await ops.listTasks(o.cluster, { desiredStatus: o.status ?? 'RUNNING', ...(o.family ? { family: o.family } : {}) });
  const tasks = await ops.describeTasks(o.cluster, arns);
  const report = readReport(ctx, { cluster: o.cluster, tasks });
  if (ctx.opts.output === 'text') {
    if (tasks.length === 0) ctx.io.stdout.write(`No tasks with desired status ${o.status ?? 'RUNNING'} in cluster ${o.cluster}.\n`);
    else {
      const rows = tasks.map((t) => [
        t.id,
        t.lastStatus,
        t.desiredStatus,
        t.taskDefinitionArn.slice(t.taskDefinitionArn.lastIndexOf('/') + 1),
        t.launchType ?? '',
        t.group ?? '',
        stackOf(t.tags) ?? '-',
      ]);
      const head = ['TASK', 'STATUS', 'DESIRED', 'TASK DEFINITION', 'LAUNCH', 'GROUP', 'STACK'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n';
      ctx.io.stdout.write(ctx.paint.bold(fmt(head).trimEnd()) + '\n' + rows.map(fmt).join(''));
    }
  }
  return report;
}
