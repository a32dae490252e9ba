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

/** The report of tasks that stopped: each container's exit code and reason, and the exit code of the run. */
export function reportStopped(ctx: Context, report: Report, final: TaskInfo[], tds: Map<string, TaskDefinitionInfo | undefined>): Report {
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

