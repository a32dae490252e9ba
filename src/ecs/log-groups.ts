/**
 * The log groups a task definition's containers write to (the `awslogs` driver), made by the stack
 * when they do not exist, and deleted by its teardown.
 *
 * A group is created tagged with the stack and with a retention (7 days unless
 * `--log-retention DAYS`), so that a learner's logs do not grow for ever. A group that exists is
 * used as it is (whoever made it). A container whose awslogs options say
 * `"awslogs-create-group": "true"` lets ECS create the group (its execution role then needs
 * logs:CreateLogGroup): ecsprimer leaves that one alone.
 */
import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import type { LogGroupInfo } from '../aws/logs-ops.js';
import type { TaskDefinitionInfo, TaskInfo } from '../aws/ecs-types.js';
import { isJsonObject, type JsonValue } from '../input/json.js';
import { stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { absentStep, unchangedStep, unknownStateStep, type Report, type Step } from '../plan/types.js';
import { executePlan } from '../plan/engine.js';
import { resolveState } from '../plan/resolve.js';
import { notOursNote } from '../plan/render.js';

/** CloudWatch Logs' allowed retentions (PutRetentionPolicy), in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
export const DEFAULT_RETENTION_DAYS = 7;

/** `--log-retention DAYS`, checked against the values CloudWatch Logs accepts. */
export function parseRetention(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RETENTION_DAYS;
  const n = Number(value.trim());
  if (!(RETENTION_DAYS as readonly number[]).includes(n)) {
    const near = RETENTION_DAYS.reduce((a, b) => (Math.abs(b - n) < Math.abs(a - n) ? b : a));
    throw new InputError('--log-retention', {
      message: `"${value}" is not a retention CloudWatch Logs offers`,
      fix: `use one of ${RETENTION_DAYS.join(', ')} (days)${Number.isFinite(n) ? `; the nearest is ${near}` : ''}`,
    });
  }
  return n;
}

/** Where one container's awslogs driver writes. */
export interface AwslogsTarget {
  container: string;
  group: string;
  /** The region of the group (awslogs-region), when the options give one. */
  region?: string;
  streamPrefix?: string;
  /** "awslogs-create-group": "true": ECS creates the group itself. */
  createdByEcs: boolean;
}

/** The awslogs targets of a task definition document (or a described task definition). */
export function awslogsTargets(doc: JsonValue | object | undefined): AwslogsTarget[] {
  const containers = isJsonObject(doc as JsonValue) ? (doc as { containerDefinitions?: unknown }).containerDefinitions : undefined;
  if (!Array.isArray(containers)) return [];
  const out: AwslogsTarget[] = [];
  for (const c of containers) {
    if (!isJsonObject(c)) continue;
    const lc = c.logConfiguration;
    if (!isJsonObject(lc) || lc.logDriver !== 'awslogs' || !isJsonObject(lc.options)) continue;
    const o = lc.options as Record<string, unknown>;
    if (typeof o['awslogs-group'] !== 'string') continue;
    out.push({
      container: typeof c.name === 'string' ? c.name : '',
      group: o['awslogs-group'],
      ...(typeof o['awslogs-region'] === 'string' ? { region: o['awslogs-region'] } : {}),
      ...(typeof o['awslogs-stream-prefix'] === 'string' ? { streamPrefix: o['awslogs-stream-prefix'] } : {}),
      createdByEcs: String(o['awslogs-create-group']).toLowerCase() === 'true',
    });
  }
  return out;
}

/** The log groups of this region the stack must see to (each once), and warnings about the rest. */
export function groupsToProvide(ctx: Context, targets: AwslogsTarget[], warnings: string[]): string[] {
  const groups = new Set<string>();
  for (const t of targets) {
    if (t.createdByEcs) continue;
    if (t.region && t.region !== ctx.region) {
      warnings.push(`container ${t.container} logs to ${t.group} in ${t.region}, not this run's region: ecsprimer does not create it there (ecsprimer --region ${t.region} ... or aws logs create-log-group --log-group-name ${t.group} --region ${t.region}).`);
      continue;
    }
    groups.add(t.group);
  }
  return [...groups];
}

export const logGroupId = (name: string) => `log-group:${name}`;

/** The ARN of a log group (without the `:*` DescribeLogGroups adds). */
export const logGroupArn = (ctx: Context, account: string, name: string) => `arn:${ctx.partition}:logs:${ctx.region}:${account}:log-group:${name}`;

/** Creates a log group (tagged, with a retention) unless it exists; journals it as the stack's. */
export function logGroupCreateStep(ctx: Context, name: string, now: LogGroupInfo | undefined, retentionDays: number, known = true, retentionFrom = '--log-retention'): Step {
  const id = logGroupId(name);
  if (now) {
    const owner = stackOf(now.tags);
    return unchangedStep({ id, type: 'logs-log-group', name, arn: now.arn, reason: `exists${owner === ctx.stack ? '' : owner ? ` (stack "${owner}"'s)` : ' (not made by ecsprimer: used, never deleted by this stack)'}${now.retentionDays ? `, keeps events ${now.retentionDays} days` : ', keeps events for ever'}` });
  }
  return {
    id,
    type: 'logs-log-group',
    name,
    action: 'create',
    calls: [
      { operation: 'CreateLogGroup', target: `log group ${name}`, reason: `where the containers' awslogs driver writes, tagged ${STACK_TAG}=${ctx.stack}${known ? '' : ' (current state unknown)'}` },
      { operation: 'PutRetentionPolicy', target: `log group ${name}`, reason: `keep events ${retentionDays} days (${retentionFrom})` },
    ],
    reason: known ? 'does not exist yet' : 'state unknown (dry run without AWS access)',
    run: async (rt) => {
      const logs = await ctx.logs();
      rt.record('intent', { type: 'logs-log-group', name });
      const made = await logs.createLogGroup(name, stackTags(ctx.stack));
      if (!made) {
        // Made meanwhile (another run): it is used, and this stack owns it only if it carries the tag.
        const found = await logs.describeLogGroup(name);
        rt.record(found && stackOf(found.tags) === ctx.stack ? 'created' : 'adopted', { type: 'logs-log-group', name, arn: found?.arn });
        return { arn: found?.arn, status: 'unchanged', action: 'none', note: 'exists already' };
      }
      // Its ARN follows from the name: no read is needed before the retention is set.
      const arn = logGroupArn(ctx, await ctx.account(), name);
      rt.record('created', { type: 'logs-log-group', name, arn });
      await logs.putRetention(name, retentionDays);
      return { arn };
    },
  };
}

/** Deletes a log group (its events with it). */
export function logGroupDeleteStep(ctx: Context, name: string, info: LogGroupInfo | undefined, opts: { id?: string; dependsOn?: string[]; warnNotOurs?: boolean } = {}): Step {
  const id = opts.id ?? logGroupId(name);
  if (!info) return absentStep({ id, type: 'logs-log-group', name, reason: 'does not exist', dependsOn: opts.dependsOn });
  return {
    id,
    type: 'logs-log-group',
    name,
    arn: info.arn,
    action: 'delete',
    calls: [{ operation: 'DeleteLogGroup', target: `log group ${name}`, reason: 'delete it with its log events (teardown --keep-logs keeps them)' }],
    reason: 'the stack made it',
    dependsOn: opts.dependsOn,
    ...(opts.warnNotOurs ? { detail: notOursNote(ctx, 'log group', info.tags) } : {}),
    run: async (rt) => {
      const gone = !(await (await ctx.logs()).deleteLogGroup(name));
      rt.record('deleted', { type: 'logs-log-group', name, arn: info.arn, ...(gone ? { data: { alreadyGone: true } } : {}) });
      return { arn: info.arn, ...(gone ? { note: 'already gone' } : {}) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Where a task's lines are

export interface LogSource {
  taskId: string;
  container: string;
  group: string;
  stream: string;
}

/**
 * Where the containers of a task write (awslogs only), and why others cannot be read: a container
 * with another log driver, or awslogs without a stream prefix (the stream is then named after the
 * Docker container id, which ECS does not report).
 */
export function logSources(ctx: Context, td: TaskDefinitionInfo | undefined, task: TaskInfo, container?: string): { sources: LogSource[]; notes: string[] } {
  const notes: string[] = [];
  if (!td) return { sources: [], notes: [`task ${task.id}: its task definition could not be read, so where its containers log is not known.`] };
  const targets = awslogsTargets(td.definition);
  const names = td.containers.map((c) => c.name);
  if (container && !names.includes(container)) {
    throw new InputError('--container', { message: `task ${task.id} has no container "${container}"`, fix: `use one of ${names.join(', ')}` });
  }
  const sources: LogSource[] = [];
  for (const name of names) {
    if (container && name !== container) continue;
    const t = targets.find((x) => x.container === name);
    if (!t) {
      notes.push(`container ${name} does not log to CloudWatch Logs (no awslogs logConfiguration): its output cannot be read here.`);
      continue;
    }
    if (t.region && t.region !== ctx.region) {
      notes.push(`container ${name} logs to ${t.group} in ${t.region}: read it with --region ${t.region}.`);
      continue;
    }
    if (!t.streamPrefix) {
      notes.push(`container ${name} logs to ${t.group} without "awslogs-stream-prefix", so its stream is named after the Docker container id: add a prefix to find it.`);
      continue;
    }
    sources.push({ taskId: task.id, container: name, group: t.group, stream: `${t.streamPrefix}/${name}/${task.id}` });
  }
  return { sources, notes };
}


// ---------------------------------------------------------------------------------------------
// logs delete

/** CloudWatch Logs' rule for log group names: 1–512 of a-z A-Z 0-9 _ - / . # */
export const LOG_GROUP_NAME = /^[\w\-/.#]{1,512}$/;

export async function runLogsDelete(o: { group: string }, ctx: Context): Promise<Report> {
  if (!LOG_GROUP_NAME.test(o.group)) {
    throw new InputError('--group', { message: `"${o.group}" is not a log group name`, fix: 'use 1–512 letters, digits and _ - / . # (e.g. /ecs/demo-web)' });
  }
  ctx.requireConfirmable();
  const { account, value: info, known } = await resolveState(ctx, async () => (await ctx.logs()).describeLogGroup(o.group), undefined as LogGroupInfo | undefined);
  const step = known
    ? logGroupDeleteStep(ctx, o.group, info, { warnNotOurs: true })
    : unknownStateStep({ id: logGroupId(o.group), type: 'logs-log-group', name: o.group, action: 'delete', calls: [{ operation: 'DeleteLogGroup', target: `log group ${o.group}`, reason: 'delete it with its log events' }] });
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}
