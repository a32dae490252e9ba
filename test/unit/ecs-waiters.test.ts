/**
 * The waiters: backoff from 2 s to 15 s, --wait-timeout, progress on stderr (a line per change
 * when not a TTY), new service events streamed, failures that say why, and Ctrl-C that stops the
 * waiting (not the resources) and says how to resume. The clock is fake: nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { EcsprimerError, InterruptedError, RuntimeError } from '../../src/errors.js';
import { isServiceStable, waitForService, waitForTasks } from '../../src/ecs/waiters.js';
import { backoff, type WaitClock } from '../../src/plan/retry.js';
import type { ServiceInfo, TaskInfo } from '../../src/aws/ecs-types.js';
import { testContext, useCliEnv } from '../support/in-process.js';

useCliEnv();

function fakeClock(): WaitClock & { slept: number[]; elapsed: () => number } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    elapsed: () => now,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      return true;
    },
  };
}

function task(status: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/t1',
    id: 't1',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
    lastStatus: status,
    desiredStatus: status === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    tags: {},
    containers: [{ name: 'web', lastStatus: status }],
    ...extra,
  };
}

/** describeTasks answering each state in turn (the last one repeats). */
function tasksOps(states: TaskInfo[][]) {
  let i = 0;
  const calls: string[][] = [];
  return {
    calls,
    describeTasks: async (_cluster: string, ids: string[]) => {
      calls.push(ids);
      return states[Math.min(i++, states.length - 1)];
    },
  };
}

function service(extra: Partial<ServiceInfo> = {}): ServiceInfo {
  return {
    name: 'web',
    arn: 'arn:aws:ecs:us-east-1:123456789012:service/c/web',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 2,
    taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
    deployments: [{ id: 'd1', status: 'PRIMARY', taskDefinition: 'web:1', desiredCount: 2, runningCount: 0, pendingCount: 2, failedTasks: 0, rolloutState: 'IN_PROGRESS' }],
    events: [],
    tags: {},
    ...extra,
  };
}

/** describeService answering each state in turn; `stopped` are the service's STOPPED tasks. */
function serviceOps(states: Array<ServiceInfo | undefined>, stopped: TaskInfo[] = []) {
  let i = 0;
  const listed: Array<Record<string, unknown>> = [];
  return {
    listed,
    describeService: async () => states[Math.min(i++, states.length - 1)],
    listTasks: async (_cluster: string, filter: Record<string, unknown> = {}) => {
      listed.push(filter);
      return stopped.map((t) => t.arn);
    },
    describeTasks: async (_cluster: string, arns: string[]) => stopped.filter((t) => arns.includes(t.arn)),
  };
}

const deployment = (extra: Partial<ServiceInfo['deployments'][number]> = {}): ServiceInfo['deployments'][number] => ({
  id: 'd1',
  status: 'PRIMARY',
  taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
  desiredCount: 2,
  runningCount: 0,
  pendingCount: 2,
  failedTasks: 0,
  rolloutState: 'IN_PROGRESS',
  ...extra,
});

describe('backoff', () => {
  it('starts at 2 s, grows by half, and is capped at 15 s', () => {
    const g = backoff(2000, 15000);
    expect(Array.from({ length: 8 }, () => g.next().value)).toEqual([2000, 3000, 4500, 6750, 10125, 15000, 15000, 15000]);
  });
});

describe('waitForTasks', () => {
  it('waits for STOPPED with backoff, printing each new status once (not a TTY)', async () => {
    const { ctx, stderr } = testContext();
    const clock = fakeClock();
    const ops = tasksOps([[task('RUNNING')], [task('RUNNING')], [task('DEPROVISIONING')], [task('STOPPED', { containers: [{ name: 'web', exitCode: 3 }] })]]);
    const out = await waitForTasks(ctx, ops, 'c', [task('PROVISIONING')], 'stopped', { clock });
    expect(out[0].lastStatus).toBe('STOPPED');
    expect(clock.slept).toEqual([2000, 3000, 4500, 6750]);
    const lines = stderr().split('\n');
    expect(lines.filter((l) => l === 'task t1: RUNNING')).toHaveLength(1);
    expect(lines).toContain('task t1: DEPROVISIONING');
    expect(lines).toContain('task t1: STOPPED');
  });

  it('is done at once for running when RunTask already reported RUNNING (no read)', async () => {
    const { ctx } = testContext();
    const ops = tasksOps([[task('RUNNING')]]);
    await waitForTasks(ctx, ops, 'c', [task('RUNNING')], 'running', { clock: fakeClock() });
    expect(ops.calls).toHaveLength(0);
  });

  it('fails --wait running clearly when the task stops before running: stoppedReason and container reasons', async () => {
    const { ctx } = testContext();
    const stopped = task('STOPPED', {
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
      stopCode: 'TaskFailedToStart',
      containers: [{ name: 'web', lastStatus: 'STOPPED', reason: 'CannotPullContainerError: ref not found' }],
    });
    const ops = tasksOps([[task('PENDING')], [stopped]]);
    const err = await waitForTasks(ctx, ops, 'c', [task('PROVISIONING')], 'running', { clock: fakeClock() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('TaskStoppedBeforeRunning');
    expect((err as Error).message).toContain('CannotPullContainerError: pull image manifest');
    expect((err as Error).message).toContain('TaskFailedToStart');
    expect((err as Error).message).toContain('container web (CannotPullContainerError: ref not found)');
    expect((err as Error).message).not.toMatch(/terminal failure state/i);
  });

  it('does not fail --wait running for a task that ran and then stopped between two reads', async () => {
    const { ctx } = testContext();
    const ops = tasksOps([[task('STOPPED', { startedAt: '2026-01-01T00:00:00.000Z', containers: [{ name: 'web', exitCode: 0 }] })]]);
    const out = await waitForTasks(ctx, ops, 'c', [task('PENDING')], 'running', { clock: fakeClock() });
    expect(out[0].lastStatus).toBe('STOPPED');
  });

  it('honours the timeout: says what it last saw, that nothing was stopped, and how to resume', async () => {
    const { ctx } = testContext();
    const clock = fakeClock();
    const ops = tasksOps([[task('PENDING')]]);
    const err = await waitForTasks(ctx, ops, 'c', [task('PROVISIONING')], 'running', { clock, timeoutMs: 30_000, resume: 'ecsprimer task wait --cluster c --task t1 --until running' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('WaitTimeout');
    expect((err as Error).message).toContain('Timed out after 30 s');
    expect((err as Error).message).toContain('last seen: task t1: PENDING');
    expect((err as Error).message).toContain('Resume waiting with: ecsprimer task wait --cluster c --task t1 --until running');
    expect(clock.elapsed()).toBe(30_000);
  });

  it('stops waiting on Ctrl-C, leaves the task alone and says how to resume (exit 130)', async () => {
    const { ctx } = testContext();
    const ops = tasksOps([[task('RUNNING')]]);
    const clock: WaitClock = {
      now: () => 0,
      sleep: async () => {
        ctx.interrupt('SIGINT');
        return false;
      },
    };
    const err = await waitForTasks(ctx, ops, 'c', [task('RUNNING')], 'stopped', { clock, resume: 'ecsprimer task wait --cluster c --task t1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as EcsprimerError).exitCode).toBe(130);
    expect((err as Error).message).toContain('Only the waiting stopped: nothing was stopped or deleted.');
    expect((err as Error).message).toContain('Resume waiting with: ecsprimer task wait --cluster c --task t1');
    expect(ops.calls).toHaveLength(0);
  });

  it('ECSPRIMER_POLL_MS sets a fixed poll interval', async () => {
    const { ctx } = testContext();
    ctx.env.ECSPRIMER_POLL_MS = '25';
    const clock = fakeClock();
    const ops = tasksOps([[task('RUNNING')], [task('RUNNING')], [task('STOPPED')]]);
    await waitForTasks(ctx, ops, 'c', [task('RUNNING')], 'stopped', { clock });
    expect(clock.slept).toEqual([25, 25, 25]);
  });
});

describe('waitForService', () => {
  const ev = (id: string, message: string, t: string) => ({ id, message, createdAt: `2026-01-01T00:00:${t}.000Z` });

  it('waits until stable, streaming each new event once, oldest first', async () => {
    const { ctx, stderr } = testContext();
    const e1 = ev('1', '(service web) has started 2 tasks: (task a) (task b).', '01');
    const e2 = ev('2', '(service web) registered 2 targets in (target-group x)', '05');
    const e3 = ev('3', '(service web) has reached a steady state.', '09');
    const ops = serviceOps([
      service({ events: [e1] }),
      service({ runningCount: 1, pendingCount: 1, events: [e2, e1] }),
      service({ runningCount: 2, pendingCount: 0, events: [e3, e2, e1], deployments: [deployment({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })] }),
    ]);
    const out = await waitForService(ctx, ops, 'c', 'web', 'stable', { clock: fakeClock() });
    expect(out?.runningCount).toBe(2);
    const err = stderr();
    for (const e of [e1, e2, e3]) expect(err.split(e.message).length - 1).toBe(1);
    expect(err.indexOf(e1.message)).toBeLessThan(err.indexOf(e2.message));
    expect(err).toContain('service web ACTIVE: running 1, pending 1, desired 2');
    expect(err).toContain('service web stable: running 2 of 2');
  });

  it('fails at once when the deployment fails (circuit breaker), with the reason and the last events', async () => {
    const { ctx } = testContext();
    const failed = service({
      deployments: [{ id: 'd1', status: 'PRIMARY', taskDefinition: 'web:1', desiredCount: 2, runningCount: 0, pendingCount: 0, failedTasks: 3, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }],
      events: [ev('9', '(service web) (task c) failed container health checks.', '30')],
    });
    const err = await waitForService(ctx, serviceOps([failed]), 'c', 'web', 'stable', { clock: fakeClock() }).catch((e: unknown) => e);
    expect((err as RuntimeError).code).toBe('DeploymentFailed');
    expect((err as Error).message).toContain('circuit breaker: tasks failed to start');
    expect((err as Error).message).toContain('failed container health checks');
  });

  it('running = desired is not enough: it waits until the rollout is COMPLETED', async () => {
    const { ctx } = testContext();
    const counted = service({ runningCount: 2, pendingCount: 0, deployments: [deployment({ runningCount: 2, pendingCount: 0 })] });
    const done = service({ runningCount: 2, pendingCount: 0, deployments: [deployment({ runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' })] });
    const clock = fakeClock();
    const out = await waitForService(ctx, serviceOps([counted, counted, done]), 'c', 'web', 'stable', { clock, deployment: 'd1' });
    expect(out?.deployments[0].rolloutState).toBe('COMPLETED');
    expect(clock.slept).toHaveLength(2);
  });

  it('without a rollout state (not the ECS deployment controller) the counts decide', async () => {
    const { ctx } = testContext();
    const { rolloutState: _r, ...plain } = deployment({ runningCount: 2, pendingCount: 0 });
    const out = await waitForService(ctx, serviceOps([service({ runningCount: 2, pendingCount: 0, deployments: [plain] })]), 'c', 'web', 'stable', { clock: fakeClock(), deployment: 'd1' });
    expect(out?.runningCount).toBe(2);
  });

  it("a circuit breaker's rollback fails (exit 1): rolled back to the previous revision, with the failed tasks' stopped reasons", async () => {
    const { ctx } = testContext();
    const rolledBack = service({
      runningCount: 2,
      pendingCount: 0,
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
      deployments: [
        deployment({ id: 'd2', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1', rolloutState: 'IN_PROGRESS' }),
        deployment({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: 2 }),
      ],
      events: [ev('8', '(service web) rolling back to deployment d2.', '40')],
    });
    const stopped = [
      task('STOPPED', { arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/f1', id: 'f1', taskDefinitionArn: deployment().taskDefinition, stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', containers: [{ name: 'web', exitCode: 137 }] }),
      task('STOPPED', { arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/old', id: 'old', stoppedReason: 'Scaling activity initiated by (deployment d0)' }),
    ];
    const ops = serviceOps([rolledBack], stopped);
    const err = await waitForService(ctx, ops, 'c', 'web', 'stable', { clock: fakeClock(), deployment: 'd1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).exitCode).toBe(1);
    expect((err as RuntimeError).code).toBe('DeploymentRolledBack');
    const m = (err as Error).message;
    expect(m).toContain('The deployment d1 of web:2 failed (ECS deployment circuit breaker: tasks failed to start) and ECS rolled back to web:1 (deployment d2, rollout IN_PROGRESS)');
    expect(m).toContain('task f1 stopped: Essential container in task exited (EssentialContainerExited); container web exit code 137');
    // Only the failed deployment's tasks: not those of the revision before.
    expect(m).not.toContain('Scaling activity');
    expect(ops.listed).toEqual([{ serviceName: 'web', desiredStatus: 'STOPPED' }]);
  });

  it('another deployment that replaced the followed one is a failure, not a success', async () => {
    const { ctx } = testContext();
    const replaced = service({ runningCount: 2, pendingCount: 0, deployments: [deployment({ id: 'd9', taskDefinition: deployment().taskDefinition, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' })] });
    const first = service({ deployments: [deployment()] });
    const err = await waitForService(ctx, serviceOps([first, replaced]), 'c', 'web', 'stable', { clock: fakeClock(), deployment: 'd1' }).catch((e: unknown) => e);
    expect((err as RuntimeError).code).toBe('DeploymentReplaced');
    expect((err as Error).message).toContain('was replaced by deployment d9 of web:2, which this command did not start');
  });

  it('times out with the last events', async () => {
    const { ctx } = testContext();
    const stuck = service({ events: [ev('1', '(service web) was unable to place a task because no container instance met all of its requirements.', '01')] });
    const err = await waitForService(ctx, serviceOps([stuck]), 'c', 'web', 'stable', { clock: fakeClock(), timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect((err as RuntimeError).code).toBe('WaitTimeout');
    expect((err as Error).message).toContain('was unable to place a task');
    expect((err as Error).message).toContain('running 0, pending 2, desired 2');
  });

  it('waits until INACTIVE (or gone) after a delete', async () => {
    const { ctx } = testContext();
    const out = await waitForService(ctx, serviceOps([service({ status: 'DRAINING' }), service({ status: 'INACTIVE', desiredCount: 0, pendingCount: 0 })]), 'c', 'web', 'inactive', { clock: fakeClock() });
    expect(out?.status).toBe('INACTIVE');
    await expect(waitForService(ctx, serviceOps([undefined]), 'c', 'web', 'inactive', { clock: fakeClock() })).resolves.toBeUndefined();
  });

  it('isServiceStable: running = desired, nothing pending, one deployment, ACTIVE', () => {
    expect(isServiceStable(service({ runningCount: 2, pendingCount: 0 }))).toBe(true);
    expect(isServiceStable(service({ runningCount: 2, pendingCount: 1 }))).toBe(false);
    expect(isServiceStable(service({ runningCount: 2, pendingCount: 0, status: 'DRAINING' }))).toBe(false);
    const two = service({ runningCount: 2, pendingCount: 0 });
    expect(isServiceStable({ ...two, deployments: [...two.deployments, { ...two.deployments[0], id: 'd0', status: 'ACTIVE' }] })).toBe(false);
  });
});
