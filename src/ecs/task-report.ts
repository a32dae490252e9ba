/**
 * What `task run`, `task wait` and `task logs --follow` report of tasks: each task's state, and
 * for stopped tasks each container's exit code and reason, the run's exit code (the essential
 * container's), and a failure when a task never ran its essential container.
 */
import type { Context } from '../context.js';
import { RuntimeError } from '../errors.js';
import type { Report } from '../plan/types.js';
import type { TaskDefinitionInfo, TaskInfo } from '../aws/ecs-types.js';
import { essentialNames, outcomeLines, runExitCode, stopExplanation, taskOutcome, type TaskOutcome } from './outcome.js';
import type { LogLine } from '../aws/logs-ops.js';
import { diagnose, diagnosisLines, diagnosisSentence } from './diagnosis.js';
import { logSources } from './log-groups.js';

/** The data `task run` / `task wait` put in the report for each task. */
export function taskData(t: TaskInfo, o?: TaskOutcome): Record<string, unknown> {
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
 * The report of tasks that stopped: each container's exit code and reason, why a task that failed
 * did (see diagnosis.ts, with the failed container's last log lines), and the exit code of the run.
 * `lines`: log lines already read (by --follow), per task and container.
 */
export async function reportStopped(ctx: Context, report: Report, final: TaskInfo[], tds: Map<string, TaskDefinitionInfo | undefined>, lines?: Map<string, LogLine[]>): Promise<Report> {
  const outcomes = final.map((t) => taskOutcome(t, essentialNames(tds.get(t.taskDefinitionArn))));
  const diagnoses = await Promise.all(
    final.map(async (t, i) => (outcomes[i].exitCode === 0 ? undefined : diagnose(ctx, t, tds.get(t.taskDefinitionArn), { logs: await lastLinesOf(ctx, t, tds.get(t.taskDefinitionArn), lines) }))),
  );
  outcomes.forEach((oc, i) => {
    for (const l of outcomeLines(oc)) ctx.ui.info(l);
    const d = diagnoses[i];
    if (d) for (const l of diagnosisLines(d)) ctx.ui.info(l);
  });
  const exit = runExitCode(outcomes);
  report.data = { ...report.data, tasks: final.map((t, i) => ({ ...taskData(t, outcomes[i]), ...(diagnoses[i] ? { diagnosis: diagnoses[i] } : {}) })), exitCode: exit.exitCode };
  if (exit.failed) {
    const i = outcomes.findIndex((x) => x.taskId === exit.decidedBy);
    const d = diagnoses[i];
    const err = new RuntimeError('TaskFailed', `The task did not run its essential container to completion: ${stopExplanation(outcomes[i])}.${d ? ` ${diagnosisSentence(d)}` : ''}`);
    throw Object.assign(err, { report: { ...report, ok: false, exitCode: 1, error: { code: err.code, message: err.message } } });
  }
  report.exitCode = exit.exitCode;
  if (exit.exitCode !== 0) ctx.ui.info(`exit code ${exit.exitCode}: the essential container of task ${exit.decidedBy} exited with it.`);
  return report;
}

/** Each container's last lines: those --follow read, else (for a container that exited non-zero) its stream's last five. */
async function lastLinesOf(ctx: Context, t: TaskInfo, td: TaskDefinitionInfo | undefined, read?: Map<string, LogLine[]>): Promise<Map<string, LogLine[]>> {
  const out = new Map<string, LogLine[]>();
  if (read) {
    for (const [key, l] of read) if (key.startsWith(`${t.id}/`)) out.set(key.slice(t.id.length + 1), l);
    return out;
  }
  const failed = t.containers.filter((c) => c.exitCode !== undefined && c.exitCode !== 0).map((c) => c.name);
  if (failed.length === 0) return out;
  try {
    const { sources } = logSources(ctx, td, t);
    const logs = await ctx.logs();
    await Promise.all(sources.filter((s) => failed.includes(s.container)).map(async (s) => out.set(s.container, await logs.lastEvents(s.group, s.stream, 5))));
  } catch {
    /* the lines are a help, not a need: without them the diagnosis still stands */
  }
  return out;
}
