/**
 * What a stopped task means for the caller: the exit code of its essential container, and the
 * words to explain it (stoppedReason, each container's exit code and reason). `task run --wait
 * stopped` exits with that code; a task that never ran its essential container exits 1.
 */
import type { TaskDefinitionInfo, TaskInfo } from '../aws/ecs-types.js';

export interface ContainerOutcome {
  name: string;
  essential: boolean;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
}

export interface TaskOutcome {
  taskId: string;
  taskArn: string;
  lastStatus: string;
  stoppedReason?: string;
  stopCode?: string;
  containers: ContainerOutcome[];
  /** The essential container's exit code; undefined while running or when it never ran. */
  exitCode?: number;
}

/** Names of the essential containers of a task definition (all, when it is unknown). */
export function essentialNames(td: Pick<TaskDefinitionInfo, 'containers'> | undefined): Set<string> | undefined {
  if (!td || td.containers.length === 0) return undefined;
  return new Set(td.containers.filter((c) => c.essential).map((c) => c.name));
}

/**
 * The outcome of one task. With several essential containers the first non-zero exit code wins
 * (the one that stopped the task, in the usual case); all zero gives 0; an essential container
 * without an exit code (it never started, or ECS lost it) gives undefined.
 */
export function taskOutcome(task: TaskInfo, essential?: Set<string>): TaskOutcome {
  const containers: ContainerOutcome[] = task.containers.map((c) => ({
    name: c.name,
    essential: essential ? essential.has(c.name) : true,
    ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
    ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
  }));
  const ess = containers.filter((c) => c.essential);
  let exitCode: number | undefined;
  if (task.lastStatus === 'STOPPED' && ess.length > 0) {
    const nonZero = ess.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
    if (nonZero) exitCode = nonZero.exitCode;
    else if (ess.every((c) => c.exitCode === 0)) exitCode = 0;
  }
  return {
    taskId: task.id,
    taskArn: task.arn,
    lastStatus: task.lastStatus,
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    containers,
    ...(exitCode !== undefined ? { exitCode } : {}),
  };
}

export interface RunExit {
  /** What the process should exit with. */
  exitCode: number;
  /** True when a task did not run its essential container to an exit code (exit 1). */
  failed: boolean;
  /** The task that decided the exit code, if any. */
  decidedBy?: string;
}

/** The exit code of `task run --wait stopped`: the first non-zero essential exit code; 1 when a task never ran; else 0. */
export function runExitCode(outcomes: TaskOutcome[]): RunExit {
  const nonZero = outcomes.find((o) => o.exitCode !== undefined && o.exitCode !== 0);
  if (nonZero) return { exitCode: clampExit(nonZero.exitCode!), failed: false, decidedBy: nonZero.taskId };
  const unknown = outcomes.find((o) => o.exitCode === undefined);
  if (unknown) return { exitCode: 1, failed: true, decidedBy: unknown.taskId };
  return { exitCode: 0, failed: false };
}

/** Exit codes a process can have (container codes are 0–255 already; anything else becomes 1). */
function clampExit(n: number): number {
  return Number.isInteger(n) && n > 0 && n < 256 ? n : 1;
}

/** One line per container plus the task's reason, for stderr. */
export function outcomeLines(o: TaskOutcome): string[] {
  const head = `task ${o.taskId} ${o.lastStatus}${o.stoppedReason ? `: ${o.stoppedReason}` : ''}${o.stopCode ? ` (${o.stopCode})` : ''}`;
  const lines = [head];
  for (const c of o.containers) {
    const code = c.exitCode !== undefined ? `exit code ${c.exitCode}` : 'no exit code';
    lines.push(`  container ${c.name}${c.essential ? ' (essential)' : ''}: ${code}${c.reason ? ` — ${c.reason}` : ''}`);
  }
  return lines;
}

/** One sentence for an error message: why a task stopped. */
export function stopExplanation(o: TaskOutcome): string {
  const parts = [`task ${o.taskId} stopped${o.stoppedReason ? `: ${o.stoppedReason}` : ' (ECS gave no reason)'}${o.stopCode ? ` (${o.stopCode})` : ''}`];
  const containers = o.containers
    .filter((c) => c.exitCode !== undefined || c.reason)
    .map((c) => `container ${c.name}${c.exitCode !== undefined ? ` exit code ${c.exitCode}` : ''}${c.reason ? ` (${c.reason})` : ''}`);
  if (containers.length) parts.push(containers.join('; '));
  return parts.join('; ');
}
