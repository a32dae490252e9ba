/**
 * Right after a role is created, ECS may refuse it ("unable to assume the role", "Role is not
 * valid"): RunTask, CreateService and RegisterTaskDefinition retry exactly those answers with
 * backoff for up to 60 s, saying so on stderr. Time is a fake clock: no test sleeps.
 */
import {
  ClientException,
  CreateServiceCommand,
  ECSClient,
  InvalidParameterException,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsError, InterruptedError } from '../../src/errors.js';
import { EcsOps } from '../../src/aws/ecs-ops.js';
import { isRolePropagationError, retryWhileRolePropagates } from '../../src/ecs/propagation.js';
import type { WaitClock } from '../../src/plan/retry.js';
import { testContext, useCliEnv } from '../support/in-process.js';

const ecs = mockClient(ECSClient);
useCliEnv();
beforeEach(() => ecs.reset());

const meta = { httpStatusCode: 400 };
const assume = () =>
  new InvalidParameterException({
    message: "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/ecsprimer/s/s-role' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.",
    $metadata: meta,
  });
const notValid = () => new InvalidParameterException({ message: 'Role is not valid', $metadata: meta });
const other = () => new ClientException({ message: 'Task definition does not support launch_type FARGATE.', $metadata: meta });

/** A clock whose sleeps return at once and advance time; records the delays asked for. */
function fakeClock(): WaitClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      return true;
    },
  };
}

function ops() {
  return new EcsOps(new ECSClient({ region: 'us-east-1' }));
}

describe('isRolePropagationError', () => {
  const table = [
    { case: 'unable to assume the role (raw SDK error)', error: assume(), retried: true },
    { case: 'Role is not valid', error: notValid(), retried: true },
    { case: 'role is not valid, as an AwsError translation', error: new AwsError('ecs:CreateService', 'InvalidParameterException', 'ecs:CreateService failed: InvalidParameterException: Role is not valid', { cause: notValid() }), retried: true },
    { case: 'another ClientException', error: other(), retried: false },
    { case: 'the right words under another code', error: Object.assign(new Error('unable to assume the role'), { name: 'AccessDeniedException' }), retried: false },
  ];
  it.each(table)('$case → $retried', ({ error, retried }) => {
    expect(isRolePropagationError(error)).toBe(retried);
  });
});

describe('retryWhileRolePropagates', () => {
  it('retries RunTask while ECS cannot assume the role, then succeeds, saying it waits for IAM', async () => {
    ecs.on(RunTaskCommand).rejectsOnce(assume()).rejectsOnce(notValid()).resolves({ tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/c/abc', lastStatus: 'PROVISIONING' }], failures: [] });
    const { ctx, stderr } = testContext();
    const clock = fakeClock();
    const o = ops();
    const r = await retryWhileRolePropagates(ctx, 'RunTask', () => o.runTask({ cluster: 'c', taskDefinition: 'web' }), { clock });
    expect(r.tasks.map((t) => t.id)).toEqual(['abc']);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(3);
    expect(clock.slept).toEqual([2000, 3000]);
    expect(stderr()).toContain('waiting for IAM to propagate the role (RunTask');
    expect(stderr()).toContain('IAM role accepted by ECS after 5 s');
  });

  it('does not retry other errors', async () => {
    ecs.on(CreateServiceCommand).rejects(other());
    const { ctx } = testContext();
    const clock = fakeClock();
    const o = ops();
    await expect(retryWhileRolePropagates(ctx, 'CreateService', () => o.createService({ serviceName: 's', cluster: 'c' }), { clock })).rejects.toMatchObject({ awsCode: 'ClientException' });
    expect(ecs.commandCalls(CreateServiceCommand)).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });

  it('gives up after 60 s with the last error and what to check', async () => {
    ecs.on(CreateServiceCommand).rejects(notValid());
    const { ctx } = testContext();
    const clock = fakeClock();
    const o = ops();
    const err = await retryWhileRolePropagates(ctx, 'CreateService', () => o.createService({ serviceName: 's', cluster: 'c' }), { clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsError);
    expect((err as AwsError).exitCode).toBe(1);
    expect((err as Error).message).toContain('Role is not valid');
    expect((err as Error).message).toMatch(/ECS still refused the role after 60 s/);
    expect((err as Error).message).toContain('ecs-tasks.amazonaws.com');
    // Backoff: 2, 3, 4.5, 6.75, 10 (cap)... and never past 60 s in all.
    expect(clock.slept.slice(0, 5)).toEqual([2000, 3000, 4500, 6750, 10000]);
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(60000);
  });

  it('stops on Ctrl-C while waiting (nothing was created)', async () => {
    ecs.on(RunTaskCommand).rejects(assume());
    const { ctx } = testContext();
    const clock: WaitClock = {
      now: () => 0,
      sleep: async () => {
        ctx.interrupt('SIGINT');
        return false;
      },
    };
    const o = ops();
    const err = await retryWhileRolePropagates(ctx, 'RunTask', () => o.runTask({ cluster: 'c', taskDefinition: 'web' }), { clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as InterruptedError).exitCode).toBe(130);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });
});
