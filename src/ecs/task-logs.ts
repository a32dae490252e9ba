/**
 * The log lines of tasks: where each container's awslogs driver writes (the stream
 * `PREFIX/CONTAINER/TASK-ID` of its group), read with GetLogEvents, and followed while tasks run.
 *
 * `task logs`, `service logs` and `task run --follow` print the lines on stdout (prefixed by the
 * container, or the task, when there are several), progress on stderr. With `--output json` the
 * lines go into the report (`logs`), stdout staying one JSON object.
 */
import type { Context } from '../context.js';
import { AwsError, InputError, InterruptedError } from '../errors.js';
import type { LogLine, LogsOps } from '../aws/logs-ops.js';
import type { TaskDefinitionInfo, TaskInfo } from '../aws/ecs-types.js';
import { mapLimit } from '../aws/concurrency.js';
import { contextClock, pollOverride } from '../plan/retry.js';
import type { StatusLine } from '../io/ui.js';
import { logSources, type LogSource } from './log-groups.js';
import { readReport, type Report } from '../plan/types.js';
import { reportStopped } from './task-report.js';
import { validateClusterName, validateServiceName } from './names.js';

/** `--since 10m` (s, m, h, d) or an ISO 8601 time, as epoch milliseconds. */
export function parseSince(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const rel = /^(\d{1,6})\s*(s|m|h|d)$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  const t = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (Number.isNaN(t)) throw new InputError('--since', { message: `"${value}" is neither a duration nor a time`, fix: 'give a duration such as 30s, 10m, 2h or 1d, or an ISO 8601 time such as 2026-12-01T09:30:00Z' });
  if (t > now) throw new InputError('--since', { message: `"${value}" is in the future` });
  return t;
}

export interface PrintedLine extends LogLine {
  taskId: string;
  container: string;
}

/**
 * Reads new events of a set of streams on each poll (concurrently, at most 10 streams at a time),
 * and prints them oldest first, each stream's read resuming where the last one stopped.
 */
export class LogTail {
  private readonly tokens = new Map<string, string | undefined>();
  private readonly sources: LogSource[] = [];
  readonly printed: PrintedLine[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly opts: { since?: number; label: (s: LogSource) => string; line?: StatusLine },
  ) {}

  add(sources: LogSource[]): void {
    for (const s of sources) {
      const key = `${s.group}|${s.stream}`;
      if (this.tokens.has(key)) continue;
      this.tokens.set(key, undefined);
      this.sources.push(s);
    }
  }

  get size(): number {
    return this.sources.length;
  }

  /** One read of every stream; returns how many lines were printed. */
  async poll(): Promise<number> {
    if (this.sources.length === 0) return 0;
    const logs: LogsOps = await this.ctx.logs();
    const got = await mapLimit(this.sources, 10, async (s) => {
      const key = `${s.group}|${s.stream}`;
      const r = await logs.events(s.group, s.stream, { token: this.tokens.get(key), startTime: this.opts.since });
      this.tokens.set(key, r.token);
      return r.lines.map((l) => ({ ...l, taskId: s.taskId, container: s.container, label: this.opts.label(s) }));
    });
    const lines = got.flat().sort((a, b) => a.timestamp - b.timestamp);
    if (lines.length === 0) return 0;
    for (const l of lines) this.printed.push({ timestamp: l.timestamp, message: l.message, taskId: l.taskId, container: l.container });
    if (this.ctx.opts.output === 'text') {
      const text = lines.map((l) => `${l.label}${l.message.replace(/\n$/, '')}\n`).join('');
      const print = () => void this.ctx.io.stdout.write(text);
      if (this.opts.line) this.opts.line.above(print);
      else print();
    }
    return lines.length;
  }

  /**
   * After the tasks stopped: CloudWatch Logs may still be ingesting their last lines. Reads until
   * two polls in a row bring nothing (at most 10 polls).
   */
  async drain(): Promise<void> {
    const delay = pollOverride(this.ctx.env) ?? 1000;
    let quiet = 0;
    for (let i = 0; i < 10 && quiet < 2; i++) {
      quiet = (await this.poll()) === 0 ? quiet + 1 : 0;
      if (quiet < 2 && !(await contextClock(this.ctx).sleep(delay))) return;
    }
  }
}

/** The poll interval of following: 2 s (ECSPRIMER_POLL_MS in tests). */
export const followInterval = (ctx: Context): number => pollOverride(ctx.env) ?? 2000;

/** The error of a follow stopped by Ctrl-C: the tasks keep running; how to follow again. */
export function stoppedFollowing(ctx: Context, what: string, resume: string): InterruptedError {
  return new InterruptedError(`Stopped following ${what}. Only the following stopped: nothing was stopped or deleted. Follow again with: ${resume}`, ctx.interrupted ?? 'SIGINT');
}

// ---------------------------------------------------------------------------------------------
// Following tasks until they stop (task run --follow, task logs --follow)

/**
 * Prints the tasks' log lines as they come, until every task is STOPPED; then the last lines
 * CloudWatch Logs still ingests, the stop summary, and the exit code of the essential container
 * (as `--wait stopped`). Ctrl-C stops the following, never the tasks.
 */
export async function followTasks(ctx: Context, report: Report, cluster: string, started: TaskInfo[], tds: Map<string, TaskDefinitionInfo | undefined>, o: { since?: number; container?: string } = {}): Promise<Report> {
  const ops = await ctx.ecs();
  const ids = started.map((t) => t.id);
  const what = ids.length === 1 ? `task ${ids[0]}` : `${ids.length} tasks`;
  const resume = ids.length === 1 ? `ecsprimer task logs --cluster ${cluster} --task ${ids[0]} --follow` : `ecsprimer task logs --cluster ${cluster} --task ID --follow (one of ${ids.join(', ')})`;
  const line = ctx.ui.status(`following ${what} in ${cluster} (its log lines on stdout)…`);
  const several = started.length > 1;
  const notes = new Set<string>();
  let tail: LogTail | undefined;
  const sourcesOf = (tasks: TaskInfo[]) => {
    const out: LogSource[] = [];
    for (const t of tasks) {
      const s = logSources(ctx, tds.get(t.taskDefinitionArn), t, o.container);
      out.push(...s.sources);
      for (const n of s.notes) notes.add(n);
    }
    return out;
  };
  try {
    let tasks = started;
    const first = sourcesOf(tasks);
    const multiContainer = new Set(first.map((s) => s.container)).size > 1;
    tail = new LogTail(ctx, { since: o.since, line, label: (s) => (several ? `[${s.taskId.slice(0, 8)}${multiContainer ? `/${s.container}` : ''}] ` : multiContainer ? `[${s.container}] ` : '') });
    tail.add(first);
    for (const n of notes) line.log(`note: ${n}`);
    if (tail.size === 0) line.log('note: no container of the task logs to CloudWatch Logs: only its status is followed.');
    const clock = contextClock(ctx);
    for (;;) {
      await tail.poll();
      const found = await ops.describeTasks(cluster, ids);
      tasks = ids.map((id) => found.find((t) => t.id === id) ?? tasks.find((t) => t.id === id)!);
      const counts = tasks.map((t) => t.lastStatus);
      line.update(ids.length === 1 ? `task ${ids[0]}: ${counts[0]}` : `tasks in ${cluster}: ${counts.filter((c) => c === 'RUNNING').length} running, ${counts.filter((c) => c === 'STOPPED').length} stopped of ${ids.length}`);
      if (tasks.every((t) => t.lastStatus === 'STOPPED')) break;
      if (ctx.interrupted || !(await clock.sleep(followInterval(ctx))) || ctx.interrupted) throw stoppedFollowing(ctx, what, resume);
    }
    await tail.drain();
    line.done();
    if (ctx.opts.output === 'json') report.data = { ...report.data, logs: tail.printed };
    const byContainer = new Map<string, LogLine[]>();
    for (const l of tail.printed) byContainer.set(`${l.taskId}/${l.container}`, [...(byContainer.get(`${l.taskId}/${l.container}`) ?? []), l]);
    return await reportStopped(ctx, report, tasks, tds, byContainer);
  } catch (e) {
    line.done();
    if (tail && ctx.opts.output === 'json') report.data = { ...report.data, logs: tail.printed };
    if ((e as { report?: unknown }).report) throw e;
    throw Object.assign(e as Error, { report: { ...report, ok: false } });
  }
}

// ---------------------------------------------------------------------------------------------
// task logs, service logs

export interface TaskLogsOptions {
  cluster: string;
  task: string;
  follow?: boolean;
  since?: string;
  container?: string;
}

export async function runTaskLogs(o: TaskLogsOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  validateTaskId(o.task);
  const since = parseSince(o.since);
  const ops = await ctx.ecs();
  const [task] = await ops.describeTasks(o.cluster, [o.task]);
  if (!task) throw new AwsError('ecs:DescribeTasks', 'TaskNotFound', `Cluster ${o.cluster} has no task ${o.task} (ECS forgets stopped tasks after about an hour; their log lines stay in CloudWatch Logs).`);
  const td = await ops.describeTaskDefinition(task.taskDefinitionArn);
  const tds = new Map([[task.taskDefinitionArn, td]]);
  const report = readReport(ctx);
  if (o.follow) return followTasks(ctx, report, o.cluster, [task], tds, { since, container: o.container });
  const { sources, notes } = logSources(ctx, td, task, o.container);
  for (const n of notes) ctx.ui.info(`note: ${n}`);
  const multi = new Set(sources.map((s) => s.container)).size > 1;
  const tail = new LogTail(ctx, { since, label: (s) => (multi ? `[${s.container}] ` : '') });
  tail.add(sources);
  while ((await tail.poll()) > 0) {
    /* every page of the streams */
  }
  report.data = { task: task.id, status: task.lastStatus, lines: tail.printed.length, ...(ctx.opts.output === 'json' ? { logs: tail.printed } : {}) };
  return report;
}

export interface ServiceLogsOptions {
  cluster: string;
  name: string;
  follow?: boolean;
  since?: string;
}

/** Every running task of a service, each line prefixed by its task id; --follow picks up new tasks as the service starts them. */
export async function runServiceLogs(o: ServiceLogsOptions, ctx: Context): Promise<Report> {
  validateClusterName(o.cluster, '--cluster');
  validateServiceName(o.name, '--name');
  // Without --since: the last 10 minutes, as `aws logs tail` does.
  const since = parseSince(o.since ?? '10m');
  const ops = await ctx.ecs();
  const service = await ops.describeService(o.cluster, o.name);
  if (!service || service.status === 'INACTIVE') throw new AwsError('ecs:DescribeServices', 'ServiceNotFoundException', `Service ${o.name} does not exist in cluster ${o.cluster}.`);
  const tds = new Map<string, TaskDefinitionInfo | undefined>();
  const notes = new Set<string>();
  const tasksNow = async () => {
    const arns = await ops.listTasks(o.cluster, { serviceName: o.name });
    const tasks = await ops.describeTasks(o.cluster, arns);
    for (const a of new Set(tasks.map((t) => t.taskDefinitionArn))) if (!tds.has(a)) tds.set(a, await ops.describeTaskDefinition(a));
    const out: LogSource[] = [];
    for (const t of tasks) {
      const s = logSources(ctx, tds.get(t.taskDefinitionArn), t);
      out.push(...s.sources);
      for (const n of s.notes) notes.add(n.replace(`task ${t.id}: `, ''));
    }
    return { tasks, sources: out };
  };
  const first = await tasksNow();
  const line = o.follow ? ctx.ui.status(`following service ${o.name} in ${o.cluster}: ${first.tasks.length} task(s) (log lines on stdout)…`) : undefined;
  const multi = new Set(first.sources.map((s) => s.container)).size > 1;
  const tail = new LogTail(ctx, { since, line, label: (s) => `[${s.taskId.slice(0, 8)}${multi ? `/${s.container}` : ''}] ` });
  tail.add(first.sources);
  for (const n of notes) (line ? line.log(`note: ${n}`) : ctx.ui.info(`note: ${n}`));
  if (first.tasks.length === 0) (line ? line.log('note: the service runs no task now.') : ctx.ui.info('note: the service runs no task now.'));
  const report = readReport(ctx);
  if (!o.follow) {
    while ((await tail.poll()) > 0) {
      /* every page */
    }
    report.data = { service: o.name, tasks: first.tasks.map((t) => t.id), lines: tail.printed.length, ...(ctx.opts.output === 'json' ? { logs: tail.printed } : {}) };
    return report;
  }
  const clock = contextClock(ctx);
  try {
    for (let round = 1; ; round++) {
      await tail.poll();
      if (ctx.interrupted || !(await clock.sleep(followInterval(ctx))) || ctx.interrupted) {
        throw stoppedFollowing(ctx, `service ${o.name}`, `ecsprimer service logs --cluster ${o.cluster} --name ${o.name} --follow`);
      }
      // New tasks (a deployment, a replacement) every few polls.
      if (round % 3 === 0) {
        const now = await tasksNow();
        tail.add(now.sources);
        line!.update(`following service ${o.name} in ${o.cluster}: ${now.tasks.length} task(s) (log lines on stdout)`);
      }
    }
  } catch (e) {
    line!.done();
    throw Object.assign(e as Error, { report: { ...report, ok: false, data: { service: o.name, lines: tail.printed.length, ...(ctx.opts.output === 'json' ? { logs: tail.printed } : {}) } } });
  }
}

/** A task id (32 hex digits, or an older id) or a task ARN. */
function validateTaskId(id: string): void {
  if (!/^(arn:aws[\w-]*:ecs:[a-z0-9-]+:\d{12}:task\/)?([\w-]+\/)?[0-9a-zA-Z-]{1,64}$/.test(id)) {
    throw new InputError('--task', { message: `"${id}" is not a task id or task ARN`, fix: 'use the id shown by ecsprimer task list (e.g. 0123456789abcdef0123456789abcdef) or the task ARN' });
  }
}
