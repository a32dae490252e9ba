/**
 * `ecsprimer task register|deregister|run|stop|list|wait`.
 *
 * register: a document identical to the latest ACTIVE revision (compared field by field after
 * normalising what AWS adds) is "unchanged"; roles given by name are resolved with one GetRole
 * each, concurrently with the DescribeTaskDefinition. deregister: every ACTIVE revision (or one),
 * then DeleteTaskDefinitions in batches of 10. run: RunTask tagged with the stack, on the default
 * VPC when no subnets are given, then optionally waits for RUNNING or STOPPED and exits with the
 * essential container's exit code.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { RegisterTaskDefinitionCommandInput, RunTaskCommandInput, TaskOverride } from '@aws-sdk/client-ecs';
import type { CommandRunner } from '../cli/program.js';
import { collect, commaList } from '../cli/program.js';
import type { Context } from '../context.js';
import { AwsError, InputError, RuntimeError, UsageError, type InputIssue } from '../errors.js';
import { parseRoleRef, type RoleRef } from '../input/iam-validate.js';
import {
  parseTaskDefinitionRef,
  redactLiteralSecretsForDiff,
  validateClusterName,
  validateLaunchOptions,
  validateTaskDefinition,
  type JsonValue as EcsJson,
} from '../input/ecs-validate.js';
import type { JsonValue } from '../input/json.js';
import { lineDiff } from '../output/diff.js';
import { executePlan } from '../plan/engine.js';
import type { Report, Step } from '../plan/types.js';
import { defaultDocument } from '../paths.js';
import { placementInput, networkInput, networkNote, toEcsTags, type NetworkChoice } from '../ecs/inputs.js';
import { resolveNetwork, unknownNetwork } from '../ecs/network.js';
import { essentialNames, outcomeLines, runExitCode, stopExplanation, taskOutcome, type TaskOutcome } from '../ecs/outcome.js';
import { unknownOverrideContainers, validateOverrides } from '../ecs/overrides.js';
import { retryWhileRolePropagates } from '../ecs/propagation.js';
import { parseWaitTimeout, resolveState } from '../ecs/resolve.js';
import {
  ecsOps,
  isServiceTask,
  readTaskDefinitionRevisions,
  stackOf,
  startedByFor,
  stopTasksStep,
  taskDefinitionDeleteStep,
} from '../ecs/steps.js';
import {
  assertActiveCluster,
  assertUsableTaskDefinition,
  comparableTaskDefinition,
  taskDefinitionDifferences,
  taskDefinitionRefText,
} from '../ecs/task-definition.js';
import type { ClusterInfo, TaskDefinitionInfo, TaskDefinitionSummary, TaskInfo } from '../ecs/types.js';
import { waitForTasks, type TaskWaitTarget } from '../ecs/waiters.js';
import { canonical, fillDocument, parseTags, readDocument, roleArn, stackTags, STACK_TAG } from './common.js';
import { iamOps } from './iam.js';

// ---------------------------------------------------------------------------------------------
// task register

export interface TaskRegisterOptions {
  document?: string;
  executionRole?: string;
  taskRole?: string;
  tag?: string[];
}

const PROBE_ACCOUNT = '000000000000';

type Obj = { [k: string]: JsonValue };

function withRoles(doc: JsonValue, roles: { executionRoleArn?: string; taskRoleArn?: string }): JsonValue {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return doc;
  const out: Obj = { ...(doc as Obj) };
  if (roles.executionRoleArn !== undefined) out.executionRoleArn = roles.executionRoleArn;
  if (roles.taskRoleArn !== undefined) out.taskRoleArn = roles.taskRoleArn;
  return out;
}

/** Tags of the document, then --tag, then the stack tag (the document may not set the stack tag). */
function mergedTags(ctx: Context, doc: JsonValue, source: string, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const tags = (doc as Obj)?.tags;
  if (Array.isArray(tags)) {
    tags.forEach((t, i) => {
      const key = (t as Obj)?.key;
      const value = (t as Obj)?.value;
      if (typeof key !== 'string') return;
      if (key === STACK_TAG) {
        throw new InputError(source, { field: `tags[${i}].key`, message: `the tag key "${STACK_TAG}" is reserved`, fix: 'remove it: ecsprimer sets it from --stack' });
      }
      out[key] = typeof value === 'string' ? value : '';
    });
  }
  return stackTags(ctx, { ...out, ...extra });
}

/** Looks a role up by name (one GetRole); an ARN needs no call. undefined: no such role. */
async function lookupRole(ctx: Context, ref: RoleRef | undefined): Promise<string | undefined> {
  if (!ref) return undefined;
  if (ref.kind === 'arn') return ref.arn;
  return (await (await iamOps(ctx)).getRole(ref.name))?.arn;
}

/**
 * The ARN to send for a role option: the one GetRole found (roles made by `iam create` live
 * under /ecsprimer/<stack>/, so it cannot be guessed); none is an error, except in a dry run,
 * which shows the stack-path ARN it would most likely be.
 */
function roleArnFor(ctx: Context, ref: RoleRef | undefined, found: string | undefined, option: string, account: string, warnings: string[]): string | undefined {
  if (!ref) return undefined;
  if (found) return found;
  if (ref.kind === 'arn') return ref.arn;
  if (!ctx.opts.dryRun) {
    throw new AwsError(
      'iam:GetRole',
      'NoSuchEntity',
      `${option} ${ref.name}: no IAM role of that name exists in this account. Create it first (ecsprimer iam create --stack ${ctx.stack} makes the role ${ctx.stack}-role), or pass the role's ARN.`,
    );
  }
  const guess = roleArn(ctx, account, ref.name);
  warnings.push(`dry run: ${option} ${ref.name} was not looked up; showing ${guess}.`);
  return guess;
}

export async function runTaskRegister(ctx: Context, o: TaskRegisterOptions): Promise<Report> {
  const tags = parseTags(o.tag);
  const execRef = o.executionRole !== undefined ? parseRoleRef(o.executionRole, '--execution-role') : undefined;
  const taskRef = o.taskRole !== undefined ? parseRoleRef(o.taskRole, '--task-role') : undefined;
  const raw = await readDocument(ctx, o.document ?? defaultDocument('task-definition.json'), '--document');
  const warnings: string[] = [];
  // Validate everything offline, with stand-ins for what AWS will tell (account, role ARNs).
  const probeRole = (r: RoleRef | undefined) => (r ? (r.kind === 'arn' ? r.arn : `arn:aws:iam::${PROBE_ACCOUNT}:role/${r.name}`) : undefined);
  const probeDoc = withRoles(fillDocument(ctx, raw, PROBE_ACCOUNT), { executionRoleArn: probeRole(execRef), taskRoleArn: probeRole(taskRef) });
  const probe = validateTaskDefinition(probeDoc as EcsJson, raw.source);
  if (probe.issues.length) throw new InputError(raw.source, probe.issues);
  warnings.push(...probe.warnings);
  const original = raw.value as Obj;
  if (execRef && typeof original === 'object' && original && 'executionRoleArn' in original) warnings.push(`--execution-role replaces the document's executionRoleArn.`);
  if (taskRef && typeof original === 'object' && original && 'taskRoleArn' in original) warnings.push(`--task-role replaces the document's taskRoleArn.`);
  const family = (probeDoc as Obj).family as string;
  const allTags = mergedTags(ctx, probeDoc, raw.source, tags);
  ctx.requireConfirmable();

  // One round trip: the latest revision and the roles given by name, concurrently.
  const { account, value } = await resolveState(
    ctx,
    async () => {
      const [current, execFound, taskFound] = await Promise.all([(await ecsOps(ctx)).describeTaskDefinition(family), lookupRole(ctx, execRef), lookupRole(ctx, taskRef)]);
      return { current, execFound, taskFound };
    },
    { current: undefined as TaskDefinitionInfo | undefined, execFound: undefined as string | undefined, taskFound: undefined as string | undefined },
  );
  const current = value.current;
  const execArn = roleArnFor(ctx, execRef, value.execFound, '--execution-role', account, warnings);
  const taskArn = roleArnFor(ctx, taskRef, value.taskFound, '--task-role', account, warnings);
  const finalDoc = withRoles(fillDocument(ctx, raw, account), { executionRoleArn: execArn, taskRoleArn: taskArn });
  const final = validateTaskDefinition(finalDoc as EcsJson, raw.source);
  if (final.issues.length) throw new InputError(raw.source, final.issues);
  const input: RegisterTaskDefinitionCommandInput = { ...final.normalized, tags: toEcsTags(allTags) };

  const latest = current && current.status === 'ACTIVE' ? current : undefined;
  const diffs = latest ? taskDefinitionDifferences(input, latest.definition) : [];
  const data: Record<string, unknown> = {};
  let step: Step;
  if (latest && diffs.length === 0) {
    const owner = stackOf(latest.tags);
    step = {
      id: 'task-definition',
      type: 'ecs-task-definition',
      name: `${family}:${latest.revision}`,
      arn: latest.arn,
      action: 'none',
      state: 'unchanged',
      calls: [],
      reason: `identical to revision ${latest.revision}, the latest ACTIVE one${owner && owner !== ctx.stack ? ` (registered by stack "${owner}")` : ''}`,
    };
    data.taskDefinition = { family, revision: latest.revision, arn: latest.arn, status: 'unchanged' };
  } else {
    step = {
      id: 'task-definition',
      type: 'ecs-task-definition',
      name: family,
      action: 'create',
      calls: [
        {
          operation: 'RegisterTaskDefinition',
          target: `family ${family}`,
          reason: latest
            ? `register a new revision (differs from revision ${latest.revision} in ${diffs.join(', ')}), tagged ${STACK_TAG}=${ctx.stack}`
            : `register ${current ? 'a revision (the family has no ACTIVE one)' : 'the first revision of the family'}, tagged ${STACK_TAG}=${ctx.stack}`,
        },
      ],
      reason: latest ? `differs from revision ${latest.revision}: ${diffs.join(', ')}` : current ? 'no ACTIVE revision' : 'new family',
      // Literal secrets in the environment are warned about, and never shown (not even in the diff).
      detail: latest ? lineDiff(...(redactLiteralSecretsForDiff(comparableTaskDefinition(latest.definition), comparableTaskDefinition(input)).map((d) => canonical(d)) as [string, string])) : undefined,
      run: async (rt) => {
        const ops = await ecsOps(ctx);
        rt.record('intent', { type: 'ecs-task-definition', name: family, data: { operation: 'RegisterTaskDefinition' } });
        const td = await retryWhileRolePropagates(ctx, 'RegisterTaskDefinition', () => ops.registerTaskDefinition(input, current?.revision ?? 0));
        const name = `${td.family}:${td.revision}`;
        rt.record('created', { type: 'ecs-task-definition', name, arn: td.arn });
        // The intent named only the family: it is resolved by the record above.
        rt.record('deleted', { type: 'ecs-task-definition', name: family, data: { resolvedIntent: name } });
        data.taskDefinition = { family: td.family, revision: td.revision, arn: td.arn, status: 'registered' };
        return { arn: td.arn, name };
      },
    };
  }
  const report = await executePlan(ctx, { command: ctx.command, account, warnings, steps: [step] });
  if (!report.dryRun && Object.keys(data).length) report.data = { ...report.data, ...data };
  return report;
}

// ---------------------------------------------------------------------------------------------
// task deregister

export interface TaskDeregisterOptions {
  family: string;
  revision?: string;
  keepInactive?: boolean;
}

export async function runTaskDeregister(ctx: Context, o: TaskDeregisterOptions): Promise<Report> {
  const ref = parseTaskDefinitionRef(o.family, '--family');
  if (ref.revision !== undefined || ref.arn) {
    throw new InputError('--family', { message: `"${o.family}" is not a family name`, fix: `give the family alone and the revision with --revision (e.g. --family ${ref.family} --revision ${ref.revision ?? 1})` });
  }
  let revision: number | undefined;
  if (o.revision !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(o.revision.trim())) throw new InputError('--revision', { message: `"${o.revision}" is not a revision; a revision is a whole number of 1 or more` });
    revision = Number(o.revision.trim());
  }
  const family = ref.family;
  ctx.requireConfirmable();
  const { account, value: revisions, known } = await resolveState(
    ctx,
    async () => {
      const ops = await ecsOps(ctx);
      if (revision === undefined) return readTaskDefinitionRevisions(ops, family);
      const td = await ops.describeTaskDefinition(`${family}:${revision}`);
      return td && (td.status === 'ACTIVE' || td.status === 'INACTIVE') ? [{ arn: td.arn, family, revision, status: td.status } as TaskDefinitionSummary] : [];
    },
    [] as TaskDefinitionSummary[],
  );
  let step: Step;
  if (!known) {
    step = {
      id: `taskdef:${family}`,
      type: 'ecs-task-definition',
      name: revision ? `${family}:${revision}` : family,
      action: 'delete',
      calls: [
        { operation: 'DeregisterTaskDefinition', target: revision ? `${family}:${revision}` : `every ACTIVE revision of ${family}`, reason: 'deregister (current state unknown)' },
        ...(o.keepInactive ? [] : [{ operation: 'DeleteTaskDefinitions', target: revision ? `${family}:${revision}` : `every revision of ${family}`, reason: 'delete them, in batches of 10' }]),
      ],
      reason: 'state unknown (dry run without AWS access)',
    };
  } else {
    step = taskDefinitionDeleteStep(ctx, family, revisions, { keepInactive: o.keepInactive });
  }
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}

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
}

interface RunResolved {
  cluster?: ClusterInfo;
  td?: TaskDefinitionInfo;
  network?: NetworkChoice;
}

/** The data `task run` / `task wait` put in the report for each task. */
function taskData(t: TaskInfo, o?: TaskOutcome): Record<string, unknown> {
  return {
    taskArn: t.arn,
    taskId: t.id,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    taskDefinitionArn: t.taskDefinitionArn,
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    containers: o ? o.containers : t.containers,
    ...(o?.exitCode !== undefined ? { exitCode: o.exitCode } : {}),
  };
}

/**
 * Waits for tasks and puts the outcome into the report: tasks (with containers' exit codes) in
 * `data`, and for `stopped` the essential container's exit code as the report's exit code.
 * Failures throw with the report attached (main prints its data with the error).
 */
export async function waitAndReport(ctx: Context, report: Report, cluster: string, started: TaskInfo[], until: TaskWaitTarget, timeoutMs: number | undefined, tds: Map<string, TaskDefinitionInfo | undefined>): Promise<Report> {
  const ops = await ecsOps(ctx);
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
  const outcomes = final.map((t) => taskOutcome(t, essentialNames(tds.get(t.taskDefinitionArn))));
  for (const oc of outcomes) for (const l of outcomeLines(oc)) ctx.ui.info(l);
  const exit = runExitCode(outcomes);
  report.data = { ...report.data, tasks: final.map((t, i) => taskData(t, outcomes[i])), exitCode: exit.exitCode };
  if (exit.failed) {
    const o = outcomes.find((x) => x.taskId === exit.decidedBy)!;
    const err = new RuntimeError('TaskFailed', `The task did not run its essential container to completion: ${stopExplanation(o)}.`);
    throw Object.assign(err, { report: { ...report, ok: false, exitCode: 1, error: { code: err.code, message: err.message } } });
  }
  report.exitCode = exit.exitCode;
  if (exit.exitCode !== 0) ctx.ui.info(`exit code ${exit.exitCode}: the essential container of task ${exit.decidedBy} exited with it.`);
  return report;
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
    tags: toEcsTags(stackTags(ctx, a.tags)),
    ...(a.propagate ? { propagateTags: 'TASK_DEFINITION' as const } : {}),
    enableECSManagedTags: true,
    startedBy: startedByFor(ctx.stack),
    clientToken: a.clientToken,
  };
}

export async function runTaskRun(ctx: Context, o: TaskRunOptions): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  const ref = parseTaskDefinitionRef(o.taskDefinition, '--task-definition');
  const launch = validateLaunchOptions({
    command: 'run',
    launchType: o.launchType,
    count: o.count,
    placementStrategies: o.placementStrategy,
    placementConstraints: o.placementConstraint,
    subnets: o.subnets,
    securityGroups: o.securityGroups,
    waitTimeout: o.waitTimeout,
  });
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  const tags = parseTags(o.tag);
  if (launch.launchType === 'EC2' && o.assignPublicIp === true) {
    throw new UsageError('--assign-public-ip: ECS assigns public IPs only to Fargate tasks; on EC2 the instance\'s network decides. Remove --assign-public-ip or use --launch-type FARGATE.');
  }
  const warnings: string[] = [];
  let overrides: TaskOverride | undefined;
  let overridesSource = '--overrides';
  if (o.overrides !== undefined) {
    const doc = await readDocument(ctx, o.overrides, '--overrides');
    overridesSource = doc.source;
    const v = validateOverrides(fillDocument(ctx, doc, PROBE_ACCOUNT), doc.source);
    if (v.issues.length) throw new InputError(doc.source, v.issues);
    warnings.push(...v.warnings);
    overrides = v.overrides;
  }
  const refText = taskDefinitionRefText(ref);
  const count = launch.count ?? 1;
  ctx.requireConfirmable();

  const netReq = { subnets: launch.subnets, securityGroups: launch.securityGroups, assignPublicIp: o.assignPublicIp, launchType: launch.launchType };
  const fargate = launch.launchType === 'FARGATE';
  const { account, value, known } = await resolveState<RunResolved>(
    ctx,
    async () => {
      const ops = await ecsOps(ctx);
      // Fargate tasks are always awsvpc: look the network up alongside; EC2 tasks only once the
      // task definition says awsvpc.
      const [cluster, td, network] = await Promise.all([
        ops.describeCluster(o.cluster),
        ops.describeTaskDefinition(refText),
        fargate ? resolveNetwork(ctx, netReq) : undefined,
      ]);
      const awsvpc = fargate || td?.networkMode === 'awsvpc';
      return { cluster, td, network: network ?? (awsvpc && td ? await resolveNetwork(ctx, netReq) : undefined) };
    },
    { network: fargate ? unknownNetwork(netReq) : undefined },
  );
  const { td } = value;
  let network = value.network;
  if (known) {
    assertActiveCluster(o.cluster, value.cluster);
    assertUsableTaskDefinition(td, ref, launch.launchType);
    if (td.networkMode !== 'awsvpc' && (launch.subnets.length || launch.securityGroups.length || o.assignPublicIp !== undefined)) {
      throw new UsageError(`--subnets, --security-groups and --assign-public-ip apply to awsvpc tasks only; task definition ${td.family}:${td.revision} uses networkMode "${td.networkMode}". Remove them, or register the task definition with "networkMode": "awsvpc".`);
    }
    if (overrides) {
      const bad: InputIssue[] = unknownOverrideContainers(overrides, td.containers.map((c) => c.name));
      if (bad.length) throw new InputError(overridesSource, bad);
    }
  } else if (!fargate && (launch.subnets.length || launch.securityGroups.length)) {
    network = unknownNetwork(netReq);
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
        target: `${count} × ${tdLabel} on ${launch.launchType}, cluster ${o.cluster}`,
        reason: `start ${count === 1 ? 'the task' : `${count} tasks`}, tagged ${STACK_TAG}=${ctx.stack}${o.wait ? `, then wait until ${o.wait === 'running' ? 'RUNNING' : 'STOPPED'}` : ''}`,
      },
    ],
    reason: 'a standalone task',
    run: async (rt) => {
      const ops = await ecsOps(ctx);
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
  if (!o.wait || started.length === 0) return report;
  return waitAndReport(ctx, report, o.cluster, started, o.wait, timeoutMs, new Map([[td?.arn ?? '', td]]));
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
  const ops = await ecsOps(ctx);
  const arns = [...new Set(tasks.map((t) => t.taskDefinitionArn).filter(Boolean))];
  const found = await Promise.all(arns.map((a) => ops.describeTaskDefinition(a).catch(() => undefined)));
  return new Map(arns.map((a, i) => [a, found[i]]));
}

export async function runTaskWait(ctx: Context, o: TaskWaitOptions): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  if (!o.task?.length) throw new UsageError('task wait: give the tasks to wait for with --task ID (repeatable).');
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  const until = o.until ?? 'stopped';
  const ops = await ecsOps(ctx);
  const tasks = await ops.describeTasks(o.cluster, o.task);
  const missing = o.task.filter((id) => !tasks.some((t) => t.id === id.slice(id.lastIndexOf('/') + 1)));
  if (missing.length) throw new AwsError('ecs:DescribeTasks', 'TaskNotFound', `Cluster ${o.cluster} has no task ${missing.join(', ')} (ECS forgets stopped tasks after about an hour).`);
  const tds = until === 'stopped' ? await taskDefinitionsOf(ctx, tasks) : new Map();
  const report: Report = { ok: true, command: ctx.command, stack: ctx.stack, dryRun: false, changes: [] };
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

export async function runTaskStop(ctx: Context, o: TaskStopOptions): Promise<Report> {
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
  const { account, value: tasks, known } = await resolveState(
    ctx,
    async () => {
      const ops = await ecsOps(ctx);
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
    steps = [{ id: 'stop', type: 'ecs-task', name: o.all ? `every standalone task in ${o.cluster}` : ids.join(', '), action: 'delete', calls: [{ operation: 'StopTask', target: o.all ? `every standalone task in ${o.cluster}` : ids.join(', '), reason: 'stop (current state unknown)' }], reason: 'state unknown (dry run without AWS access)' }];
  } else {
    const found = new Set(tasks.map((t) => t.id));
    steps = tasks.map((t) => stopTasksStep(ctx, o.cluster, [t], { id: `stop:${t.id}`, reason: o.reason, waitStopped: o.wait, wait }));
    for (const id of ids) {
      const short = id.slice(id.lastIndexOf('/') + 1);
      if (!found.has(short)) steps.push({ id: `stop:${short}`, type: 'ecs-task', name: short, action: 'none', state: 'absent', calls: [], reason: `not found in cluster ${o.cluster}` });
    }
    for (const t of tasks) if (isServiceTask(t) && !o.all) warnings.push(`task ${t.id} belongs to ${t.group}: the service will start a replacement; scale the service instead (ecsprimer service update --desired-count N).`);
    if (o.all && tasks.length === 0) steps.push({ id: 'stop', type: 'ecs-task', name: `standalone tasks in ${o.cluster}`, action: 'none', state: 'absent', calls: [], reason: 'none running' });
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

export async function runTaskList(ctx: Context, o: TaskListOptions): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  if (o.family !== undefined) parseTaskDefinitionRef(o.family, '--family');
  const ops = await ecsOps(ctx);
  const arns = await ops.listTasks(o.cluster, { desiredStatus: o.status ?? 'RUNNING', ...(o.family ? { family: o.family } : {}) });
  const tasks = await ops.describeTasks(o.cluster, arns);
  const report: Report = { ok: true, command: ctx.command, stack: ctx.stack, dryRun: false, changes: [], data: { cluster: o.cluster, tasks } };
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

// ---------------------------------------------------------------------------------------------
// Registration

const WAIT_TIMEOUT_HELP = 'give up waiting after this many seconds (default 600); the tasks keep running';

export function registerTask(program: Command, run: CommandRunner): void {
  const task = program.command('task').description('ECS task definitions and standalone tasks');

  task
    .command('register')
    .description('register a task definition; a document identical to the latest ACTIVE revision is left unchanged')
    .option('--document <src>', 'RegisterTaskDefinition input: inline JSON, file://PATH, PATH or - for stdin (default: json/task-definition.json)')
    .option('--execution-role <name|arn>', 'task execution role (pulls images, writes logs): a role name (as made by iam create) or ARN')
    .option('--task-role <name|arn>', 'role the containers run as: a role name or ARN')
    .option('--tag <key=value>', 'extra tag (repeatable)', collect)
    .action((o, cmd) => run(cmd, (ctx) => runTaskRegister(ctx, o)));

  task
    .command('deregister')
    .description('deregister the ACTIVE revisions of a family (or one), then delete them with DeleteTaskDefinitions')
    .requiredOption('--family <family>', 'task definition family')
    .option('--revision <n>', 'only this revision (default: every revision of the family)')
    .option('--keep-inactive', 'only deregister: keep the revisions as INACTIVE (no DeleteTaskDefinitions)')
    .action((o, cmd) => run(cmd, (ctx) => runTaskDeregister(ctx, o)));

  task
    .command('run')
    .description('run a task definition as standalone task(s), tagged with the stack; optionally wait and pass on the exit code')
    .requiredOption('--cluster <name>', 'cluster to run in')
    .requiredOption('--task-definition <family[:rev]|arn>', 'task definition (family alone: its latest ACTIVE revision)')
    .option('--launch-type <type>', 'FARGATE or EC2 (default FARGATE)')
    .option('--count <n>', 'number of tasks, 1–10 (default 1)')
    .option('--subnets <ids>', "awsvpc subnets, comma-separated (default: the default VPC's default subnets)", commaList)
    .option('--security-groups <ids>', 'awsvpc security groups, comma-separated (default: the "default" group of the VPC)', commaList)
    .option('--assign-public-ip', 'give the task a public IP (Fargate; the default with the default VPC)')
    .option('--no-assign-public-ip', 'no public IP')
    .option('--overrides <src>', 'TaskOverride document (containerOverrides, cpu, memory, ...): inline JSON, file://PATH, PATH or -')
    .option('--placement-strategy <type[:field]>', 'EC2 only: random, spread:FIELD, binpack:cpu|memory (repeatable)', collect)
    .option('--placement-constraint <spec>', 'EC2 only: distinctInstance or memberOf:EXPRESSION (repeatable)', collect)
    .addOption(new Option('--wait <state>', 'wait until the tasks are RUNNING, or STOPPED (then exit with the essential container\'s exit code)').choices(['running', 'stopped']))
    .option('--wait-timeout <seconds>', WAIT_TIMEOUT_HELP)
    .option('--tag <key=value>', 'extra tag (repeatable)', collect)
    .action((o, cmd) => run(cmd, (ctx) => runTaskRun(ctx, o)));

  task
    .command('wait')
    .description('wait for tasks to be RUNNING or STOPPED (resumes an interrupted --wait; exits with the exit code for stopped)')
    .requiredOption('--cluster <name>', 'cluster of the tasks')
    .requiredOption('--task <id|arn>', 'task to wait for (repeatable)', collect)
    .addOption(new Option('--until <state>', 'running or stopped').choices(['running', 'stopped']).default('stopped'))
    .option('--wait-timeout <seconds>', WAIT_TIMEOUT_HELP)
    .action((o, cmd) => run(cmd, (ctx) => runTaskWait(ctx, o), { changes: false }));

  task
    .command('stop')
    .description('stop tasks (--task ID ... or --all standalone tasks; tasks of services are left to their service)')
    .requiredOption('--cluster <name>', 'cluster of the tasks')
    .option('--task <id|arn>', 'task to stop (repeatable)', collect)
    .option('--all', 'every standalone task of the cluster (not those of services)')
    .option('--reason <text>', 'reason recorded on the task (stoppedReason)')
    .option('--wait', 'wait until the tasks are STOPPED')
    .option('--wait-timeout <seconds>', 'with --wait: give up after this many seconds (default 600)')
    .action((o, cmd) => run(cmd, (ctx) => runTaskStop(ctx, o)));

  task
    .command('list')
    .description('list the tasks of a cluster (id, status, task definition, group, stack)')
    .requiredOption('--cluster <name>', 'cluster')
    .addOption(new Option('--status <desired>', 'desired status: RUNNING or STOPPED').choices(['RUNNING', 'STOPPED']).default('RUNNING'))
    .option('--family <family>', 'only tasks of this task definition family')
    .action((o, cmd) => run(cmd, (ctx) => runTaskList(ctx, o), { changes: false }));
}
