/**
 * Waiting for ECS: tasks RUNNING or STOPPED, a service stable or INACTIVE.
 *
 * Why not the SDK's waiters: they print nothing, give up after a fixed time and fail with
 * "terminal failure state". These poll with backoff (about 2 s, growing to about 15 s), honour
 * --wait-timeout, show a status line on stderr (a spinner on a TTY, a line per change otherwise),
 * stream new service events, and on failure say why: the task's stoppedReason and its containers'
 * exit codes and reasons, the deployment's rollout reason, the last service events.
 *
 * Ctrl-C stops the waiting, never the resources: the error says how to resume waiting.
 *
 * Time is injectable (`clock`, see plan/retry.ts) so tests run without real sleeps;
 * ECSPRIMER_POLL_MS sets a fixed poll interval (for end-to-end tests against a local server).
 */
import type { Context } from '../context.js';
import { EcsprimerError, InterruptedError, RuntimeError } from '../errors.js';
import type { EcsOps } from '../aws/ecs-ops.js';
import { backoff, contextClock, pollOverride, type WaitClock } from '../plan/retry.js';
import { stopExplanation, taskOutcome } from './outcome.js';
import { diagnose, diagnosisSentence } from './diagnosis.js';
import type { ServiceEventInfo, ServiceInfo, TaskInfo } from '../aws/ecs-types.js';

export interface WaitOptions {
  /** Give up after this long (default 600 s, --wait-timeout). */
  timeoutMs?: number;
  /** First poll interval (default 2 s, or ECSPRIMER_POLL_MS). */
  firstDelayMs?: number;
  /** Largest poll interval (default 15 s, or ECSPRIMER_POLL_MS). */
  maxDelayMs?: number;
  clock?: WaitClock;
  /** A command that resumes this wait, shown on Ctrl-C and on timeout. */
  resume?: string;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 600_000;
export const FIRST_POLL_MS = 2_000;
export const MAX_POLL_MS = 15_000;

interface Settings {
  timeoutMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
  clock: WaitClock;
}

export function waitSettings(ctx: Context, o: WaitOptions = {}): Settings {
  const fixed = pollOverride(ctx.env);
  return {
    timeoutMs: o.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
    firstDelayMs: o.firstDelayMs ?? fixed ?? FIRST_POLL_MS,
    maxDelayMs: o.maxDelayMs ?? fixed ?? MAX_POLL_MS,
    clock: o.clock ?? contextClock(ctx),
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

interface Judgement {
  done: boolean;
  status: string;
  /** Lines to print above the status (service events). */
  log?: string[];
  /** A failure: stop waiting with this error (built after a further read, when it is a function). */
  fail?: EcsprimerError | (() => Promise<EcsprimerError>);
}

interface PollSpec<T> {
  /** "task 1a2b… to be RUNNING" */
  what: string;
  read(): Promise<T>;
  judge(value: T, first: boolean): Judgement;
  /** Extra words for a timeout (last events...). */
  timeoutDetail?(value: T): string;
  final?(value: T): string;
}

/** The loop every waiter shares: read, judge, show, sleep with backoff, until done, failed, timed out or interrupted. */
async function poll<T>(ctx: Context, o: WaitOptions, spec: PollSpec<T>, initial?: T): Promise<T> {
  const s = waitSettings(ctx, o);
  const start = s.clock.now();
  const delays = backoff(s.firstDelayMs, s.maxDelayMs);
  const line = ctx.ui.status(`waiting for ${spec.what}…`);
  const resume = o.resume ? ` Resume waiting with: ${o.resume}` : '';
  let value: T | undefined = initial;
  let first = true;
  let last = '';
  const observe = (v: T): Judgement => {
    const j = spec.judge(v, first);
    first = false;
    for (const l of j.log ?? []) line.log(l);
    last = j.status;
    // On a terminal the spinner line shows the time; plain lines only change with the status.
    line.update(ctx.io.stderr.isTTY ? `${j.status} (${seconds(s.clock.now() - start)})` : j.status);
    return j;
  };
  const failure = async (f: NonNullable<Judgement['fail']>): Promise<never> => {
    throw typeof f === 'function' ? await f() : f;
  };
  try {
    if (value !== undefined) {
      const j = observe(value);
      if (j.fail) await failure(j.fail);
      if (j.done) {
        line.done(spec.final?.(value) ?? j.status);
        return value;
      }
    }
    for (let round = 0; ; round++) {
      if (value !== undefined || round > 0) {
        const elapsed = s.clock.now() - start;
        if (elapsed >= s.timeoutMs) {
          throw new RuntimeError(
            'WaitTimeout',
            `Timed out after ${seconds(s.timeoutMs)} waiting for ${spec.what}; last seen: ${last}.${value !== undefined && spec.timeoutDetail ? ` ${spec.timeoutDetail(value)}` : ''} Nothing was stopped or deleted.${resume || ' Run the command again with a longer --wait-timeout.'}`,
          );
        }
        const delay = Math.min(delays.next().value, Math.max(0, s.timeoutMs - elapsed));
        const slept = ctx.interrupted ? false : await s.clock.sleep(delay);
        if (!slept || ctx.interrupted) throw interrupted(ctx, spec.what, last, resume);
      }
      value = await spec.read();
      if (ctx.interrupted) throw interrupted(ctx, spec.what, last, resume);
      const j = observe(value);
      if (j.fail) await failure(j.fail);
      if (j.done) {
        line.done(spec.final?.(value) ?? j.status);
        return value;
      }
    }
  } catch (e) {
    line.done();
    throw e;
  }
}

function interrupted(ctx: Context, what: string, last: string, resume: string): InterruptedError {
  return new InterruptedError(
    `Stopped waiting for ${what} (last seen: ${last || 'nothing yet'}). Only the waiting stopped: nothing was stopped or deleted.${resume}`,
    ctx.interrupted ?? 'SIGINT',
  );
}

// ---------------------------------------------------------------------------------------------
// Tasks

const STOPPING = new Set(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING']);

export type TaskWaitTarget = 'running' | 'stopped';

function taskCounts(tasks: TaskInfo[]): string {
  const c = { pending: 0, running: 0, stopping: 0, stopped: 0 };
  for (const t of tasks) {
    if (t.lastStatus === 'RUNNING') c.running++;
    else if (t.lastStatus === 'STOPPED') c.stopped++;
    else if (STOPPING.has(t.lastStatus)) c.stopping++;
    else c.pending++;
  }
  const parts = [`${c.running} running`, `${c.pending} pending`];
  if (c.stopping) parts.push(`${c.stopping} stopping`);
  parts.push(`${c.stopped} stopped`);
  return `${parts.join(', ')} of ${tasks.length}`;
}

/**
 * Waits until every task is RUNNING (`running`) or STOPPED (`stopped`). `initial` is what is
 * already known (e.g. RunTask's answer), so a task RunTask reports RUNNING needs no read.
 * For `running`, a task that stops without having run fails the wait with its stoppedReason.
 */
export async function waitForTasks(
  ctx: Context,
  ops: Pick<EcsOps, 'describeTasks'>,
  cluster: string,
  initial: TaskInfo[],
  until: TaskWaitTarget,
  o: WaitOptions = {},
): Promise<TaskInfo[]> {
  const ids = initial.map((t) => t.id);
  const ran = new Set<string>();
  const known = new Map(initial.map((t) => [t.id, t]));
  const what = `${ids.length === 1 ? `task ${ids[0]}` : `${ids.length} tasks`} in ${cluster} to be ${until === 'running' ? 'RUNNING' : 'STOPPED'}`;
  return poll<TaskInfo[]>(
    ctx,
    o,
    {
      what,
      read: async () => {
        const found = await ops.describeTasks(cluster, ids);
        for (const t of found) known.set(t.id, t);
        // ECS forgets stopped tasks after a while: keep the last known state, marked as gone.
        return ids.map((id) => found.find((t) => t.id === id) ?? goneTask(known.get(id)!));
      },
      judge: (tasks) => {
        for (const t of tasks) if (t.lastStatus === 'RUNNING' || t.startedAt) ran.add(t.id);
        const status = ids.length === 1 ? `task ${ids[0]}: ${tasks[0].lastStatus}` : `tasks in ${cluster}: ${taskCounts(tasks)}`;
        if (until === 'stopped') return { done: tasks.every((t) => t.lastStatus === 'STOPPED'), status };
        // Stopped (or stopping, with a reason) without having run. A task still PENDING with
        // desiredStatus STOPPED is waited for: ECS gives the reason on the way to STOPPED.
        const failed = tasks.find((t) => !ran.has(t.id) && (t.lastStatus === 'STOPPED' || (STOPPING.has(t.lastStatus) && t.stoppedReason)));
        if (failed) {
          const why = stopExplanation(taskOutcome(failed));
          return {
            done: false,
            status,
            fail: async () => {
              const d = await diagnose(ctx, failed, undefined);
              return new RuntimeError('TaskStoppedBeforeRunning', `The task stopped before it was RUNNING: ${why}.${d ? ` ${diagnosisSentence(d)}` : ''}`);
            },
          };
        }
        return { done: tasks.every((t) => ran.has(t.id)), status };
      },
    },
    initial,
  );
}

function goneTask(t: TaskInfo): TaskInfo {
  return t.lastStatus === 'STOPPED' ? t : { ...t, lastStatus: 'STOPPED', stoppedReason: t.stoppedReason ?? 'ECS no longer knows this task (it stopped a while ago)' };
}

// ---------------------------------------------------------------------------------------------
// Services

export type ServiceWaitTarget = 'stable' | 'inactive';

function eventLine(e: ServiceEventInfo): string {
  const t = e.createdAt ? e.createdAt.slice(11, 19) : '';
  return `  event ${t} ${e.message}`;
}

function lastEvents(svc: ServiceInfo | undefined, n = 3): string {
  const ev = (svc?.events ?? []).slice(0, n);
  if (ev.length === 0) return 'The service has no events yet.';
  return `Last service events (newest first): ${ev.map((e) => `"${e.message}"`).join('; ')}.`;
}

function serviceStatus(svc: ServiceInfo | undefined, name: string): string {
  if (!svc) return `service ${name}: not found`;
  const primary = svc.deployments.find((d) => d.status === 'PRIMARY');
  const rollout = primary?.rolloutState ? `, rollout ${primary.rolloutState}` : '';
  const failed = primary && primary.failedTasks > 0 ? `, ${primary.failedTasks} failed` : '';
  return `service ${name} ${svc.status}: running ${svc.runningCount}, pending ${svc.pendingCount}, desired ${svc.desiredCount}, deployments ${svc.deployments.length}${rollout}${failed}`;
}

/** Stable: ACTIVE, one deployment, running = desired, nothing pending (what `aws ecs wait services-stable` checks, plus pending). */
export function isServiceStable(svc: ServiceInfo): boolean {
  return svc.status === 'ACTIVE' && svc.deployments.length === 1 && svc.runningCount === svc.desiredCount && svc.pendingCount === 0;
}

/** `family:revision` of a task definition ARN. */
function revisionOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export interface FollowOptions extends WaitOptions {
  /**
   * The deployment to follow (its id from the CreateService/UpdateService answer); by default the
   * PRIMARY deployment at the first look.
   */
  deployment?: string;
}

type ServiceWaitOps = Pick<EcsOps, 'describeService' | 'listTasks' | 'describeTasks'>;

/**
 * Why the tasks of a deployment stopped: the service's STOPPED tasks of its task definition
 * (ListTasks + DescribeTasks, one round trip each), at most `n`, one sentence each.
 */
async function failedTaskReasons(ctx: Context, ops: ServiceWaitOps, cluster: string, name: string, taskDefinition: string | undefined, n = 3): Promise<string> {
  try {
    const arns = await ops.listTasks(cluster, { serviceName: name, desiredStatus: 'STOPPED' });
    const tasks = (await ops.describeTasks(cluster, arns.slice(0, 100))).filter((t) => !taskDefinition || t.taskDefinitionArn === taskDefinition);
    if (tasks.length === 0) return ' ECS lists no stopped task of it any more (it keeps them about an hour).';
    const shown = tasks.slice(0, n).map((t) => stopExplanation(taskOutcome(t)));
    const d = await diagnose(ctx, tasks[0], undefined).catch(() => undefined);
    return ` Failed tasks: ${shown.join(' | ')}${tasks.length > n ? ` (and ${tasks.length - n} more)` : ''}.${d ? ` ${diagnosisSentence(d)}` : ''}`;
  } catch {
    return '';
  }
}

/**
 * Waits until a service is stable, or INACTIVE (after DeleteService), streaming its new events.
 *
 * `stable` follows one deployment (o.deployment, else the PRIMARY one at the first look) and
 * succeeds only when that deployment is the only one, its rollout COMPLETED (when ECS reports a
 * rollout state: the ECS deployment controller does) and running = desired. It fails at once,
 * with the failed tasks' stopped reasons and the last events, when the service is not ACTIVE,
 * when the deployment's rollout FAILED, or when another deployment replaced it: a circuit
 * breaker's rollback is reported as `rolled back to <family:revision>`, never as success.
 */
export async function waitForService(
  ctx: Context,
  ops: ServiceWaitOps,
  cluster: string,
  name: string,
  until: ServiceWaitTarget,
  o: FollowOptions = {},
  initial?: ServiceInfo,
): Promise<ServiceInfo | undefined> {
  const seen = new Set<string>();
  let followed = o.deployment;
  let followedTd: string | undefined;
  const what = `service ${name} in ${cluster} to be ${until === 'stable' ? 'stable (its deployment completed, running = desired)' : 'INACTIVE'}`;
  const failedWith = (code: string, head: (reasons: string) => string, svc: ServiceInfo) => async () =>
    new RuntimeError(code, `${head(await failedTaskReasons(ctx, ops, cluster, name, followedTd))} ${lastEvents(svc)}`);
  const result = await poll<{ svc?: ServiceInfo }>(
    ctx,
    o,
    {
      what,
      read: async () => ({ svc: await ops.describeService(cluster, name) }),
      judge: ({ svc }, first) => {
        const fresh = (svc?.events ?? []).filter((e) => !seen.has(e.id));
        for (const e of svc?.events ?? []) seen.add(e.id);
        // On the first look show a little context, not the whole history.
        const log = (first ? fresh.slice(0, 3) : fresh).reverse().map(eventLine);
        const status = serviceStatus(svc, name);
        if (until === 'inactive') return { done: !svc || svc.status === 'INACTIVE', status, log };
        if (!svc) return { done: false, status, log, fail: new RuntimeError('ServiceNotFound', `Service ${name} does not exist in cluster ${cluster}.`) };
        if (svc.status !== 'ACTIVE') {
          return { done: false, status, log, fail: new RuntimeError('ServiceNotActive', `Service ${name} is ${svc.status}, so it will not become stable (it is being deleted). ${lastEvents(svc)}`) };
        }
        const primary = svc.deployments.find((d) => d.status === 'PRIMARY');
        followed ??= primary?.id;
        const mine = svc.deployments.find((d) => d.id === followed);
        if (mine) followedTd = mine.taskDefinition;
        const label = `deployment ${followed ?? '(none)'}${followedTd ? ` of ${revisionOf(followedTd)}` : ''}`;
        if (primary && followed && primary.id !== followed) {
          // Another deployment is PRIMARY: the circuit breaker rolled back, or someone deployed.
          const rolledBack = mine?.rolloutState === 'FAILED' || svc.events.some((e) => /rolling back/i.test(e.message)) || (followedTd !== undefined && primary.taskDefinition !== followedTd);
          const reason = mine?.rolloutStateReason ? ` (${mine.rolloutStateReason.replace(/\.$/, '')})` : '';
          return {
            done: false,
            status,
            log,
            fail: rolledBack
              ? failedWith('DeploymentRolledBack', (r) => `The ${label} failed${reason} and ECS rolled back to ${revisionOf(primary.taskDefinition)} (deployment ${primary.id}, rollout ${primary.rolloutState ?? 'in progress'}).${r}`, svc)
              : failedWith('DeploymentReplaced', () => `The ${label} was replaced by deployment ${primary.id} of ${revisionOf(primary.taskDefinition)}, which this command did not start.`, svc),
          };
        }
        if (mine?.rolloutState === 'FAILED') {
          return {
            done: false,
            status,
            log,
            fail: failedWith(
              'DeploymentFailed',
              (r) => `The ${label} of service ${name} failed${mine.rolloutStateReason ? `: ${mine.rolloutStateReason}` : ''} (${mine.failedTasks} task(s) failed to start; with the circuit breaker's rollback on, ECS now rolls back).${r}`,
              svc,
            ),
          };
        }
        const completed = mine !== undefined && mine.status === 'PRIMARY' && (mine.rolloutState === undefined || mine.rolloutState === 'COMPLETED');
        return { done: completed && isServiceStable(svc), status, log };
      },
      timeoutDetail: ({ svc }) => lastEvents(svc),
      final: ({ svc }) => (until === 'inactive' ? `service ${name} ${svc?.status ?? 'gone'}` : `service ${name} stable: running ${svc?.runningCount} of ${svc?.desiredCount}`),
    },
    initial ? { svc: initial } : undefined,
  );
  return result.svc;
}

// ---------------------------------------------------------------------------------------------
// Targets of a load balancer

export interface TargetHealth {
  id: string;
  state: string;
  reason?: string;
  description?: string;
}

/**
 * Waits until at least `want` targets of a target group are healthy (what `service create
 * --load-balancer --wait` needs after the service is stable: the load balancer must answer too).
 * The status line counts the targets by state; a timeout names the unhealthy ones' reasons.
 */
export async function waitForTargets(ctx: Context, read: () => Promise<TargetHealth[]>, o: WaitOptions & { targetGroup: string; want: number; healthCheck: string }): Promise<TargetHealth[]> {
  const counts = (ts: TargetHealth[]) => {
    const by = new Map<string, number>();
    for (const t of ts) by.set(t.state, (by.get(t.state) ?? 0) + 1);
    return [...by].map(([k, n]) => `${n} ${k}`).join(', ') || 'no targets registered yet';
  };
  return poll(ctx, o, {
    what: `${o.want} healthy target(s) in ${o.targetGroup}`,
    read,
    judge: (ts) => ({ done: ts.filter((t) => t.state === 'healthy').length >= o.want, status: `targets of ${o.targetGroup}: ${counts(ts)}` }),
    timeoutDetail: (ts) => {
      const bad = ts.filter((t) => t.state !== 'healthy' && (t.reason || t.description));
      return `${bad.length ? `Unhealthy: ${bad.slice(0, 3).map((t) => `${t.id} ${t.reason ?? ''} ${t.description ?? ''}`.trim()).join('; ')}. ` : ''}Check that the container answers ${o.healthCheck} on its port with 200–399, and that the tasks' security group admits the load balancer.`;
    },
    final: (ts) => `targets of ${o.targetGroup}: ${counts(ts)}`,
  });
}
